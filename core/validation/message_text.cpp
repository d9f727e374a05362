#include "core/validation/message_text.h"

#include <cmath>
#include <cstdio>

namespace dq {

std::string shortText(std::string_view text, std::size_t maxChars) {
    std::string out;
    std::size_t shown = 0;
    for (; shown < text.size() && out.size() < maxChars; ++shown) {
        const unsigned char ch = static_cast<unsigned char>(text[shown]);
        if (ch == '\n') out += "\\n";
        else if (ch == '\r') out += "\\r";
        else if (ch == '\t') out += "\\t";
        else if (ch < 0x20 || ch == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", ch);
            out += hex;
        } else {
            out += static_cast<char>(ch);
        }
    }
    if (shown < text.size()) {
        // Do not end inside a UTF-8 sequence.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
        if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0) out.pop_back();
        out += "... (" + std::to_string(text.size()) + " characters)";
    }
    return out;
}

std::string inQuotes(std::string_view text, std::size_t maxChars) { return "'" + shortText(text, maxChars) + "'"; }

std::string plainNumber(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
    }
    return buffer;
}

}  // namespace dq
