#pragma once
// JSON read from files, parsed within bounds that a hostile file cannot push
// past. nlohmann's parser accepts any nesting, but printing or walking a value
// recurses, so a file of 100,000 '[' crashed the program later, far from the
// read. Every diffquant file nests a few levels and holds short strings, so
// the text is scanned before parsing and rejected with one clear message.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace dq {

struct JsonLimits {
    int maxDepth = 32;
    std::size_t maxStringBytes = 1 << 20;   // a key or string value
    std::size_t maxTextBytes = 256u << 20;  // the whole text
};

// `what` names the file for messages, e.g. "Model config '/m/config.json'".
// Throws dq::Error: not JSON (with the byte offset), too deep, too long.
void checkJsonBounds(const std::string& text, const std::string& what, const JsonLimits& limits = {});
nlohmann::json parseBoundedJson(const std::string& text, const std::string& what, const JsonLimits& limits = {});
nlohmann::ordered_json parseBoundedOrderedJson(const std::string& text, const std::string& what,
                                               const JsonLimits& limits = {});

}  // namespace dq
