#include "core/engine/quant_session.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/output_set.h"
#include "core/io/file_stamp.h"
#include "core/model/denoiser.h"
#include "core/model/model_folder.h"
#include "core/quant/preset_defaults.h"
#include "core/quant/progressive_calibration.h"
#include "core/runtime/device.h"

namespace dq {

QuantSession::QuantSession() = default;
QuantSession::~QuantSession() = default;

void QuantSession::openModel(const std::string& folder, const std::string& device) {
    // Parameters must be normal tensors (not inference tensors) so that
    // reconstruction can learn through the network later, whatever mode the
    // caller is in.
    c10::InferenceMode normalTensors(false);
    DiffusionPipeline loaded = DiffusionPipeline::load(folder);
    loaded.to(selectDevice(device.empty() ? "auto" : device));
    const std::string stamp = fileStamp(loaded.denoiserWeightsFile());
    // Calibration data of a pipeline holds text-encoder states too: the text
    // encoder's weights must match for the data to be reused.
    const std::string dataStamp =
        loaded.isTextToImage() ? stamp + "+" + fileStamp(folder + "/text_encoder/model.safetensors") : stamp;
    // Nothing can fail from here on.
    model_.emplace(std::move(loaded));
    folder_ = folder;
    weightsStamp_ = stamp;
    dataStamp_ = dataStamp;
    dataCache_.reset();
    quantized_.reset();
    calibrationRecord_.clear();
    spdlog::info("Loaded '{}' ({:.2f} M denoiser parameters) on {}", folder,
                 model_->denoiser().parameterCount() / 1e6, model_->denoiser().device().str());
}

DiffusionPipeline& QuantSession::model() {
    if (!model_) throw Error("Open a model first.");
    return *model_;
}

const DiffusionPipeline& QuantSession::model() const {
    if (!model_) throw Error("Open a model first.");
    return *model_;
}

QuantPlan QuantSession::makePlan(const PlanRecipe& recipe, int samplingSteps) const {
    if (!model_) throw Error("Open a model before making a quantization plan.");
    const PresetOptions options = presetOptionsForModel(recipe.options, model_->isTextToImage());
    QuantPlan plan = makePresetPlan(recipe.preset, model_->denoiser().sites(), options);
    relaxActivations(plan, samplingSteps, recipe.relaxFraction, recipe.relaxBits, recipe.relaxLastSteps);
    return plan;
}

PromptStates QuantSession::promptStates(const CalibrationDataSettings& settings) const {
    const DiffusionPipeline& m = model();
    if (!m.isTextToImage()) {
        if (!settings.prompts.empty())
            throw Error("Calibration prompts are for text-to-image pipelines; '" + folder_ + "' is conditioned on " +
                        (m.denoiser().conditioningSpec().kind == ConditioningKind::ClassLabels ? "classes." : "nothing."));
        return {};
    }
    if (settings.prompts.empty())
        throw Error("A text-to-image pipeline is calibrated from prompts; give calibration prompts (--prompt or "
                    "--prompts-file).");
    return m.encodePrompts(settings.prompts, settings.negativePrompt, settings.clipSkip);
}

const CalibrationData& QuantSession::calibrationData(const CalibrationDataSettings& settings, const std::string& file,
                                                     const ProgressCallbacks& callbacks, bool* reused) {
    DiffusionPipeline& m = model();
    const std::string wanted = settings.describe();
    if (reused) *reused = true;
    if (dataCache_ && dataCache_->settings == wanted && dataCache_->modelStamp == dataStamp_) {
        spdlog::info("Reusing the calibration data in memory ({} (x_t, t) pairs)", dataCache_->size());
        if (!file.empty() && !std::filesystem::exists(file)) dataCache_->save(file);
        return *dataCache_;
    }
    if (!file.empty() && std::filesystem::exists(file)) {
        CalibrationData data = CalibrationData::load(file);
        if (data.settings == wanted && data.modelStamp == dataStamp_) {
            spdlog::info("Reusing calibration data '{}' ({} samples)", file, data.size());
            dataCache_.emplace(std::move(data));
            return *dataCache_;
        }
        spdlog::info("'{}' was collected with other settings or weights; collecting again", file);
    }
    if (reused) *reused = false;
    callbacks.beginStage("calibration-data");
    const PromptStates prompts = promptStates(settings);
    CalibrationData data = collectCalibrationData(m.denoiser(), m.scheduler(), settings, callbacks,
                                                  m.isTextToImage() ? &prompts : nullptr);
    data.modelStamp = dataStamp_;
    if (!file.empty()) {
        data.save(file);
        spdlog::info("Saved calibration data to '{}'", file);
    }
    dataCache_.emplace(std::move(data));
    return *dataCache_;
}

namespace {
// Releases a session's quantized model's dequantized weights for the length of
// a calibration; restores them unless the calibration replaced the model. If
// they cannot be restored (out of memory), the model is dropped with an error
// in the log rather than left half-usable.
class ReleasedWhileCalibrating {
public:
    ReleasedWhileCalibrating(std::unique_ptr<QuantizedUNet>& model, std::string& record)
        : model_(model), record_(record) {
        if (model_) model_->releaseWeights();
    }
    ~ReleasedWhileCalibrating() {
        if (!model_ || !model_->weightsReleased()) return;
        try {
            model_->restoreWeights();
        } catch (const std::exception& e) {
            spdlog::error("The previous quantized model could not be restored after the calibration stopped ({}); "
                          "it was discarded.", e.what());
            model_.reset();
            record_.clear();
        }
    }
    void replacedBy(std::unique_ptr<QuantizedUNet> next) { model_ = std::move(next); }

private:
    std::unique_ptr<QuantizedUNet>& model_;
    std::string& record_;
};
}  // namespace

CalibrationSummary QuantSession::calibrate(const CalibrationRecipe& recipe, const ProgressCallbacks& callbacks) {
    DiffusionPipeline& m = model();
    Denoiser& denoiser = m.denoiser();
    recipe.plan.validateAgainst(denoiser.sites(), "plan");
    if (recipe.components.any() && !m.isTextToImage())
        throw Error("'" + folder_ + "' has no text encoder or VAE to quantize; --text-encoder-bits and --vae-bits are "
                    "for text-to-image pipelines.");
    for (const int bits : {recipe.components.textEncoderBits, recipe.components.vaeBits})
        if (bits != 0 && (bits < 2 || bits > 16))
            throw Error("Text encoder and VAE weights are quantized at 2 to 16 bits (0 keeps them FP), not " +
                        std::to_string(bits) + ".");
    const int samplingSteps = recipe.data.trajectory.steps;
    checkRelaxedSteps(recipe.plan, samplingSteps);
    if (recipe.data.trajectory.sampler == SamplerKind::PNDM) {
        bool perStep = recipe.options.progressive || recipe.plan.relaxedForSteps > 0;
        for (const auto& [name, site] : recipe.plan.sites) perStep = perStep || site.perStepActivation;
        if (perStep)
            throw Error("PNDM evaluates one timestep twice, and per-step grids (--per-step, --progressive, relaxing) "
                        "are keyed by timestep; calibrate those on a ddim, euler or dpmpp2m trajectory.");
    }
    // The model this calibration replaces frees its dequantized weights
    // meanwhile (a cancelled or failed calibration restores them), so an
    // SD-size recalibration holds one dequantized copy, not two.
    ReleasedWhileCalibrating released(quantized_, calibrationRecord_);
    const auto start = std::chrono::steady_clock::now();
    CalibrationSummary summary;
    const CalibrationOptions& options = recipe.options;
    QuantPlan plan = recipe.plan;
    if (options.progressive)  // one grid per sampling step, recorded in the plan
        for (auto& [name, site] : plan.sites)
            if (site.quantizesActivation()) site.perStepActivation = true;

    // Calibration data from the FP trajectory: for the ranges, and for
    // rounding strategies that learn from layer inputs.
    const CalibrationData* data = nullptr;
    const bool lsq = options.reconstruction.activationIterations > 0;
    if (!options.progressive || roundingNeedsData(options.rounding) || lsq)
        data = &calibrationData(recipe.data, recipe.dataFile, callbacks, &summary.reusedData);
    std::vector<UnitReport> reports;
    QuantizedUNet quantized =
        data ? roundWeights(denoiser, plan, *data, options, callbacks, &reports) : quantizeWeights(denoiser, plan);
    if (options.progressive) {
        SampleRequest trajectory = recipe.data.trajectory;
        trajectory.batch = recipe.data.samples;
        if (m.isTextToImage()) trajectory = withPrompts(trajectory, promptStates(recipe.data), 0, recipe.data.samples);
        ProgressiveOptions progressive;
        progressive.histogramBins = options.histogramBins;
        progressive.fit.percentile = options.percentile;
        calibrateProgressively(denoiser, m.scheduler(), quantized, trajectory, progressive, callbacks);
        summary.pairs = static_cast<int64_t>(recipe.data.samples) * samplingSteps;
    } else {
        calibrateActivations(denoiser, quantized, *data, options, callbacks);
        summary.pairs = data->size();
    }
    if (data) learnActivationStepsIfAsked(denoiser, quantized, *data, options, callbacks, &reports);
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    nlohmann::ordered_json record = nlohmann::ordered_json::parse(recipe.data.describe());
    record["pairs"] = summary.pairs;
    if (data) record["with_null_class"] = data->withUnconditional;
    record["options"] = nlohmann::ordered_json::parse(recipe.options.describe());
    record["seconds"] = summary.seconds;
    if (!reports.empty()) {
        nlohmann::ordered_json units = nlohmann::ordered_json::array();
        for (const UnitReport& r : reports)
            units.push_back({{"unit", r.unit}, {"phase", r.phase}, {"error_before", r.before}, {"error_after", r.after},
                             {"seconds", r.seconds}});
        record["units"] = units;
    }
    if (recipe.components.any()) {
        // Weight-only and data-free: the U-Net above was calibrated on the FP text encoder's states,
        // as Q-Diffusion calibrates with the FP text encoder.
        const bool mse = std::any_of(plan.sites.begin(), plan.sites.end(), [](const auto& site) {
            return site.second.quantizesWeight() && site.second.rangeMethod == RangeMethod::Mse;
        });
        quantized.setComponents(m.quantizeComponents(recipe.components, mse));
        record["components"] = {{"text_encoder_bits", recipe.components.textEncoderBits},
                                {"vae_bits", recipe.components.vaeBits}, {"mse_search", mse}};
    }
    summary.units = std::move(reports);
    released.replacedBy(std::make_unique<QuantizedUNet>(std::move(quantized)));
    calibrationRecord_ = record.dump();
    spdlog::info("Calibrated {} ({} ranges, {} rounding{}{}) on {} (x_t, t) pairs in {:.1f} s", recipe.plan.preset,
                 plan.sites.empty() ? "no" : rangeMethodName(plan.sites.front().second.rangeMethod),
                 weightRoundingName(options.rounding), lsq ? ", LSQ" : "", options.progressive ? ", progressive" : "",
                 summary.pairs, summary.seconds);
    return summary;
}

SensitivityReport QuantSession::measureSensitivity(const SensitivityRecipe& recipe, const ProgressCallbacks& callbacks) {
    DiffusionPipeline& m = model();
    recipe.plan.validateAgainst(m.denoiser().sites(), "plan");
    const CalibrationData& data = calibrationData(recipe.data, recipe.dataFile, callbacks);
    SensitivityOptions options = recipe.options;
    if (m.isTextToImage() && options.sampleImages > 0)
        options.sampling = withPrompts(options.sampling, promptStates(recipe.data), 0, options.sampleImages);
    SensitivityReport report = dq::measureSensitivity(m.denoiser(), m.scheduler(), recipe.plan, data, options, callbacks);
    report.modelStamp = weightsStamp_;
    spdlog::info("Measured the sensitivity of {} sites on {} inputs per configuration in {:.1f} s", report.sites.size(),
                 report.inputs, report.seconds);
    return report;
}

ArtifactSizes QuantSession::saveQuantized(const std::string& folder) const {
    if (!quantized_) throw Error("There is no calibrated model to save; calibrate first.");
    // Written beside the destination, then moved in: a failed or cancelled
    // save leaves neither a half-written artifact nor a damaged older one.
    OutputSet output;
    const ArtifactSizes sizes = saveQuantizedModel(output.stageFolder(folder), *quantized_, folder_,
                                                   calibrationRecord_.empty() ? "{}" : calibrationRecord_);
    output.commit();
    return sizes;
}

void QuantSession::openQuantized(const std::string& folder) {
    DiffusionPipeline& m = model();
    auto q = std::make_unique<QuantizedUNet>(loadQuantizedState(folder, m.denoiser()));
    q->setComponents(m.attachComponents(loadQuantizedComponents(folder)));
    q->to(m.denoiser().device());
    calibrationRecord_ = readCalibrationRecord(folder);
    quantized_ = std::move(q);
    spdlog::info("Opened quantized model '{}' ({})", folder, quantized_->plan().preset);
}

void QuantSession::discardQuantized() {
    quantized_.reset();
    calibrationRecord_.clear();
}

std::string findFeatureNet(const std::string& modelFolder, const std::string& override) {
    if (!override.empty()) return override;
    for (const std::string& candidate :
         {modelFolder + "/feature_net.safetensors", defaultModelFolder() + "/feature_net.safetensors"})
        if (std::filesystem::exists(candidate)) return candidate;
    throw Error("No feature network found beside '" + modelFolder + "'; train one with `diffquant train-classifier --out " +
                modelFolder + "/feature_net.safetensors` or pass --features.");
}

}  // namespace dq
