#pragma once
// Options several subcommands share, and their resolution.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "core/engine/quant_session.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/quant/quantized_unet.h"
#include "core/sampling/pipeline.h"

namespace dq::cli {

struct ModelOptions {
    std::string folder;           // empty: the default model
    std::string device = "auto";  // auto | cpu | cuda

    void add(CLI::App& command);
    // Loads the folder (or the default model) onto the selected device: a
    // UNet2DModel folder or a text-to-image pipeline folder.
    DiffusionPipeline load() const;
    std::string resolvedFolder() const;
};

// A model that may be quantized: --quant QMODEL loads the artifact and its FP
// model (--model overrides the recorded FP folder).
struct ModelSession {
    DiffusionPipeline loaded;
    std::unique_ptr<QuantizedUNet> quantized;  // null without --quant
    std::string folder;                        // the FP model folder
    std::string calibrationRecord;             // the artifact's calibration record (JSON), with --quant
};

struct QuantModelOptions {
    ModelOptions model;
    std::string quant;

    void add(CLI::App& command);
    ModelSession load() const;
};

// The sampler settings of `sample` and `eval`.
struct SamplerOptions {
    std::string scheduler = "ddim";
    std::string spacing;  // empty: scheduler_config's timestep_spacing
    int steps = 50;
    double eta = 0.0;
    double guidance = 1.0;
    uint64_t seed = 0;

    void add(CLI::App& command);
    // A request with these settings (batch, noise and labels left to the caller).
    SampleRequest toRequest(const SchedulerConfig& scheduler) const;
};

// The prompts of text-to-image pipelines: --prompt (repeatable), --prompts-file
// (one per line) and --negative-prompt.
struct PromptOptions {
    std::vector<std::string> prompts;
    std::string file;
    std::string negative;
    int clipSkip = 0;

    void add(CLI::App& command, const std::string& purpose);
    bool given() const { return !prompts.empty() || !file.empty(); }
    // --prompt's, then the file's; with none given, `fallbackFile` (if any).
    std::vector<std::string> resolve(const std::string& fallbackFile = {}) const;
    // The request conditioned on the prompts (sample s on prompt s mod P) for
    // a pipeline; for other models, an error if prompts were given.
    SampleRequest condition(const DiffusionPipeline& model, const SampleRequest& request, int count) const;
};

// How a quantization plan is chosen: a preset with its site options, or a
// plan file (calibrate, sensitivity).
struct PlanOptions {
    std::string preset = "W8A8";
    std::string planPath;
    std::string method = "minmax";
    bool split = false;
    bool splitConv1 = false;
    int softmaxBits = 0;
    std::string firstLast = "same";
    bool perStep = false;

    void add(CLI::App& command);
    // The preset's recipe (relaxing is the caller's to add).
    PlanRecipe recipe() const;
    // The plan file checked against the session's model, or the preset's plan
    // made by the session (with `relaxed` applied for `samplingSteps`).
    QuantPlan resolve(const QuantSession& session, int samplingSteps, const PlanRecipe* relaxed = nullptr) const;
};

// Which calibration data to use (calibrate, sensitivity).
struct CalibrationDataOptions {
    std::string timesteps = "uniform";
    int caliSteps = 20;
    int caliSamples = 256;
    double normalMean = 0.4;
    double normalStd = 0.4;
    std::string file;
    PromptOptions prompts;  // text-to-image pipelines; default: the pipeline's calibration_prompts.txt

    void add(CLI::App& command);
    CalibrationDataSettings settings(const DiffusionPipeline& model, const SampleRequest& trajectory) const;
};

}  // namespace dq::cli
