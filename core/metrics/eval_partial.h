#pragma once
// An evaluation as sums: everything FID, sFID, IS, class accuracy, FID-to-FP
// and the paired metrics need, accumulated batch by batch. Shards of one run
// (`diffquant eval --shard K/N`) each write one; merged, they give the
// metrics one unsharded run gives, to floating-point tolerance, because the
// unsharded run goes through the same sums.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <torch/types.h>

#include "core/metrics/feature_net.h"
#include "core/metrics/frechet.h"

namespace dq {

struct EvalResult;
struct ReferenceStats;
struct PairedMetrics;

// Count, sum and sum of outer products of feature vectors, in float64.
struct FeatureMoments {
    int64_t count = 0;
    torch::Tensor sum;    // [D]
    torch::Tensor outer;  // [D,D]

    void add(const torch::Tensor& features);  // [N,D]
    void merge(const FeatureMoments& other);
    GaussianStats gaussian() const;           // unbiased covariance (N - 1), like fitGaussian
};

struct EvalPartial {
    // The run this belongs to. Shards merge only when all of these agree.
    std::map<std::string, std::string> identity;  // settings, model and feature-network hashes
    int64_t totalSamples = 0;                     // of the whole run: IS splits depend on it
    int batchSize = 0;
    std::set<int> batches;                        // batch indices accumulated here
    std::set<std::string> shards;                 // "K/N" of the shards merged here
    double samplingSeconds = 0;                   // time in the sampler (not saved)

    FeatureMoments pooled, spatial;
    // Inception Score per split s (global sample index in [n*s/S, n*(s+1)/S)):
    torch::Tensor splitCount;    // [S] int64
    torch::Tensor splitProbSum;  // [S,K] sum of p(y|x)
    torch::Tensor splitPLogP;    // [S] sum of p log p
    int64_t labelled = 0, correct = 0;

    // Against the full-precision samples from the same noise (quantized runs).
    bool hasFp = false;
    FeatureMoments fpPooled, fpSpatial;
    int64_t fpCorrect = 0;
    double mseSum = 0, psnrSum = 0, ssimSum = 0;  // per-image means times images

    int isSplits() const { return static_cast<int>(std::min<int64_t>(10, totalSamples / 10)); }
    int expectedBatches() const { return static_cast<int>((totalSamples + batchSize - 1) / batchSize); }
    int64_t samples() const { return pooled.count; }

    // Adds batch `index`, whose first sample has global index index*batchSize.
    // `labels` may be undefined (unconditional); `fp`/`paired` only for
    // quantized runs.
    void addBatch(int index, const FeatureOutputs& features, const torch::Tensor& labels,
                  const FeatureOutputs* fp = nullptr, const PairedMetrics* paired = nullptr);

    // Adds another shard of the same run; throws dq::Error naming `what` when
    // the runs differ or a batch is present in both.
    void merge(const EvalPartial& other, const std::string& what);

    // The metrics; throws unless every batch of the run is present.
    EvalResult finish(const ReferenceStats& reference) const;

    void save(const std::string& path) const;
    static EvalPartial load(const std::string& path);
};

}  // namespace dq
