#include "core/validation/json_fields.h"

namespace dq {

bool NumberRange::contains(double v) const {
    if (!std::isfinite(v)) return false;
    if (normal && v != 0 && !std::isnormal(v)) return false;
    if (openMin ? !(v > min) : !(v >= min)) return false;
    if (openMax ? !(v < max) : !(v <= max)) return false;
    return true;
}

std::string NumberRange::describe() const {
    const bool noMin = min <= -std::numeric_limits<double>::max();
    const bool noMax = max >= std::numeric_limits<double>::max();
    std::string kind = normal ? "a finite, normal number" : "a finite number";
    if (noMin && noMax) return kind;
    if (noMax) return kind + (openMin ? " above " : " of at least ") + plainNumber(min);
    if (noMin) return kind + (openMax ? " below " : " of at most ") + plainNumber(max);
    return kind + " in " + (openMin ? "(" : "[") + plainNumber(min) + ", " + plainNumber(max) + (openMax ? ")" : "]");
}

}  // namespace dq
