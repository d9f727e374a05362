#pragma once
// The evaluation suite: generate N samples (mixed classes, or cycled prompts
// for text-to-image pipelines, decoded by their VAE), embed them with the
// feature network and report FID, sFID, IS and class accuracy against the
// Fashion-MNIST test set, whose statistics are cached in the model folder.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/metrics/eval_partial.h"
#include "core/metrics/feature_net.h"
#include "core/metrics/fp_sample_cache.h"
#include "core/imaging/image_decoder.h"
#include "core/metrics/frechet.h"
#include "core/model/interceptor.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Denoiser;

struct ReferenceStats {
    GaussianStats pooled;
    GaussianStats spatial;
};

// Fits the statistics of a set of images in [-1,1].
ReferenceStats computeReferenceStats(FeatureNet& net, const torch::Tensor& images);

// Loads `<folder>/reference_stats.safetensors`, or computes the Fashion-MNIST
// test-set statistics and caches them there (atomically). `featureNetPath`
// is recorded in the file so that stale caches are recomputed.
ReferenceStats loadOrComputeTestStats(FeatureNet& net, const std::string& featureNetPath, const std::string& folder,
                                      const std::string& dataDir = {});

struct EvalSettings {
    int numSamples = 1000;
    int batchSize = 250;
    SampleRequest sampling;  // sampler, steps, eta, spacing, guidance, seed (batch/noise ignored)
    // When set, the model is evaluated with this interceptor (the quantized
    // model) and every batch is also sampled without it from the same noise and
    // classes, which adds FID-to-FP and the paired metrics.
    Interceptor* quantized = nullptr;
    // When set, FP batches (the FP pass of a quantized evaluation, or the
    // samples of a model evaluated without interceptor) are taken from this
    // cache where it has them, and stored in it where it does not.
    // `fpCacheSet` names the sample set (e.g. a prompt set's hash) within it.
    FpSampleCache* fpCache = nullptr;
    std::string fpCacheSet = "classes";
    // Sharding: only batches b with b % shardCount == shardIndex are sampled.
    int shardIndex = 0;
    int shardCount = 1;
    // Text-to-image pipelines: sample s is conditioned on prompt s mod P of
    // `prompts` (guided against its unconditional states) and asked for class
    // promptClasses[s mod P]; class accuracy is reported only when every
    // prompt names a class. `decode` turns samples into the images scored.
    PromptStates prompts;
    std::vector<int64_t> promptClasses;
    ImageDecoder decode;
    // The quantized model's own text encoder states and decoder, when a
    // pipeline's text encoder or VAE is quantized too (unset: as above).
    PromptStates quantizedPrompts;
    ImageDecoder quantizedDecode;
};

// Metrics of the quantized set against the full-precision one (QDiffBench).
struct FpComparison {
    double fidToFp = 0;
    double sfidToFp = 0;
    double mse = 0;   // paired, on [0,1] images, mean over the set
    double psnr = 0;  // dB, mean over images (capped at 100 for identical ones)
    double ssim = 0;  // mean over images
    double fpFid = 0;  // the FP set's own FID, for reference
    double fpClassAccuracy = -1;
};

struct EvalResult {
    double fid = 0;
    double sfid = 0;
    double isMean = 0;
    double isStd = 0;
    double classAccuracy = 0;  // share of samples classified as the requested class (−1: unconditional)
    int numSamples = 0;
    double samplingSeconds = 0;
    double totalSeconds = 0;
    torch::Tensor samples;  // [N,1,32,32] in [-1,1], CPU
    torch::Tensor labels;   // [N] requested classes (undefined for unconditional models)
    std::optional<FpComparison> fp;  // with EvalSettings::quantized
    torch::Tensor fpSamples;         // [N,1,32,32] FP samples from the same noise (with `quantized`)
};

// FID, sFID, IS and class accuracy of a given image set in [-1,1] (labels may be
// undefined). Used for generated sets and for the real-data floor.
EvalResult scoreImages(FeatureNet& net, const ReferenceStats& reference, const torch::Tensor& images,
                       const torch::Tensor& labels);

// Samples this shard's batches (seed + batch index) and accumulates their
// sums. `samples`/`fpSamples`, when given, receive the images of those batches
// in order (CPU, [-1,1]). The model's own interceptor is restored afterwards.
EvalPartial accumulateEvaluation(Denoiser& model, const SchedulerConfig& scheduler, FeatureNet& net,
                                 const EvalSettings& settings, const ProgressCallbacks& callbacks = {},
                                 std::vector<torch::Tensor>* samples = nullptr,
                                 std::vector<torch::Tensor>* fpSamples = nullptr,
                                 std::vector<torch::Tensor>* labels = nullptr);

// Samples in batches (seed + batch index), then computes every metric.
// Progress counts sampling steps over all batches (twice as many with
// `quantized`). The model's own interceptor is restored afterwards.
EvalResult evaluateModel(Denoiser& model, const SchedulerConfig& scheduler, FeatureNet& net,
                         const ReferenceStats& reference, const EvalSettings& settings,
                         const ProgressCallbacks& callbacks = {});

}  // namespace dq
