#pragma once
// The engine service both front ends drive (like qBittorrent's session): it
// owns the loaded FP model, the calibration-data cache, the current quantized
// model with its calibration record, and artifact writing. The CLI runs one
// command against a session; the GUI worker keeps one across jobs. Workflow
// decisions (which data to reuse, how a recipe becomes a plan, what an
// artifact records) live here only, so the two front ends cannot drift.
//
// Not thread-safe: one operation at a time, from one thread (the CLI's main
// thread, or the GUI's worker thread). Gradient and inference-mode guards
// are the caller's: LibTorch keeps them thread-local.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/sensitivity.h"
#include "core/callbacks.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/quant/calibration_data.h"
#include "core/quant/calibrator.h"
#include "core/quant/quant_artifact.h"
#include "core/quant/quant_plan.h"

namespace dq {

// How a plan is made from a preset: the preset's options plus PCR's
// activation relaxing (for the trajectory's step count).
struct PlanRecipe {
    std::string preset = "W8A8";
    PresetOptions options;
    double relaxFraction = 0;  // 0: no relaxing
    int relaxBits = 10;
    bool relaxLastSteps = true;
};

// Everything a calibration needs besides the model.
struct CalibrationRecipe {
    QuantPlan plan;
    CalibrationDataSettings data;
    CalibrationOptions options;
    std::string dataFile;  // reused when it matches the settings and weights, else written; empty: memory only
    // A pipeline's text encoder and VAE: FP unless asked (weight-only; component_quantization.h).
    ComponentQuantOptions components;
};

// The outcome of a calibration, for front ends to report.
struct CalibrationSummary {
    int64_t pairs = 0;
    double seconds = 0;
    bool reusedData = false;
    std::vector<UnitReport> units;  // reconstruction: each unit's error before and after
};

// Everything a sensitivity sweep needs besides the model.
struct SensitivityRecipe {
    QuantPlan plan;  // the base plan: site options and "all but one" widths
    CalibrationDataSettings data;
    std::string dataFile;  // as in CalibrationRecipe
    SensitivityOptions options;
};

// The feature network for evaluating a model: `override` if given, else the
// one beside the model, else the default model's. Throws naming what to do.
std::string findFeatureNet(const std::string& modelFolder, const std::string& override = {});

class QuantSession {
public:
    QuantSession();
    ~QuantSession();

    // Loads a model or pipeline folder onto a device ("auto", "cpu", "cuda").
    // The current model (and everything derived from it) is replaced only on
    // success.
    void openModel(const std::string& folder, const std::string& device = "auto");
    bool hasModel() const { return model_.has_value(); }
    DiffusionPipeline& model();
    const DiffusionPipeline& model() const;
    const std::string& folder() const { return folder_; }
    // Content hash of the FP denoiser's weights: stamps calibration data and artifacts.
    const std::string& weightsStamp() const { return weightsStamp_; }

    // The plan for a recipe, for the loaded model and `samplingSteps`. For
    // text-to-image pipelines the softmax width defaults to 16 bits.
    QuantPlan makePlan(const PlanRecipe& recipe, int samplingSteps) const;

    // Calibration data for these settings: the in-memory copy, the file (when
    // it was collected with the same settings from the same weights), or a new
    // collection (then written to `file` if given). `reused` tells which.
    const CalibrationData& calibrationData(const CalibrationDataSettings& settings, const std::string& file,
                                           const ProgressCallbacks& callbacks, bool* reused = nullptr);

    // Calibrates the loaded model; on success the result becomes the current
    // quantized model. Stages: "calibration-data", then calibrate()'s.
    // Throws dq::Cancelled with the session unchanged.
    CalibrationSummary calibrate(const CalibrationRecipe& recipe, const ProgressCallbacks& callbacks = {});

    // Per-site sensitivity of the loaded model under the recipe's base plan
    // (sensitivity.h), stamped with the weights it measured. Stages:
    // "calibration-data", then measureSensitivity()'s.
    SensitivityReport measureSensitivity(const SensitivityRecipe& recipe, const ProgressCallbacks& callbacks = {});

    QuantizedUNet* quantized() { return quantized_.get(); }
    const QuantizedUNet* quantized() const { return quantized_.get(); }
    // The calibration record stored in artifacts (a JSON object; for an opened
    // artifact, the one it stores).
    const std::string& calibrationRecord() const { return calibrationRecord_; }

    // Writes the current quantized model as an artifact folder (atomic files).
    ArtifactSizes saveQuantized(const std::string& folder) const;
    // Opens an artifact over the loaded model (checked against its weights).
    void openQuantized(const std::string& folder);
    void discardQuantized();

    // findFeatureNet for the loaded model.
    std::string featureNetPath(const std::string& override = {}) const { return findFeatureNet(folder_, override); }

private:
    // The text encoder's states for the settings' calibration prompts and
    // negative prompt (empty for models without text; errors when prompts are
    // missing for a pipeline, or given for another model).
    PromptStates promptStates(const CalibrationDataSettings& settings) const;

    std::optional<DiffusionPipeline> model_;
    std::string folder_;
    std::string weightsStamp_;
    std::string dataStamp_;  // what calibration data depends on: the denoiser's weights, and a pipeline's text encoder
    std::optional<CalibrationData> dataCache_;
    std::unique_ptr<QuantizedUNet> quantized_;
    std::string calibrationRecord_;
};

}  // namespace dq
