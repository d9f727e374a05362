#include "core/text/clip_text_rules.h"

#include <algorithm>
#include <map>

#include "core/text/unicode_text.h"

namespace dq::text {

const std::u32string kClipStart = U"<|startoftext|>";
const std::u32string kClipEnd = U"<|endoftext|>";

namespace {

// html.unescape for numeric entities and the common named ones.
std::u32string unescapeHtml(const std::u32string& s) {
    static const std::map<std::u32string, char32_t> named = {
        {U"amp", U'&'}, {U"lt", U'<'}, {U"gt", U'>'}, {U"quot", U'"'}, {U"apos", U'\''}, {U"nbsp", 0xA0}};
    std::u32string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != U'&') {
            out.push_back(s[i]);
            continue;
        }
        const std::size_t semi = s.find(U';', i);
        if (semi != std::u32string::npos && semi - i <= 10) {
            const std::u32string body = s.substr(i + 1, semi - i - 1);
            char32_t cp = 0;
            bool ok = false;
            if (!body.empty() && body[0] == U'#') {
                const bool hex = body.size() > 1 && (body[1] == U'x' || body[1] == U'X');
                const std::u32string digits = body.substr(hex ? 2 : 1);
                ok = !digits.empty();
                for (char32_t d : digits) {
                    const int v = d >= U'0' && d <= U'9' ? int(d - U'0')
                                  : hex && d >= U'a' && d <= U'f' ? int(d - U'a' + 10)
                                  : hex && d >= U'A' && d <= U'F' ? int(d - U'A' + 10) : -1;
                    if (v < 0 || cp > 0x10FFFF) { ok = false; break; }
                    cp = cp * (hex ? 16 : 10) + char32_t(v);
                }
                if (ok && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)) cp = 0xFFFD;
            } else if (auto it = named.find(body); it != named.end()) {
                cp = it->second;
                ok = true;
            }
            if (ok) {
                out.push_back(cp);
                i = semi;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// whitespace_clean: runs of \\s become one space; then strip.
std::u32string cleanWhitespace(const std::u32string& s) {
    std::u32string out;
    bool pendingSpace = false;
    for (char32_t cp : s) {
        if (isWhitespace(cp)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(U' ');
        pendingSpace = false;
        out.push_back(cp);
    }
    return out;
}

std::u32string strip(const std::u32string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && isWhitespace(s[a])) ++a;
    while (b > a && isWhitespace(s[b - 1])) --b;
    return s.substr(a, b - a);
}

bool isOther(char32_t cp) { return !isWhitespace(cp) && !isLetter(cp) && !isNumber(cp); }

// CLIP's pattern, alternatives in its order, applied as re.findall does:
// <|startoftext|> | <|endoftext|> | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+
std::vector<std::u32string> preTokenize(const std::u32string& s) {
    static const std::u32string contractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
    std::vector<std::u32string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t length = 0;
        if (s.compare(i, kClipStart.size(), kClipStart) == 0) length = kClipStart.size();
        else if (s.compare(i, kClipEnd.size(), kClipEnd) == 0) length = kClipEnd.size();
        if (!length)
            for (const auto& c : contractions)
                if (s.compare(i, c.size(), c) == 0) {
                    length = c.size();
                    break;
                }
        if (!length && isLetter(s[i])) {
            while (i + length < s.size() && isLetter(s[i + length])) ++length;
        } else if (!length && isNumber(s[i])) {
            length = 1;
        } else if (!length && isOther(s[i])) {
            while (i + length < s.size() && isOther(s[i + length])) ++length;
        }
        if (!length) {  // whitespace: no match starts here
            ++i;
            continue;
        }
        out.push_back(s.substr(i, length));
        i += length;
    }
    return out;
}

}  // namespace

// GPT-2's reversible map from bytes to printable code points (bytes_to_unicode).
const std::vector<char32_t>& clipByteToUnicode() {
    static const std::vector<char32_t> table = [] {
        std::vector<char32_t> t(256, 0);
        std::vector<bool> direct(256, false);
        for (int b = '!'; b <= '~'; ++b) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
        int next = 0;
        for (int b = 0; b < 256; ++b) t[b] = direct[b] ? char32_t(b) : char32_t(256 + next++);
        return t;
    }();
    return table;
}

std::vector<char32_t> clipByteSymbolsInVocabularyOrder() {
    // bytes_to_unicode lists the printable bytes (mapped to themselves) first,
    // in byte order, then the others (mapped to 256 + n), in byte order: that
    // is the order of the code points themselves.
    std::vector<char32_t> symbols = clipByteToUnicode();
    std::sort(symbols.begin(), symbols.end());
    return symbols;
}

std::vector<std::string> clipPieces(const std::string& input) {
    std::u32string s = decodeUtf8(input);
    s = strip(unescapeHtml(unescapeHtml(s)));  // basic_clean (without ftfy)
    s = toLower(strip(cleanWhitespace(s)));
    std::vector<std::string> pieces;
    const auto& byteMap = clipByteToUnicode();
    for (const std::u32string& piece : preTokenize(s)) {
        if (piece == kClipStart || piece == kClipEnd) {
            pieces.push_back(encodeUtf8(piece));
            continue;
        }
        std::u32string mapped;
        for (unsigned char b : encodeUtf8(piece)) mapped.push_back(byteMap[b]);
        pieces.push_back(encodeUtf8(mapped));
    }
    return pieces;
}

}  // namespace dq::text
