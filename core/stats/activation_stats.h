#pragma once
// Per-site, per-sampling-step statistics collected while sampling, without
// keeping activations: histograms, moments, extremes, percentiles, Sarle's
// bimodality coefficient (per half for cat(h, skip) inputs), and, when a
// quantizer is installed, the SQNR of each site's output against the FP output
// of the same input.
//
// Histograms have a fixed number of bins per site, shared by all steps so
// they line up. The range is set by the first batch the site sees and grows
// adaptively: whenever a value falls outside, the range doubles towards it and
// neighbouring bins merge pairwise, so no count is ever lost or re-binned
// approximately (bin edges stay aligned with the old ones).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/model/interceptor.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Denoiser;

// Summary of one quantity at one step.
struct MomentSummary {
    double count = 0;
    double min = 0, max = 0, mean = 0, std = 0;
    double skewness = 0, kurtosis = 0;  // kurtosis: excess (0 for a Gaussian)
    double bimodality = 0;              // Sarle's b = (γ² + 1) / (κ + 3(n−1)²/((n−2)(n−3)))
};

// The statistics of one activation quantity (a site's input, or one half).
struct PartStatistics {
    std::string label;  // "input", "h" or "skip"
    double histLo = 0, binWidth = 0;
    int bins = 0;
    torch::Tensor counts;  // [steps, bins] int64
    std::vector<MomentSummary> steps;
    std::vector<std::vector<double>> percentiles;  // [steps][kPercentiles]
};

struct SiteStatistics {
    std::string name;
    std::string kind;
    int64_t split = 0;
    std::vector<PartStatistics> parts;  // 1, or 3 for split sites: whole input, h, skip
    std::vector<double> sqnrDb;         // [steps]; empty without a quantizer
};

struct WeightStatistics {
    std::string name;
    torch::Tensor channelRanges;  // [out, 2] (min, max) float32
    torch::Tensor histogram;      // [bins] int64
    double lo = 0, hi = 0;
};

struct ModelStatistics {
    std::vector<int64_t> timesteps;  // sampler timesteps, in step order
    std::vector<SiteStatistics> sites;
    std::vector<WeightStatistics> weights;
    std::string settings;  // JSON of the sampling settings
    bool quantized = false;
    int64_t bytesHeld = 0;  // memory the collector used for the statistics
};

// The moments of the values of several chunks, merged chunk by chunk as the
// collector does (exposed for tests and tools).
MomentSummary summarizeMoments(const std::vector<torch::Tensor>& chunks);

// Percentiles reported per step (percent).
inline const std::vector<double>& reportedPercentiles() {
    static const std::vector<double> p{0.1, 1, 50, 99, 99.9};
    return p;
}

struct StatsSettings {
    int bins = 128;
    SampleRequest sampling;
};

// Samples with the collector installed (wrapping `quantizer`, if any) and
// returns everything. Throws dq::Cancelled.
ModelStatistics collectStatistics(Denoiser& model, const SchedulerConfig& scheduler, const StatsSettings& settings,
                                  Interceptor* quantizer = nullptr, const ProgressCallbacks& callbacks = {});

// Per-channel ranges and a histogram of every Conv2d/Linear weight (the
// effective, possibly quantized weight when `quantizer` is given).
std::vector<WeightStatistics> collectWeightStatistics(const Denoiser& model, int bins,
                                                      Interceptor* quantizer = nullptr);

// stats.json (layout, scalars) + stats.safetensors (histograms, ranges) in `folder`.
void saveStatistics(const std::string& folder, const ModelStatistics& stats);
ModelStatistics loadStatistics(const std::string& folder);

}  // namespace dq
