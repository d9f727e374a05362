#pragma once
// Full-precision and quantized generations from identical noise and classes,
// optionally with each run's trajectory (x_t and the predicted x0 at every
// step) so that a front end can scrub through the timesteps side by side.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/imaging/image_decoder.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/metrics/image_quality.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Interceptor;
class Denoiser;

struct TrajectoryStep {
    int64_t timestep = 0;
    torch::Tensor sample;       // x_t fed to the model, CPU, model space
    torch::Tensor predictedX0;  // the scheduler's x0 estimate at this step, CPU, model space
};

struct GenerationRun {
    SampleResult result;                     // samples on the model's device
    torch::Tensor images;                    // the decoded images, CPU, [-1, 1] nominally
    std::vector<TrajectoryStep> trajectory;  // empty unless kept
};

struct ComparisonRun {
    GenerationRun fp;
    std::optional<GenerationRun> quantized;  // absent when no quantizer was given
    PairedMetrics paired;                    // quantized vs FP on [0,1] images (zero without a quantizer)
};

struct ComparisonCallbacks : ProgressCallbacks {
    // After every denoising step of either run (progress counts both runs).
    std::function<void(bool quantizedRun, const StepEvent& event)> onStep;
};

// What the quantized run uses besides its interceptor when a pipeline's text
// encoder or VAE is quantized too: the prompts as the quantized text encoder
// states them, and the quantized VAE's decoder. Unset members: the FP run's.
struct QuantizedRunInputs {
    Conditioning conditioning;
    Conditioning unconditional;
    ImageDecoder decode;

    // `request` with the quantized run's conditioning, when it has its own.
    SampleRequest applyTo(const SampleRequest& request) const;
};

// Samples `request` without an interceptor, then (when `quantizer` is given)
// with it from the FP run's initial noise and class labels. The model's own
// interceptor is restored afterwards, also when cancelled (dq::Cancelled).
// The paired metrics compare the decoded images.
ComparisonRun runComparison(Denoiser& model, const SchedulerConfig& scheduler, Interceptor* quantizer,
                            const SampleRequest& request, bool keepTrajectory,
                            const ComparisonCallbacks& callbacks = {}, const ImageDecoder& decode = {},
                            const QuantizedRunInputs& quantizedInputs = {});

// The quantized run's inputs for `count` samples of a pipeline on `prompts`
// (sample s on prompt s mod P, as withPrompts lays them out) when `quantized`
// holds a quantized text encoder or VAE; empty otherwise.
QuantizedRunInputs quantizedRunInputs(const DiffusionPipeline& model, const QuantizedComponents* quantized,
                                      const std::vector<std::string>& prompts, const std::string& negativePrompt,
                                      int clipSkip, int count);

}  // namespace dq
