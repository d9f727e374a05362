#pragma once
// The sampling loop: initial noise → N scheduler steps → samples, with
// classifier-free guidance, progress/preview/cancel callbacks and a per-step
// context that interceptors read (the step index).
#include <cstdint>
#include <functional>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/model/conditioning.h"
#include "core/sampling/scheduler.h"

namespace dq {

class Denoiser;

struct SampleRequest {
    int batch = 16;
    uint64_t seed = 0;
    // Explicit initial noise [B,C,H,W]; when defined, batch and seed's initial
    // draw are taken from it (the seed still drives stochastic steps).
    torch::Tensor initialNoise;
    // Class labels [B] for class-conditional models; undefined means "mixed":
    // sample i gets class i mod (number of real classes).
    torch::Tensor classLabels;
    // Text-conditioned models: the encoder states of the prompts [B or 1, tokens,
    // dim] and, for guidance, of the negative (or empty) prompt; the
    // unconditional batch goes first, as diffusers' pipelines stack it.
    Conditioning conditioning;
    Conditioning unconditional;
    // Classifier-free guidance: ε = ε_uncond + g·(ε_cond − ε_uncond), where the
    // unconditional pass uses the model's null class label. g = 1 skips it.
    double guidanceScale = 1.0;
    SamplerKind sampler = SamplerKind::DDIM;
    int steps = 50;
    double eta = 0.0;
    TimestepSpacing spacing = TimestepSpacing::Leading;
};

// What the per-step observer sees, after the scheduler update.
struct StepEvent {
    int index = 0;       // 0-based step index
    int count = 0;       // number of steps
    int64_t timestep = 0;
    const torch::Tensor* sampleBefore = nullptr;  // x_t as fed to the model (Euler: scaled by 1/√(σ²+1))
    const torch::Tensor* predictedX0 = nullptr;
    const torch::Tensor* sampleAfter = nullptr;   // x_{t_prev}
};

struct SampleCallbacks : ProgressCallbacks {
    std::function<void(const StepEvent&)> onStep;
};

struct SampleResult {
    torch::Tensor samples;      // [B,C,H,W] in model space (≈[-1, 1])
    torch::Tensor classLabels;  // the labels used (undefined for unconditional models)
    torch::Tensor initialNoise;
};

// Number of real (non-null) classes of a class-conditional model, else 0.
int realClassCount(const Denoiser& model);

// Draws initial noise for a model on the CPU from `seed` (device-independent).
torch::Tensor makeInitialNoise(const Denoiser& model, int batch, uint64_t seed);

// Batch `index` of a run split into batches: `count` samples starting at sample
// `first`, seed + index, and (with classes > 0) sample i gets class i mod classes.
SampleRequest batchRequest(const SampleRequest& base, int first, int count, int index, int classes);

// `base` for samples first .. first + count − 1 of a run: sample s conditioned
// on prompt s mod P and guided against the unconditional states.
SampleRequest withPrompts(const SampleRequest& base, const PromptStates& prompts, int first, int count);

// Runs the sampler. Throws dq::Cancelled when callbacks ask to stop (checked
// before every step). Deterministic for a given request and device.
SampleResult runSampler(Denoiser& model, const SchedulerConfig& schedulerConfig, const SampleRequest& request,
                        const SampleCallbacks& callbacks = {});

}  // namespace dq
