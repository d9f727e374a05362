#pragma once
// The CPU fast path of statistics collection. After a first pass for the
// extremes and the sum (LibTorch's vectorised reductions), one parallel pass
// over float32 activations gives the centred power sums and the histogram
// counts, on spans of a tensor (e.g. one channel range of every batch item,
// the h or skip half of a cat(h, skip) input) without copying them.
// Composing LibTorch ops for the same needs ~10 passes and as many
// allocations, which made collection slower than the sampling it observes.
#include <cstdint>
#include <utility>
#include <vector>

namespace dq::fast {

struct Span {
    const float* data = nullptr;
    int64_t size = 0;
};

// What the first pass found.
struct Extremes {
    double min = 0, max = 0, sum = 0;
    int64_t count = 0;
    bool finite = true;  // false when a NaN or ±inf was seen
};

struct HistogramRow {
    double* counts = nullptr;  // `bins` counters, incremented
    int bins = 0;
    double lo = 0, width = 1;  // bin k covers [lo + k·w, lo + (k+1)·w); the top edge goes to the last bin
};

struct CentredSums {
    double s2 = 0, s3 = 0, s4 = 0;
};

// Pass 2: Σ(x − mean)^{2,3,4}, counting every value into `row` and, when
// given, also into `also` (e.g. the whole input's histogram for a half).
CentredSums centredSumsAndCounts(const std::vector<Span>& spans, double mean, const HistogramRow& row,
                                 const HistogramRow* also = nullptr);

// Σ reference² and Σ (output − reference)² over two equally sized arrays.
std::pair<double, double> signalAndNoise(const float* output, const float* reference, int64_t size);

}  // namespace dq::fast
