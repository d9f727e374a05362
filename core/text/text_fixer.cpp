#include "core/text/text_fixer.h"

#include <optional>

#include "core/text/html_unescape.h"
#include "core/text/unicode_normalization.h"
#include "core/text/unicode_text.h"

namespace dq::text {

namespace {

bool isAsciiAlnum(char32_t c) { return (c >= U'0' && c <= U'9') || ((c | 0x20) >= U'a' && (c | 0x20) <= U'z'); }

// ftfy's unescape_html: "&#?[0-9A-Za-z]{1,24};" references that decode whole:
// HTML 5's names ending in ';' (and their all-caps forms), or numeric
// references html.unescape consumes to the ';'.
std::u32string unescapeHtmlReferences(const std::u32string& s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == U'&') {
            std::size_t j = i + 1;
            if (j < s.size() && s[j] == U'#') ++j;
            const std::size_t nameStart = j;
            while (j < s.size() && j - nameStart < 24 && isAsciiAlnum(s[j])) ++j;
            if (j > nameStart && j < s.size() && s[j] == U';') {
                const std::u32string reference = s.substr(i, j + 1 - i);  // "&…;"
                std::optional<std::u32string> text;
                if (reference[1] != U'#') {
                    text = namedCharacterReference(reference.substr(1), true);
                } else {
                    std::u32string decoded = htmlUnescape(reference);
                    if (decoded.find(U';') == std::u32string::npos) text = std::move(decoded);
                }
                out += text ? *text : reference;
                i = j + 1;
                continue;
            }
        }
        out.push_back(s[i++]);
    }
    return out;
}

// fix_latin_ligatures: ftfy's LIGATURES table.
const char32_t* latinLigature(char32_t cp) {
    switch (cp) {
        case 0x132: return U"IJ";
        case 0x133: return U"ij";
        case 0x149: return U"\u02BCn";
        case 0x1C4: return U"D\u017D";
        case 0x1C5: return U"D\u017E";
        case 0x1C6: return U"d\u017E";
        case 0x1C7: return U"LJ";
        case 0x1C8: return U"Lj";
        case 0x1C9: return U"lj";
        case 0x1CA: return U"NJ";
        case 0x1CB: return U"Nj";
        case 0x1CC: return U"nj";
        case 0x1F1: return U"DZ";
        case 0x1F2: return U"Dz";
        case 0x1F3: return U"dz";
        case 0xFB00: return U"ff";
        case 0xFB01: return U"fi";
        case 0xFB02: return U"fl";
        case 0xFB03: return U"ffi";
        case 0xFB04: return U"ffl";
        case 0xFB05: return U"\u017Ft";
        case 0xFB06: return U"st";
        default: return nullptr;
    }
}

// remove_control_chars: ftfy's CONTROL_CHARS (whitespace controls, C1,
// joiners, bidi marks and tag characters are kept).
bool isRemovedControl(char32_t cp) {
    return cp <= 0x08 || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F || (cp >= 0x206A && cp <= 0x206F) ||
           cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
}

// One pass of fix_and_explain's fixers, in ftfy's order.
std::u32string fixOnce(const std::u32string& input, bool unescape) {
    std::u32string s = unescape ? unescapeHtmlReferences(input) : input;
    std::u32string t;
    for (char32_t cp : s) {  // fix_c1_controls (ftfy's "sloppy" Windows-1252), fix_latin_ligatures, fix_character_width
        cp = c1ToWindows1252(cp);
        if (const char32_t* letters = latinLigature(cp)) t += letters;
        else if (std::u32string wide = standardWidthForm(cp); !wide.empty()) t += wide;
        else t.push_back(cp);
    }
    s.clear();
    for (std::size_t i = 0; i < t.size(); ++i) {
        char32_t cp = t[i];
        if (cp == 0x2BC || (cp >= 0x2018 && cp <= 0x201B)) cp = U'\'';  // uncurl_quotes
        else if (cp >= 0x201C && cp <= 0x201F) cp = U'"';
        if (cp == U'\r' && i + 1 < t.size() && t[i + 1] == U'\n') continue;  // fix_line_breaks
        if (cp == U'\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) cp = U'\n';
        s.push_back(cp);
    }
    t.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {  // remove_terminal_escapes: ESC [ [0-9;]* [A-Za-z]
        if (s[i] == 0x1B && i + 1 < s.size() && s[i + 1] == U'[') {
            std::size_t j = i + 2;
            while (j < s.size() && ((s[j] >= U'0' && s[j] <= U'9') || s[j] == U';')) ++j;
            if (j < s.size() && (s[j] | 0x20) >= U'a' && (s[j] | 0x20) <= U'z') {
                i = j;
                continue;
            }
        }
        t.push_back(s[i]);
    }
    s.clear();
    for (char32_t cp : t)
        if (!isRemovedControl(cp)) s.push_back(cp);
    return toNfc(s);
}

}  // namespace

std::u32string fixText(const std::u32string& text) {
    std::u32string out;
    // ftfy's unescape_html="auto": once a line contains '<' the text is taken
    // for HTML, and references in it and in every later line stay as written.
    bool unescape = true;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t newline = text.find(U'\n', pos);
        const std::size_t end = newline == std::u32string::npos ? text.size() : newline + 1;
        std::u32string segment = text.substr(pos, end - pos);
        if (segment.find(U'<') != std::u32string::npos) unescape = false;
        for (;;) {
            std::u32string fixed = fixOnce(segment, unescape);
            if (fixed == segment) break;
            segment = std::move(fixed);
        }
        out += segment;
        pos = end;
    }
    return out;
}

}  // namespace dq::text
