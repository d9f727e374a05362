#include "core/validation/resource_limits.h"

#include <unistd.h>

#include <cstdio>

#include "core/errors.h"
#include "core/validation/message_text.h"

namespace dq {

uint64_t physicalMemoryBytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0) return 0;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize);
}

void checkAllocation(double bytes, const std::string& what, const std::string& todo) {
    const uint64_t physical = physicalMemoryBytes();
    const double limit = physical ? physical / 2.0 : 64.0 * (1ull << 30);
    if (bytes <= limit) return;
    char amount[64];
    std::snprintf(amount, sizeof amount, "%.1f GiB", bytes / double(1ull << 30));
    char available[64];
    std::snprintf(available, sizeof available, "%.1f GiB", limit / double(1ull << 30));
    throw Error(what + " needs " + amount + " of memory, more than the " + available +
                " (half of this machine's memory) allowed for it; " + todo + ".");
}

bool boundedProduct(const int64_t* values, int count, int64_t limit, int64_t& product) {
    product = 1;
    for (int i = 0; i < count; ++i) {
        if (values[i] < 0) return false;
        if (values[i] != 0 && product > limit / values[i]) return false;
        product *= values[i];
    }
    return product <= limit;
}

}  // namespace dq
