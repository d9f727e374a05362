#pragma once
// Short, bounded descriptions of JSON values for error messages. Dumping an
// arbitrary value would recurse through hostile nesting and could overflow the
// stack; containers are named, never printed.
#include <string>

#include <nlohmann/json.hpp>

namespace dq {

inline std::string jsonValueText(const nlohmann::json& value) {
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    std::string text = value.dump();
    return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

}  // namespace dq
