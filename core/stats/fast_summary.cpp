#include "core/stats/fast_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/Parallel.h>

namespace dq::fast {

namespace {
// Work is cut into blocks small enough to stay in L1 between the vectorised
// moment loop and the scalar histogram loop, and to share among threads.
constexpr int64_t kBlock = 2048;

struct Block {
    const float* data;
    int64_t size;
};

std::vector<Block> blocks(const std::vector<Span>& spans) {
    std::vector<Block> out;
    for (const Span& s : spans)
        for (int64_t from = 0; from < s.size; from += kBlock) out.push_back({s.data + from, std::min(kBlock, s.size - from)});
    return out;
}

// Runs fn(block, threadIndex) over all blocks in parallel.
template <typename Fn>
void forBlocks(const std::vector<Block>& list, Fn&& fn) {
    at::parallel_for(0, static_cast<int64_t>(list.size()), 8, [&](int64_t begin, int64_t end) {
        const int thread = at::get_thread_num();
        for (int64_t i = begin; i < end; ++i) fn(list[static_cast<std::size_t>(i)], thread);
    });
}

// The inner loops are plain functions over restrict pointers so that the
// compiler vectorises them.
void blockCentredSums(const float* __restrict data, int64_t size, float mean, float& s2, float& s3, float& s4) {
    float a2 = 0, a3 = 0, a4 = 0;
    for (int64_t i = 0; i < size; ++i) {
        const float d = data[i] - mean, d2 = d * d;
        a2 += d2;
        a3 += d2 * d;
        a4 += d2 * d2;
    }
    s2 = a2;
    s3 = a3;
    s4 = a4;
}

void blockBins(const float* __restrict data, int64_t size, float lo, float inverseWidth, int bins,
               int32_t* __restrict out) {
    const float top = static_cast<float>(bins - 1);
    for (int64_t i = 0; i < size; ++i) {
        const float b = std::min(std::max((data[i] - lo) * inverseWidth, 0.0f), top);
        out[i] = static_cast<int32_t>(b);
    }
}

}  // namespace

CentredSums centredSumsAndCounts(const std::vector<Span>& spans, double mean, const HistogramRow& row,
                                 const HistogramRow* also) {
    const std::vector<Block> list = blocks(spans);
    const int threads = at::get_num_threads();
    struct Partial {
        double s2 = 0, s3 = 0, s4 = 0;
        std::vector<int64_t> counts, alsoCounts;
    };
    std::vector<Partial> partial(static_cast<std::size_t>(threads));
    const float m = static_cast<float>(mean);
    const float lo = static_cast<float>(row.lo), inverse = static_cast<float>(1.0 / row.width);
    const float alsoLo = also ? static_cast<float>(also->lo) : 0.0f;
    const float alsoInverse = also ? static_cast<float>(1.0 / also->width) : 0.0f;
    forBlocks(list, [&](const Block& b, int thread) {
        Partial& p = partial[static_cast<std::size_t>(thread)];
        if (p.counts.empty()) {
            p.counts.assign(static_cast<std::size_t>(row.bins), 0);
            if (also) p.alsoCounts.assign(static_cast<std::size_t>(also->bins), 0);
        }
        float s2 = 0, s3 = 0, s4 = 0;
        blockCentredSums(b.data, b.size, m, s2, s3, s4);
        p.s2 += s2;
        p.s3 += s3;
        p.s4 += s4;
        int32_t bins[kBlock];
        blockBins(b.data, b.size, lo, inverse, row.bins, bins);
        int64_t* counts = p.counts.data();
        for (int64_t i = 0; i < b.size; ++i) ++counts[bins[i]];
        if (also) {
            blockBins(b.data, b.size, alsoLo, alsoInverse, also->bins, bins);
            int64_t* alsoCounts = p.alsoCounts.data();
            for (int64_t i = 0; i < b.size; ++i) ++alsoCounts[bins[i]];
        }
    });
    CentredSums out;
    for (const Partial& p : partial) {
        out.s2 += p.s2;
        out.s3 += p.s3;
        out.s4 += p.s4;
        for (std::size_t k = 0; k < p.counts.size(); ++k) row.counts[k] += static_cast<double>(p.counts[k]);
        for (std::size_t k = 0; k < p.alsoCounts.size(); ++k) also->counts[k] += static_cast<double>(p.alsoCounts[k]);
    }
    return out;
}

std::pair<double, double> signalAndNoise(const float* output, const float* reference, int64_t size) {
    std::vector<std::pair<double, double>> partial(static_cast<std::size_t>(at::get_num_threads()));
    at::parallel_for(0, (size + kBlock - 1) / kBlock, 8, [&](int64_t begin, int64_t end) {
        auto& p = partial[static_cast<std::size_t>(at::get_thread_num())];
        for (int64_t block = begin; block < end; ++block) {
            const int64_t from = block * kBlock, to = std::min(size, from + kBlock);
            float signal = 0, noise = 0;
            for (int64_t i = from; i < to; ++i) {
                const float r = reference[i], d = output[i] - r;
                signal += r * r;
                noise += d * d;
            }
            p.first += signal;
            p.second += noise;
        }
    });
    double signal = 0, noise = 0;
    for (const auto& p : partial) {
        signal += p.first;
        noise += p.second;
    }
    return {signal, noise};
}

}  // namespace dq::fast
