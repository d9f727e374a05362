#pragma once
// Short, bounded descriptions of JSON values for error messages. Dumping an
// arbitrary value would recurse through hostile nesting and could overflow the
// stack; containers are named, never printed, and strings are cut and escaped.
#include <string>

#include <nlohmann/json.hpp>

#include "core/validation/message_text.h"

namespace dq {

template <typename Json>
std::string jsonValueText(const Json& value) {
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    if (value.is_string()) return "\"" + shortText(value.template get_ref<const std::string&>(), 60) + "\"";
    return shortText(value.dump(), 60);
}

}  // namespace dq
