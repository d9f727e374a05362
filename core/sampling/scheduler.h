#pragma once
// DDPM and DDIM samplers with diffusers' formulas (see docs/architecture.md),
// plus Q-Diffusion's "quad" DDIM timestep schedule.
#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "core/sampling/scheduler_config.h"

namespace dq {

// DDIM and DDPM; PNDM (PLMS with skip_prk_steps, as Stable Diffusion ships it),
// Euler (EulerDiscreteScheduler) and DPM-Solver++ (2M), each as diffusers
// v0.21.4 computes it, including its own timestep spacing rules.
enum class SamplerKind { DDIM, DDPM, PNDM, Euler, DPMSolverPP2M };

// "ddim" | "ddpm" | "pndm" | "euler" | "dpmpp2m"; throws dq::Error
SamplerKind parseSamplerKind(const std::string& name);
const char* samplerKindName(SamplerKind kind);

// The training noise schedule: betas and ᾱ = cumprod(1 − β), float32 like diffusers.
struct NoiseSchedule {
    explicit NoiseSchedule(const SchedulerConfig& config);
    torch::Tensor betas;          // [T] float32, CPU
    torch::Tensor alphasCumprod;  // [T] float32, CPU
    // The forward process: √ᾱ_t·x0 + √(1 − ᾱ_t)·noise, for training timesteps t [B].
    torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;
    std::vector<double> alphaBar; // the same values, for scalar arithmetic
};

// The inference timesteps for `steps` steps, in sampling order (descending).
std::vector<int64_t> makeTimesteps(const SchedulerConfig& config, int steps, TimestepSpacing spacing);

struct StepOutput {
    torch::Tensor prevSample;     // x_{t_prev}
    torch::Tensor predictedX0;    // the model's estimate of the clean sample
};

// The timesteps a sampler visits, in order, for `steps` steps: what
// Scheduler::timesteps() gives (PNDM repeats one; DPM-Solver++ has its own
// spacing). Calibration data and statistics label their steps with these.
std::vector<int64_t> samplerTimesteps(const SchedulerConfig& config, SamplerKind kind, int steps, TimestepSpacing spacing);

class Scheduler {
public:
    Scheduler(const SchedulerConfig& config, SamplerKind kind, int steps, double eta, TimestepSpacing spacing);

    const std::vector<int64_t>& timesteps() const { return timesteps_; }
    SamplerKind kind() const { return kind_; }
    // The timestep the step at `index` goes to (−1 means "past the end": ᾱ = final value).
    int64_t previousTimestep(int index) const;
    double alphaBar(int64_t t) const;  // ᾱ_t; t < 0 gives the final ᾱ (DDIM: 1 with set_alpha_to_one)

    // The initial noise's scale (Euler works in σ space: √(σ_max² + 1)); 1 for the others.
    double initNoiseSigma() const;
    // What the model sees at step `index` (Euler: x / √(σ² + 1)); the others pass x.
    torch::Tensor scaleModelInput(const torch::Tensor& sample, int index) const;

    // One update of `sample` given the model output at timesteps()[index].
    // Steps must come in order, once each: PNDM and DPM-Solver++ keep the
    // previous model outputs. `generator` supplies the noise of stochastic
    // steps (DDPM, DDIM with eta > 0); noise is drawn on the CPU and moved, so
    // results agree across devices.
    StepOutput step(const torch::Tensor& modelOutput, int index, const torch::Tensor& sample, at::Generator& generator);

    // Adds noise for training: sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·ε, per-sample t.
    torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;

private:
    torch::Tensor predictX0(const torch::Tensor& modelOutput, const torch::Tensor& sample, double aT,
                            torch::Tensor* predictedEps) const;
    // The multistep and σ-space samplers (multistep_schedulers.cpp).
    static std::vector<int64_t> multistepTimesteps(const SchedulerConfig& config, SamplerKind kind, int steps,
                                                   TimestepSpacing spacing);
    void prepareMultistep();
    StepOutput stepPndm(const torch::Tensor& modelOutput, int index, const torch::Tensor& sample);
    StepOutput stepEuler(const torch::Tensor& modelOutput, int index, const torch::Tensor& sample) const;
    StepOutput stepDpmSolver(const torch::Tensor& modelOutput, int index, const torch::Tensor& sample);
    // The model output as ε, and as x0, at ᾱ (epsilon or v-prediction).
    torch::Tensor epsilonFrom(const torch::Tensor& modelOutput, const torch::Tensor& sample, double aT) const;

    SchedulerConfig config_;
    NoiseSchedule schedule_;
    SamplerKind kind_;
    double eta_;
    TimestepSpacing spacing_;
    std::vector<int64_t> timesteps_;
    // PNDM: the last model outputs (ets), the step counter and the sample
    // held over PLMS's warm-up step.
    std::vector<torch::Tensor> history_;
    int counter_ = 0;
    torch::Tensor heldSample_;
    // Euler: σ per step, then 0.
    std::vector<double> sigmas_;
    int stepsTaken_ = 0;
};

}  // namespace dq
