// diffquant calibrate: FP model + plan + calibration data → quantized-model artifact.
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/quant/calibrator.h"
#include "core/quant/quant_artifact.h"

namespace dq::cli {

namespace {

struct CalibrateOptions {
    ModelOptions model;
    SamplerOptions sampler;
    std::string preset = "W8A8";
    std::string planPath;
    std::string method = "minmax";
    std::string timesteps = "uniform";
    int caliSteps = 20;
    int caliSamples = 256;
    double normalMean = 0.4;
    double normalStd = 0.4;
    bool split = false;
    int softmaxBits = 0;
    std::string firstLast = "same";
    bool perStep = false;
    double relaxFraction = 0;
    int relaxBits = 10;
    std::string relaxAt = "last";
    double percentile = 99.99;
    int batch = 128;
    std::string caliData;
    std::string savePlan;
    std::string out;
};

FirstLastPolicy parseFirstLast(const std::string& value) {
    if (value == "8") return FirstLastPolicy::EightBit;
    if (value == "fp") return FirstLastPolicy::FullPrecision;
    return FirstLastPolicy::SameAsRest;
}

// Reuses --cali-data when it was collected with the same settings for the
// same weights; otherwise collects and (when a path is given) stores it.
CalibrationData calibrationData(const CalibrateOptions& o, LoadedModel& loaded, const std::string& stamp,
                                const CalibrationDataSettings& settings) {
    if (!o.caliData.empty() && std::filesystem::exists(o.caliData)) {
        CalibrationData data = CalibrationData::load(o.caliData);
        if (data.settings == settings.describe() && data.modelStamp == stamp) {
            spdlog::info("Reusing calibration data '{}' ({} samples)", o.caliData, data.size());
            return data;
        }
        spdlog::info("'{}' was collected with other settings or weights; collecting again", o.caliData);
    }
    ProgressBar bar("calibration data");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    CalibrationData data = collectCalibrationData(loaded.unet, loaded.scheduler, settings, callbacks);
    data.modelStamp = stamp;
    if (!o.caliData.empty()) {
        data.save(o.caliData);
        spdlog::info("Saved calibration data to '{}'", o.caliData);
    }
    return data;
}

void run(const CalibrateOptions& o) {
    const std::string folder = o.model.resolvedFolder();
    LoadedModel loaded = o.model.load();
    const std::string stamp = fileStamp(folder + "/diffusion_pytorch_model.safetensors");

    QuantPlan plan;
    if (!o.planPath.empty()) {
        plan = QuantPlan::fromJson(readTextFile(o.planPath), o.planPath);
        plan.validateAgainst(loaded.unet.sites(), o.planPath);
    } else {
        PresetOptions preset;
        preset.rangeMethod = parseRangeMethod(o.method);
        preset.splitShortcuts = o.split;
        preset.softmaxBits = o.softmaxBits;
        preset.firstLast = parseFirstLast(o.firstLast);
        preset.perStepActivation = o.perStep;
        plan = makePresetPlan(o.preset, loaded.unet.sites(), preset);
        relaxActivations(plan, o.sampler.steps, o.relaxFraction, o.relaxBits, o.relaxAt == "last");
    }
    if (!o.savePlan.empty()) writeTextFileAtomically(o.savePlan, plan.toJson());

    CalibrationDataSettings settings;
    settings.selection = parseTimestepSelection(o.timesteps);
    settings.steps = o.caliSteps;
    settings.samples = o.caliSamples;
    settings.normalMean = o.normalMean;
    settings.normalStd = o.normalStd;
    settings.trajectory = o.sampler.toRequest(loaded.scheduler);
    const auto start = std::chrono::steady_clock::now();
    CalibrationData data = calibrationData(o, loaded, stamp, settings);

    CalibrationOptions options;
    options.batchSize = o.batch;
    options.percentile = o.percentile;
    ProgressBar bar("calibrating");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    QuantizedUNet quantized = calibrate(loaded.unet, plan, data, options, callbacks);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    nlohmann::ordered_json calibration = nlohmann::ordered_json::parse(settings.describe());
    calibration["pairs"] = data.size();
    calibration["with_null_class"] = data.withNullClass;
    calibration["percentile"] = o.percentile;
    calibration["seconds"] = seconds;
    const ArtifactSizes sizes = saveQuantizedModel(o.out, quantized, folder, calibration.dump());
    spdlog::info("Calibrated {} ({} ranges) on {} (x_t, t) pairs in {:.1f} s", plan.preset,
                 plan.sites.empty() ? "no" : rangeMethodName(plan.sites.front().second.rangeMethod), data.size(), seconds);
    spdlog::info("Wrote '{}': {:.1f} KiB on disk, {:.1f}x smaller than the FP weights ({:.1f} KiB)", o.out,
                 sizes.artifactBytes / 1024.0, static_cast<double>(sizes.fpWeightsBytes) / std::max<uint64_t>(1, sizes.artifactBytes),
                 sizes.fpWeightsBytes / 1024.0);
}

}  // namespace

void addCalibrateCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("calibrate", "Quantize a model under a plan and calibrate it on its own sampling trajectory");
    auto o = std::make_shared<CalibrateOptions>();
    o->model.add(*cmd);
    o->sampler.add(*cmd);
    cmd->add_option("--preset", o->preset, "W8A8, W4A8, W4A16, W8A16 or FP")
        ->check(CLI::IsMember({"FP", "W8A8", "W4A8", "W4A16", "W8A16"}));
    cmd->add_option("--plan", o->planPath, "quantization plan JSON (overrides --preset and its options)");
    cmd->add_option("--method", o->method, "range method: minmax, mse, percentile or running")
        ->check(CLI::IsMember({"minmax", "mse", "percentile", "running"}));
    cmd->add_option("--timesteps", o->timesteps, "calibration timesteps: uniform (Q-Diffusion) or normal (PTQ4DM)")
        ->check(CLI::IsMember({"uniform", "normal"}));
    cmd->add_option("--cali-st", o->caliSteps, "timesteps per trajectory")->check(CLI::PositiveNumber);
    cmd->add_option("--cali-n", o->caliSamples, "trajectories (samples)")->check(CLI::PositiveNumber);
    cmd->add_option("--normal-mean", o->normalMean, "NDTC mean as a fraction of T");
    cmd->add_option("--normal-std", o->normalStd, "NDTC std as a fraction of T")->check(CLI::PositiveNumber);
    cmd->add_flag("--split", o->split, "split shortcut quantization of the decoder's cat(h, skip) inputs");
    cmd->add_option("--softmax-bits", o->softmaxBits, "width of the attention probabilities (default: activation width)")
        ->check(CLI::Range(2, 16));
    cmd->add_option("--first-last", o->firstLast, "conv_in/conv_out: same, 8 or fp")->check(CLI::IsMember({"same", "8", "fp"}));
    cmd->add_flag("--per-step", o->perStep, "one activation grid per sampling step (PCR)");
    cmd->add_option("--relax-fraction", o->relaxFraction, "PCR activation relaxing: fraction of steps with wider activations")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--relax-bits", o->relaxBits, "activation width on relaxed steps")->check(CLI::Range(2, 16));
    cmd->add_option("--relax-at", o->relaxAt, "relax the first or last steps")->check(CLI::IsMember({"first", "last"}));
    cmd->add_option("--percentile", o->percentile, "percentile range method: clip at this percentile")
        ->check(CLI::Range(50.0, 100.0));
    cmd->add_option("--batch", o->batch, "calibration batch size")->check(CLI::PositiveNumber);
    cmd->add_option("--cali-data", o->caliData, "calibration data file: reused when it matches, else written");
    cmd->add_option("--save-plan", o->savePlan, "also write the plan as JSON");
    cmd->add_option("--out", o->out, "artifact folder to write")->required();
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
