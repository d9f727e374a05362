#include "core/metrics/evaluation.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/file_stamp.h"
#include "core/imaging/image_grid.h"
#include "core/io/safetensors.h"
#include "core/metrics/image_quality.h"
#include "core/model/denoiser.h"

namespace dq {

namespace fs = std::filesystem;

ReferenceStats computeReferenceStats(FeatureNet& net, const torch::Tensor& images) {
    FeatureOutputs f = extractFeatures(net, images);
    return {fitGaussian(f.pooled), fitGaussian(f.spatial)};
}

namespace {
constexpr const char* kStatsFile = "reference_stats.safetensors";

}  // namespace

ReferenceStats loadOrComputeTestStats(FeatureNet& net, const std::string& featureNetPath, const std::string& folder,
                                      const std::string& dataDir) {
    const std::string path = folder + "/" + kStatsFile;
    const std::string stamp = fileStamp(featureNetPath);
    if (fs::exists(path)) {
        TensorFile file = loadSafetensors(path);
        auto it = file.metadata.find("feature_net");
        if (it != file.metadata.end() && it->second == stamp) {
            ReferenceStats s;
            auto f64 = [&](const char* key) { return file.at(key, path).to(torch::kFloat64); };
            s.pooled = {f64("pooled_mean"), f64("pooled_cov"), 10000};
            s.spatial = {f64("spatial_mean"), f64("spatial_cov"), 10000};
            return s;
        }
        spdlog::info("'{}' was made with another feature network; recomputing", path);
    }
    spdlog::info("Computing Fashion-MNIST test-set feature statistics (cached in '{}')", path);
    ImageDataset test = loadFashionMnist(DatasetSplit::Test, dataDir, true);
    ReferenceStats s = computeReferenceStats(net, test.images);
    try {
        saveSafetensors(path,
                        // float32 halves the file shipped beside the model; FID math stays in float64.
                        {{"pooled_mean", s.pooled.mean.cpu().to(torch::kFloat32)},
                         {"pooled_cov", s.pooled.cov.cpu().to(torch::kFloat32)},
                         {"spatial_mean", s.spatial.mean.cpu().to(torch::kFloat32)},
                         {"spatial_cov", s.spatial.cov.cpu().to(torch::kFloat32)}},
                        {{"feature_net", stamp}, {"data", "fashion-mnist t10k, padded to 32x32"}});
    } catch (const Error& e) {
        spdlog::warn("Could not cache the reference statistics: {}", e.what());  // read-only install: fine
    }
    return s;
}

EvalResult scoreImages(FeatureNet& net, const ReferenceStats& reference, const torch::Tensor& images,
                       const torch::Tensor& labels) {
    if (images.size(0) < 10) throw Error("Scoring needs at least 10 images.");
    EvalResult result;
    result.numSamples = static_cast<int>(images.size(0));
    FeatureOutputs f = extractFeatures(net, images);
    result.fid = frechetDistance(fitGaussian(f.pooled), reference.pooled);
    result.sfid = frechetDistance(fitGaussian(f.spatial), reference.spatial);
    InceptionScore is = inceptionScore(f.probs, std::min<int>(10, result.numSamples / 10));
    result.isMean = is.mean;
    result.isStd = is.std;
    result.classAccuracy = labels.defined()
        ? f.probs.argmax(1).cpu().eq(labels.cpu()).to(torch::kFloat64).mean().item<double>()
        : -1.0;
    return result;
}

namespace {
// The feature network is Fashion-MNIST's: it scores 1×32×32 images only.
void requireFeatureNetShape(const torch::Tensor& images) {
    if (images.dim() == 4 && images.size(1) == 1 && images.size(2) == 32 && images.size(3) == 32) return;
    const auto sizes = images.sizes();
    std::string shape;
    for (std::size_t i = 1; i < sizes.size(); ++i) shape += (i > 1 ? "x" : "") + std::to_string(sizes[i]);
    throw Error("This model makes " + shape + " images, but FID, IS and class accuracy here are measured with the "
                "Fashion-MNIST feature network, which scores 1x32x32 images only; compare FP and quantized images "
                "with `diffquant sample --quant --compare` instead.");
}

// Restores the model's interceptor however evaluation ends.
struct InterceptorRestore {
    Denoiser& model;
    Interceptor* saved;
    ~InterceptorRestore() { model.setInterceptor(saved); }
};
}  // namespace

EvalPartial accumulateEvaluation(Denoiser& model, const SchedulerConfig& scheduler, FeatureNet& net,
                                 const EvalSettings& settings, const ProgressCallbacks& callbacks,
                                 std::vector<torch::Tensor>* samples, std::vector<torch::Tensor>* fpSamples,
                                 std::vector<torch::Tensor>* labels) {
    if (settings.numSamples < 10) throw Error("Evaluation needs at least 10 samples (--num).");
    if (settings.batchSize < 1) throw Error("Evaluation needs a batch size of at least 1 (--batch).");
    if (settings.shardCount < 1 || settings.shardIndex < 0 || settings.shardIndex >= settings.shardCount)
        throw Error("Shard " + std::to_string(settings.shardIndex) + "/" + std::to_string(settings.shardCount) +
                    " does not exist; use K/N with 0 <= K < N.");
    const int batches = (settings.numSamples + settings.batchSize - 1) / settings.batchSize;
    std::vector<int> mine;
    for (int b = settings.shardIndex; b < batches; b += settings.shardCount) mine.push_back(b);
    if (mine.empty())
        throw Error("Shard " + std::to_string(settings.shardIndex) + "/" + std::to_string(settings.shardCount) +
                    " has no batch: " + std::to_string(settings.numSamples) + " samples in batches of " +
                    std::to_string(settings.batchSize) + " make only " + std::to_string(batches) +
                    " batches; use at most that many shards or a smaller --batch.");
    const int passes = settings.quantized ? 2 : 1;
    const int classes = realClassCount(model);
    const bool promptDriven = settings.prompts.prompts.defined();
    torch::Tensor promptLabels;  // [P] the class each prompt names, when all name one
    if (promptDriven && !settings.promptClasses.empty()) {
        if (static_cast<int64_t>(settings.promptClasses.size()) != settings.prompts.prompts.size(0))
            throw Error("Evaluation got " + std::to_string(settings.promptClasses.size()) + " prompt classes for " +
                        std::to_string(settings.prompts.prompts.size(0)) + " prompts.");
        if (std::all_of(settings.promptClasses.begin(), settings.promptClasses.end(), [](int64_t c) { return c >= 0; }))
            promptLabels = torch::tensor(settings.promptClasses, torch::kInt64);
    }
    InterceptorRestore restore{model, model.interceptor()};
    {
        // Before any sampling: does this model make images the feature network can score?
        torch::NoGradGuard noGrad;
        const torch::Tensor probe = makeInitialNoise(model, 1, 0).to(model.device());
        requireFeatureNetShape(settings.decode ? settings.decode(probe) : probe);
    }

    EvalPartial partial;
    partial.totalSamples = settings.numSamples;
    partial.batchSize = settings.batchSize;
    if (settings.shardCount > 1)
        partial.shards.insert(std::to_string(settings.shardIndex) + "/" + std::to_string(settings.shardCount));
    const int total = static_cast<int>(mine.size()) * passes;
    for (std::size_t k = 0; k < mine.size(); ++k) {
        const int b = mine[k];
        const int first = b * settings.batchSize;
        const int count = std::min(settings.batchSize, settings.numSamples - first);
        const SampleRequest base = batchRequest(settings.sampling, first, count, b, promptDriven ? 0 : classes);
        SampleRequest request = base;
        torch::Tensor quantized, fp, batchLabels;
        if (promptDriven) {
            request = withPrompts(base, settings.prompts, first, count);
            if (promptLabels.defined())
                batchLabels = promptLabels.index_select(
                    0, torch::arange(first, first + count, torch::kInt64).remainder(promptLabels.size(0)));
        }
        for (int pass = 0; pass < passes; ++pass) {
            const bool fpPass = settings.quantized && pass == 0;
            // This pass makes FP images: the FP pass of a comparison, or a model run without interceptor.
            const bool makesFp = fpPass || (!settings.quantized && restore.saved == nullptr);
            if (makesFp && settings.fpCache) {
                const CachedFpBatch cached = settings.fpCache->find(settings.fpCacheSet, b, count);
                if (cached.images.defined()) {
                    (fpPass ? fp : quantized) = cached.images;
                    if (!fpPass && cached.labels.defined()) batchLabels = cached.labels;
                    continue;
                }
            }
            model.setInterceptor(fpPass ? nullptr : (settings.quantized ? settings.quantized : restore.saved));
            SampleCallbacks perBatch;
            perBatch.cancelled = callbacks.cancelled;
            const int done = static_cast<int>(k) * passes + pass;
            perBatch.progress = [&](int step, int steps) { callbacks.report(done * steps + step, total * steps); };
            const auto sampleStart = std::chrono::steady_clock::now();
            // A quantized text encoder and VAE serve the quantized pass only.
            const bool ownPrompts = !fpPass && settings.quantizedPrompts.prompts.defined();
            SampleResult r = runSampler(model, scheduler,
                                        ownPrompts ? withPrompts(base, settings.quantizedPrompts, first, count) : request,
                                        perBatch);
            partial.samplingSeconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - sampleStart).count();
            const ImageDecoder& decode = !fpPass && settings.quantizedDecode ? settings.quantizedDecode : settings.decode;
            const torch::Tensor images = decode ? decode(r.samples) : r.samples;
            (fpPass ? fp : quantized) = images.to(torch::kCPU).clamp(-1, 1);
            if (!fpPass && r.classLabels.defined()) batchLabels = r.classLabels.to(torch::kCPU);
            if (makesFp && settings.fpCache)
                settings.fpCache->add(settings.fpCacheSet, b,
                                      {fpPass ? fp : quantized, r.classLabels.defined() ? r.classLabels : torch::Tensor()});
        }
        requireFeatureNetShape(quantized);
        const FeatureOutputs features = extractFeatures(net, quantized);
        if (settings.quantized) {
            const FeatureOutputs fpFeatures = extractFeatures(net, fp);
            const PairedMetrics paired = pairedMetrics(toUnitRange(quantized), toUnitRange(fp));
            partial.addBatch(b, features, batchLabels, &fpFeatures, &paired);
        } else {
            partial.addBatch(b, features, batchLabels);
        }
        if (samples) samples->push_back(quantized);
        if (fpSamples && fp.defined()) fpSamples->push_back(fp);
        if (labels && batchLabels.defined()) labels->push_back(batchLabels);
    }
    return partial;
}

EvalResult evaluateModel(Denoiser& model, const SchedulerConfig& scheduler, FeatureNet& net,
                         const ReferenceStats& reference, const EvalSettings& settings,
                         const ProgressCallbacks& callbacks) {
    const auto start = std::chrono::steady_clock::now();
    EvalSettings whole = settings;
    whole.shardIndex = 0;
    whole.shardCount = 1;
    std::vector<torch::Tensor> samples, fpSamples, labels;
    const EvalPartial partial = accumulateEvaluation(model, scheduler, net, whole, callbacks, &samples, &fpSamples, &labels);
    EvalResult result = partial.finish(reference);
    result.samples = torch::cat(samples);
    result.labels = labels.empty() ? torch::Tensor() : torch::cat(labels);
    if (!fpSamples.empty()) result.fpSamples = torch::cat(fpSamples);
    result.samplingSeconds = partial.samplingSeconds;
    result.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace dq
