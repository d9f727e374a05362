#pragma once
// Typed, range-checked reads of a JSON object's keys: the one place where a
// value from a file becomes a C++ number, string or flag. Integers are checked
// against their range before narrowing (2^32 + 32 must not become 32), floats
// must be finite and inside their range, strings are bounded, and every
// failure is one sentence naming the file and the key path.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/json_text.h"
#include "core/validation/message_text.h"

namespace dq {

// An interval for a float. Open ends exclude the bound; `normal` also
// excludes subnormal values (a scale of 1e-45 is "positive" but useless).
struct NumberRange {
    double min = -std::numeric_limits<double>::max();
    double max = std::numeric_limits<double>::max();
    bool openMin = false;
    bool openMax = false;
    bool normal = false;

    static NumberRange closed(double lo, double hi) { return {lo, hi, false, false, false}; }
    static NumberRange open(double lo, double hi) { return {lo, hi, true, true, false}; }
    static NumberRange positive(double hi = std::numeric_limits<double>::max()) { return {0, hi, true, false, true}; }
    static NumberRange any() { return {}; }

    bool contains(double v) const;
    std::string describe() const;  // e.g. "a finite number in (0, 1)"
};

template <typename Json>
class JsonFields {
public:
    // `what` names the file ("Model config '/m/config.json'"); `prefix` is
    // this object's key path inside it ("train.", "sites.conv_in.").
    JsonFields(const Json& object, std::string what, std::string prefix = {})
        : object_(object), what_(std::move(what)), prefix_(std::move(prefix)) {
        if (!object_.is_object())
            throw Error(what_ + (prefix_.empty() ? std::string(" must hold a JSON object")
                                                 : ": key " + inQuotes(prefix_.substr(0, prefix_.size() - 1)) +
                                                       " must be an object") +
                        ", not " + jsonValueText(object_) + ".");
    }

    const std::string& what() const { return what_; }

    [[noreturn]] void reject(const std::string& key, const std::string& why) const {
        throw Error(what_ + ": key " + inQuotes(prefix_ + key, 80) + " " + why + ".");
    }

    // The value, or null when the key is absent or JSON null.
    const Json* find(const std::string& key) const {
        auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
        const Json* v = find(key);
        return v ? integerValue(*v, key, min, max) : fallback;
    }
    // Checked before narrowing to the caller's type.
    int integer32(const std::string& key, int fallback, int min, int max) const {
        return static_cast<int>(integer(key, fallback, min, max));
    }
    int64_t integerValue(const Json& v, const std::string& key, int64_t min, int64_t max) const {
        const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
        if (v.is_number_float()) {
            // Some writers store integers as 1000.0; accept those, exactly.
            const double d = v.template get<double>();
            if (std::isfinite(d) && d == std::floor(d) && d >= double(min) && d <= double(max)) return int64_t(d);
        }
        if (!v.is_number_integer()) reject(key, "must be " + range + ", not " + jsonValueText(v));
        if (v.is_number_unsigned() && v.template get<uint64_t>() > static_cast<uint64_t>(max))
            reject(key, "must be " + range + ", not " + jsonValueText(v));
        const int64_t value = v.template get<int64_t>();
        if (value < min || value > max) reject(key, "must be " + range + ", not " + std::to_string(value));
        return value;
    }

    double number(const std::string& key, double fallback, const NumberRange& range) const {
        const Json* v = find(key);
        return v ? numberValue(*v, key, range) : fallback;
    }
    double numberValue(const Json& v, const std::string& key, const NumberRange& range) const {
        if (!v.is_number()) reject(key, "must be " + range.describe() + ", not " + jsonValueText(v));
        const double value = v.template get<double>();
        if (!range.contains(value)) reject(key, "must be " + range.describe() + ", not " + plainNumber(value));
        return value;
    }

    // Required keys: absence is an error naming the key.
    const Json& require(const std::string& key) const {
        const Json* v = find(key);
        if (!v) reject(key, "is missing");
        return *v;
    }
    int64_t requiredInteger(const std::string& key, int64_t min, int64_t max) const {
        return integerValue(require(key), key, min, max);
    }
    double requiredNumber(const std::string& key, const NumberRange& range) const {
        return numberValue(require(key), key, range);
    }
    bool requiredBoolean(const std::string& key) const {
        (void)require(key);
        return boolean(key, false);
    }

    bool boolean(const std::string& key, bool fallback) const {
        const Json* v = find(key);
        if (!v) return fallback;
        if (!v->is_boolean()) reject(key, "must be true or false, not " + jsonValueText(*v));
        return v->template get<bool>();
    }

    // A string; when `allowed` is not empty it must be one of them.
    std::string text(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed = {}) const {
        const Json* v = find(key);
        return v ? textValue(*v, key, allowed) : fallback;
    }
    std::string textValue(const Json& v, const std::string& key, const std::vector<std::string>& allowed = {}) const {
        if (!v.is_string()) reject(key, "must be a string, not " + jsonValueText(v));
        const std::string& s = v.template get_ref<const std::string&>();
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            reject(key, "is " + jsonValueText(v) + "; supported: " + list);
        }
        return s;
    }

    // The object under `key` (required).
    JsonFields child(const std::string& key) const {
        const Json* v = find(key);
        if (!v) reject(key, "is missing");
        return JsonFields(*v, what_, prefix_ + key + ".");
    }

    // Every key must be known; keys starting with '_' are metadata when allowed.
    void allowOnly(const std::set<std::string>& known, bool metadataKeys, const std::string& hint) const {
        for (auto it = object_.begin(); it != object_.end(); ++it) {
            const std::string& key = it.key();
            if (metadataKeys && !key.empty() && key[0] == '_') continue;
            if (!known.count(key)) reject(key, "is unknown" + (hint.empty() ? std::string() : "; " + hint));
        }
    }

    const Json& json() const { return object_; }

private:
    const Json& object_;
    std::string what_;
    std::string prefix_;
};

}  // namespace dq
