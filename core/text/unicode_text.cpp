#include "core/text/unicode_text.h"

#include <algorithm>
#include <iterator>

namespace dq::text {

namespace {
struct CodeRange {
    char32_t first, last;
};
struct LowerCase {
    char32_t from, to;
};
struct LowerCaseMulti {
    char32_t from;
    char32_t to[3];
    int length;
};
#include "core/text/unicode_tables.inc"

template <std::size_t N>
bool inRanges(const CodeRange (&ranges)[N], char32_t cp) {
    const auto* end = ranges + N;
    const auto* it = std::upper_bound(ranges, end, cp, [](char32_t v, const CodeRange& r) { return v < r.first; });
    return it != ranges && cp <= std::prev(it)->last;
}
}  // namespace

std::u32string decodeUtf8(const std::string& s) {
    std::u32string out;
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        const unsigned char b = byte(i);
        int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        bool ok = len > 0 && i + len <= s.size();
        for (int k = 1; ok && k < len; ++k) {
            ok = (byte(i + k) & 0xC0) == 0x80;
            cp = (cp << 6) | (byte(i + k) & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid too.
        if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                   (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
            ok = false;
        if (!ok) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

std::string encodeUtf8(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return out;
}

std::string encodeUtf8(const std::u32string& text) {
    std::string out;
    for (char32_t cp : text) out += encodeUtf8(cp);
    return out;
}

bool isLetter(char32_t cp) { return inRanges(kLetters, cp); }
bool isNumber(char32_t cp) { return inRanges(kNumbers, cp); }
bool isWhitespace(char32_t cp) { return inRanges(kSpaces, cp); }

std::u32string toLower(const std::u32string& text) {
    std::u32string out;
    out.reserve(text.size());
    for (char32_t cp : text) {
        if (cp < 0x80) {
            out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            continue;
        }
        bool done = false;
        for (const LowerCaseMulti& m : kLowerMulti)
            if (m.from == cp) {
                out.append(m.to, m.to + m.length);
                done = true;
            }
        if (done) continue;
        const auto* end = std::end(kLower);
        const auto* it = std::lower_bound(std::begin(kLower), end, cp, [](const LowerCase& l, char32_t v) { return l.from < v; });
        out.push_back(it != end && it->from == cp ? it->to : cp);
    }
    return out;
}

char32_t c1ToWindows1252(char32_t cp) {
    static const char32_t table[32] = {0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021,
                                       0x2C6,  0x2030, 0x160,  0x2039, 0x152,  0x8D,   0x17D,  0x8F,
                                       0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                       0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};
    return cp >= 0x80 && cp <= 0x9F ? table[cp - 0x80] : cp;
}

}  // namespace dq::text
