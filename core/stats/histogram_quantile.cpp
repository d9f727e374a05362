#include "core/stats/histogram_quantile.h"

#include <torch/torch.h>

namespace dq {

double histogramQuantile(const torch::Tensor& counts, double lo, double width, double fraction) {
    const torch::Tensor cumulative = counts.to(torch::kFloat64).contiguous().cumsum(0);
    const int64_t bins = cumulative.size(0);
    const auto c = cumulative.accessor<double, 1>();
    const double total = bins > 0 ? c[bins - 1] : 0.0;
    if (!(total > 0)) return lo;
    const double target = fraction * total;
    for (int64_t b = 0; b < bins; ++b) {
        if (c[b] >= target) {
            const double before = b > 0 ? c[b - 1] : 0.0;
            const double inBin = c[b] - before;
            return lo + (static_cast<double>(b) + (inBin > 0 ? (target - before) / inBin : 0.0)) * width;
        }
    }
    return lo + static_cast<double>(bins) * width;
}

}  // namespace dq
