#include "core/text/html_unescape.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <unordered_map>

#include "core/text/unicode_text.h"

namespace dq::text {

namespace {
struct NameToText {
    const char* name;
    const char* text;  // UTF-8
};
#include "core/text/html_entity_tables.inc"

using EntityMap = std::unordered_map<std::u32string, std::u32string>;

template <std::size_t N>
EntityMap entityMap(const NameToText (&table)[N]) {
    EntityMap m;
    m.reserve(N);
    for (const NameToText& e : table) m.emplace(decodeUtf8(e.name), decodeUtf8(e.text));
    return m;
}

// html.unescape's replacements for numeric references to characters that
// HTML does not allow: the C1 range is read as Windows-1252.
char32_t invalidReferenceReplacement(char32_t cp) {
    if (cp == 0) return 0xFFFD;
    if (cp == 0x0D) return U'\r';
    if (cp >= 0x80 && cp <= 0x9F) return c1ToWindows1252(cp);
    return 0;
}

// Code points a numeric reference may not produce: they vanish.
bool isDroppedCodePoint(char32_t cp) {
    return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F) ||
           (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

bool isDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool isHexDigit(char32_t c) { return isDigit(c) || (c >= U'a' && c <= U'f') || (c >= U'A' && c <= U'F'); }

// One reference starting after '&' at `pos`: its length (0 if none) and text.
std::size_t unescapeAt(const std::u32string& s, std::size_t pos, std::u32string& out) {
    if (pos < s.size() && s[pos] == U'#') {
        const bool hex = pos + 1 < s.size() && (s[pos + 1] == U'x' || s[pos + 1] == U'X');
        std::size_t i = pos + (hex ? 2 : 1);
        const std::size_t digitsStart = i;
        char32_t value = 0;
        bool tooLarge = false;
        while (i < s.size() && (hex ? isHexDigit(s[i]) : isDigit(s[i]))) {
            const char32_t d = isDigit(s[i]) ? s[i] - U'0' : (s[i] | 0x20) - U'a' + 10;
            if (!tooLarge) value = value * (hex ? 16 : 10) + d;
            tooLarge = tooLarge || value > 0x10FFFF;
            ++i;
        }
        if (i == digitsStart) return 0;
        if (i < s.size() && s[i] == U';') ++i;
        if (!tooLarge && invalidReferenceReplacement(value)) out.push_back(invalidReferenceReplacement(value));
        else if (tooLarge || (value >= 0xD800 && value <= 0xDFFF)) out.push_back(0xFFFD);
        else if (!isDroppedCodePoint(value)) out.push_back(value);
        return i - pos;
    }
    // A name: up to 32 characters other than tab, newline, form feed, space,
    // '<', '&', '#' and ';', then an optional ';'.
    std::size_t i = pos;
    while (i < s.size() && i - pos < 32 && std::u32string_view(U"\t\n\f <&#;").find(s[i]) == std::u32string_view::npos) ++i;
    if (i == pos) return 0;
    if (i < s.size() && s[i] == U';') ++i;
    const std::u32string name = s.substr(pos, i - pos);
    if (auto text = namedCharacterReference(name)) {
        out += *text;
        return i - pos;
    }
    for (std::size_t x = name.size() - 1; x >= 2; --x)  // the longest known prefix
        if (auto text = namedCharacterReference(name.substr(0, x))) {
            out += *text;
            out += name.substr(x);
            return i - pos;
        }
    out.push_back(U'&');
    out += name;
    return i - pos;
}
}  // namespace

std::optional<std::u32string> namedCharacterReference(const std::u32string& name, bool upperCaseForms) {
    static const EntityMap html5 = entityMap(kHtmlEntities);
    static const EntityMap upper = entityMap(kUpperCaseEntities);
    if (const auto it = html5.find(name); it != html5.end()) return it->second;
    if (upperCaseForms)
        if (const auto it = upper.find(name); it != upper.end()) return it->second;
    return std::nullopt;
}

std::u32string htmlUnescape(const std::u32string& s) {
    if (s.find(U'&') == std::u32string::npos) return s;
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == U'&') {
            if (const std::size_t length = unescapeAt(s, i + 1, out)) {
                i += 1 + length;
                continue;
            }
        }
        out.push_back(s[i++]);
    }
    return out;
}

}  // namespace dq::text
