#pragma once
// Options several subcommands share, and their resolution.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "core/model/model_folder.h"
#include "core/quant/quantized_unet.h"
#include "core/sampling/pipeline.h"

namespace dq::cli {

struct ModelOptions {
    std::string folder;           // empty: the default model
    std::string device = "auto";  // auto | cpu | cuda

    void add(CLI::App& command);
    // Loads the folder (or the default model) onto the selected device.
    LoadedModel load() const;
    std::string resolvedFolder() const;
};

// A model that may be quantized: --quant QMODEL loads the artifact and its FP
// model (--model overrides the recorded FP folder).
struct ModelSession {
    LoadedModel loaded;
    std::unique_ptr<QuantizedUNet> quantized;  // null without --quant
    std::string folder;                        // the FP model folder
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

}  // namespace dq::cli
