#include "core/metrics/evaluation.h"

#include <chrono>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/file_stamp.h"
#include "core/imaging/image_grid.h"
#include "core/io/safetensors.h"
#include "core/metrics/image_quality.h"
#include "core/model/unet2d.h"

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
// Restores the model's interceptor however evaluation ends.
struct InterceptorRestore {
    UNet2DModel& model;
    Interceptor* saved;
    ~InterceptorRestore() { model.setInterceptor(saved); }
};
}  // namespace

EvalResult evaluateModel(UNet2DModel& model, const SchedulerConfig& scheduler, FeatureNet& net,
                         const ReferenceStats& reference, const EvalSettings& settings,
                         const ProgressCallbacks& callbacks) {
    if (settings.numSamples < 10) throw Error("Evaluation needs at least 10 samples (--num).");
    const auto start = std::chrono::steady_clock::now();
    const int batches = (settings.numSamples + settings.batchSize - 1) / settings.batchSize;
    const int passes = settings.quantized ? 2 : 1;
    const int classes = realClassCount(model);
    InterceptorRestore restore{model, model.interceptor()};
    std::vector<torch::Tensor> samples, fpSamples, labels;
    for (int b = 0; b < batches; ++b) {
        const int first = b * settings.batchSize;
        const int count = std::min(settings.batchSize, settings.numSamples - first);
        const SampleRequest request = batchRequest(settings.sampling, first, count, b, classes);
        for (int pass = 0; pass < passes; ++pass) {
            const bool fpPass = settings.quantized && pass == 0;
            model.setInterceptor(fpPass ? nullptr : (settings.quantized ? settings.quantized : restore.saved));
            SampleCallbacks perBatch;
            perBatch.cancelled = callbacks.cancelled;
            perBatch.progress = [&](int step, int total) {
                callbacks.report((b * passes + pass) * total + step, batches * passes * total);
            };
            SampleResult r = runSampler(model, scheduler, request, perBatch);
            (fpPass ? fpSamples : samples).push_back(r.samples.to(torch::kCPU).clamp(-1, 1));
            if (!fpPass && r.classLabels.defined()) labels.push_back(r.classLabels);
        }
    }
    const double samplingSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    torch::Tensor all = torch::cat(samples);
    torch::Tensor allLabels = labels.empty() ? torch::Tensor() : torch::cat(labels);
    EvalResult result = scoreImages(net, reference, all, allLabels);
    result.samples = all;
    result.labels = allLabels;
    result.samplingSeconds = samplingSeconds;

    if (settings.quantized) {
        result.fpSamples = torch::cat(fpSamples);
        FpComparison c;
        const EvalResult fp = scoreImages(net, reference, result.fpSamples, allLabels);
        c.fpFid = fp.fid;
        c.fpClassAccuracy = fp.classAccuracy;
        const FeatureOutputs fq = extractFeatures(net, all);
        const FeatureOutputs ff = extractFeatures(net, result.fpSamples);
        c.fidToFp = frechetDistance(fitGaussian(fq.pooled), fitGaussian(ff.pooled));
        c.sfidToFp = frechetDistance(fitGaussian(fq.spatial), fitGaussian(ff.spatial));
        const PairedMetrics paired = pairedMetrics(toUnitRange(all), toUnitRange(result.fpSamples));
        c.mse = paired.mse;
        c.psnr = paired.psnr;
        c.ssim = paired.ssim;
        result.fp = c;
    }
    result.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace dq
