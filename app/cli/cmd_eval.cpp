// diffquant eval: FID, sFID, IS and class accuracy of a model's samples.
#include <chrono>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/engine/quant_session.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/metrics/evaluation.h"
#include "core/model/unet2d.h"
#include "core/io/fashion_mnist.h"
#include "core/runtime/device.h"

namespace dq::cli {

namespace {
struct EvalOptions {
    QuantModelOptions model;
    std::string features;
    std::string dataDir;
    SamplerOptions sampler;
    int num = 1000;
    int batch = 250;
    std::string json;
    bool realData = false;
};

std::string featureNetPath(const EvalOptions& o, const std::string& modelFolder) {
    return findFeatureNet(modelFolder, o.features);
}

void printTable(const EvalResult& r) {
    std::printf("%-16s %12s\n", "metric", "value");
    std::printf("%-16s %12.3f\n", "FID", r.fid);
    std::printf("%-16s %12.3f\n", "sFID", r.sfid);
    std::printf("%-16s %8.3f ± %.3f\n", "IS", r.isMean, r.isStd);
    if (r.classAccuracy >= 0) std::printf("%-16s %11.2f%%\n", "class accuracy", 100 * r.classAccuracy);
    if (r.fp) {
        std::printf("%-16s %12.3f\n", "FID to FP", r.fp->fidToFp);
        std::printf("%-16s %12.3f\n", "sFID to FP", r.fp->sfidToFp);
        std::printf("%-16s %12.2f\n", "PSNR vs FP (dB)", r.fp->psnr);
        std::printf("%-16s %12.4f\n", "SSIM vs FP", r.fp->ssim);
        std::printf("%-16s %12.6f\n", "MSE vs FP", r.fp->mse);
        std::printf("%-16s %12.3f\n", "FP FID", r.fp->fpFid);
    }
    std::printf("%-16s %12d\n", "samples", r.numSamples);
    std::printf("%-16s %12.1f\n", "wall time (s)", r.totalSeconds);
}

nlohmann::ordered_json metricsJson(const EvalResult& r) {
    auto optional = [](double v) { return v >= 0 ? nlohmann::json(v) : nlohmann::json(); };
    nlohmann::ordered_json m = {{"fid", r.fid},         {"sfid", r.sfid}, {"is_mean", r.isMean},
                                {"is_std", r.isStd},    {"class_accuracy", optional(r.classAccuracy)}};
    if (r.fp) {
        m["fid_to_fp"] = r.fp->fidToFp;
        m["sfid_to_fp"] = r.fp->sfidToFp;
        m["psnr_vs_fp"] = r.fp->psnr;
        m["ssim_vs_fp"] = r.fp->ssim;
        m["mse_vs_fp"] = r.fp->mse;
        m["fp_fid"] = r.fp->fpFid;
        m["fp_class_accuracy"] = optional(r.fp->fpClassAccuracy);
    }
    return m;
}

// The real-data floor: the Fashion-MNIST training set scored against the
// test-set statistics, i.e. the best FID a perfect generator could reach.
void runRealData(const EvalOptions& o) {
    const std::string folder = o.model.model.resolvedFolder();
    const torch::Device device = selectDevice(o.model.model.device);
    const std::string featuresPath = featureNetPath(o, folder);
    FeatureNet net = loadFeatureNet(featuresPath, device);
    const ReferenceStats reference = loadOrComputeTestStats(net, featuresPath, folder, o.dataDir);
    const auto start = std::chrono::steady_clock::now();
    ImageDataset train = loadFashionMnist(DatasetSplit::Train, o.dataDir, true);
    EvalResult r = scoreImages(net, reference, train.images, train.labels);
    r.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("Real-data floor: Fashion-MNIST train (%d images) vs test statistics\n", r.numSamples);
    printTable(r);
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["feature_net"] = featuresPath;
        j["settings"] = {{"real_data", "fashion-mnist train"}, {"num_samples", r.numSamples}};
        j["metrics"] = metricsJson(r);
        j["wall_time_s"] = r.totalSeconds;
        writeTextFileAtomically(o.json, j.dump(2) + "\n");
        spdlog::info("Wrote '{}'", o.json);
    }
}

void run(const EvalOptions& o) {
    if (o.realData) return runRealData(o);
    ModelSession session = o.model.load();
    const std::string folder = session.folder;
    LoadedModel& loaded = session.loaded;
    const std::string featuresPath = featureNetPath(o, folder);
    FeatureNet net = loadFeatureNet(featuresPath, loaded.unet.device());
    const ReferenceStats reference = loadOrComputeTestStats(net, featuresPath, folder, o.dataDir);

    EvalSettings settings;
    settings.numSamples = o.num;
    settings.batchSize = o.batch;
    settings.sampling = o.sampler.toRequest(loaded.scheduler);
    settings.quantized = session.quantized.get();
    ProgressBar bar("eval");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    const EvalResult r = evaluateModel(loaded.unet, loaded.scheduler, net, reference, settings, callbacks);
    printTable(r);

    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["model"] = folder;
        if (session.quantized) j["quantized_model"] = o.model.quant;
        j["feature_net"] = featuresPath;
        const SamplerOptions& s = o.sampler;
        j["settings"] = {{"num_samples", o.num}, {"scheduler", s.scheduler},
                         {"spacing", spacingName(settings.sampling.spacing)}, {"steps", s.steps}, {"eta", s.eta},
                         {"guidance", s.guidance}, {"seed", s.seed}, {"device", loaded.unet.device().str()}};
        j["metrics"] = metricsJson(r);
        j["wall_time_s"] = r.totalSeconds;
        j["sampling_time_s"] = r.samplingSeconds;
        writeTextFileAtomically(o.json, j.dump(2) + "\n");
        spdlog::info("Wrote '{}'", o.json);
    }
}
}  // namespace

void addEvalCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("eval", "Measure FID, sFID, IS and class accuracy of a model's samples");
    auto o = std::make_shared<EvalOptions>();
    o->model.add(*cmd);
    cmd->add_option("--features", o->features, "feature network (default: feature_net.safetensors beside the model)");
    cmd->add_option("--data-dir", o->dataDir, "Fashion-MNIST folder for the reference statistics");
    o->sampler.add(*cmd);
    cmd->add_option("--num", o->num, "number of samples")->check(CLI::Range(10, 1000000));
    cmd->add_option("--batch", o->batch, "samples per batch")->check(CLI::PositiveNumber);
    cmd->add_option("--json", o->json, "write every metric, the settings and the wall time as JSON");
    cmd->add_flag("--real-data", o->realData,
                  "score the Fashion-MNIST training set instead of samples (the real-data floor)");
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
