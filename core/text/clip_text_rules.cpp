#include "core/text/clip_text_rules.h"

#include <algorithm>

#include "core/text/html_unescape.h"
#include "core/text/text_fixer.h"
#include "core/text/unicode_text.h"

namespace dq::text {

const std::u32string kClipStart = U"<|startoftext|>";
const std::u32string kClipEnd = U"<|endoftext|>";

namespace {

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
    s = strip(htmlUnescape(htmlUnescape(fixText(s))));  // basic_clean
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
