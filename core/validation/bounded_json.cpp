#include "core/validation/bounded_json.h"

#include "core/errors.h"

namespace dq {

void checkJsonBounds(const std::string& text, const std::string& what, const JsonLimits& limits) {
    if (text.size() > limits.maxTextBytes)
        throw Error(what + " is " + std::to_string(text.size()) + " bytes, more than the " +
                    std::to_string(limits.maxTextBytes) + " a diffquant JSON file can be; it is not such a file.");
    int depth = 0;
    bool inString = false, escaped = false;
    std::size_t stringStart = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (inString) {
            if (escaped) escaped = false;
            else if (ch == '\\') escaped = true;
            else if (ch == '"') inString = false;
            if (inString && i - stringStart > limits.maxStringBytes)
                throw Error(what + " holds a string longer than " + std::to_string(limits.maxStringBytes) +
                            " bytes (starting at byte " + std::to_string(stringStart) +
                            "); no setting is that long, so the file is damaged.");
            continue;
        }
        if (ch == '"') {
            inString = true;
            stringStart = i;
        } else if (ch == '[' || ch == '{') {
            if (++depth > limits.maxDepth)
                throw Error(what + " nests deeper than " + std::to_string(limits.maxDepth) + " levels (at byte " +
                            std::to_string(i) + "); no diffquant file does, so it is damaged or not meant for it.");
        } else if (ch == ']' || ch == '}') {
            --depth;
        }
    }
}

namespace {
template <typename Json>
Json parseBounded(const std::string& text, const std::string& what, const JsonLimits& limits) {
    checkJsonBounds(text, what, limits);
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(what + " is not valid JSON (error at byte " + std::to_string(e.byte) +
                    "); check the file for truncation or a hand-editing mistake.");
    } catch (const nlohmann::json::exception&) {
        // out_of_range.406: a literal such as 1E99999 that no double holds (found by fuzzing).
        throw Error(what + " holds a number too large for any setting; check the file for a hand-editing mistake.");
    }
}
}  // namespace

nlohmann::json parseBoundedJson(const std::string& text, const std::string& what, const JsonLimits& limits) {
    return parseBounded<nlohmann::json>(text, what, limits);
}

nlohmann::ordered_json parseBoundedOrderedJson(const std::string& text, const std::string& what,
                                               const JsonLimits& limits) {
    return parseBounded<nlohmann::ordered_json>(text, what, limits);
}

}  // namespace dq
