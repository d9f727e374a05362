#pragma once
// DDPM and DDIM samplers with diffusers' formulas (see docs/architecture.md),
// plus Q-Diffusion's "quad" DDIM timestep schedule.
#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "core/sampling/scheduler_config.h"

namespace dq {

enum class SamplerKind { DDIM, DDPM };

SamplerKind parseSamplerKind(const std::string& name);  // "ddim" | "ddpm"; throws dq::Error
const char* samplerKindName(SamplerKind kind);

// The training noise schedule: betas and ᾱ = cumprod(1 − β), float32 like diffusers.
struct NoiseSchedule {
    explicit NoiseSchedule(const SchedulerConfig& config);
    torch::Tensor betas;          // [T] float32, CPU
    torch::Tensor alphasCumprod;  // [T] float32, CPU
    std::vector<double> alphaBar; // the same values, for scalar arithmetic
};

// The inference timesteps for `steps` steps, in sampling order (descending).
std::vector<int64_t> makeTimesteps(const SchedulerConfig& config, int steps, TimestepSpacing spacing);

struct StepOutput {
    torch::Tensor prevSample;     // x_{t_prev}
    torch::Tensor predictedX0;    // the model's estimate of the clean sample
};

class Scheduler {
public:
    Scheduler(const SchedulerConfig& config, SamplerKind kind, int steps, double eta, TimestepSpacing spacing);

    const std::vector<int64_t>& timesteps() const { return timesteps_; }
    SamplerKind kind() const { return kind_; }
    // The timestep the step at `index` goes to (−1 means "past the end": ᾱ = final value).
    int64_t previousTimestep(int index) const;
    double alphaBar(int64_t t) const;  // ᾱ_t; t < 0 gives the final ᾱ (DDIM: 1 with set_alpha_to_one)

    // One update of `sample` given the model output at timesteps()[index].
    // `generator` supplies the noise of stochastic steps (DDPM, DDIM with eta > 0);
    // noise is drawn on the CPU and moved, so results agree across devices.
    StepOutput step(const torch::Tensor& modelOutput, int index, const torch::Tensor& sample,
                    at::Generator& generator) const;

    // Adds noise for training: sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·ε, per-sample t.
    torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;

private:
    torch::Tensor predictX0(const torch::Tensor& modelOutput, const torch::Tensor& sample, double aT,
                            torch::Tensor* predictedEps) const;

    SchedulerConfig config_;
    NoiseSchedule schedule_;
    SamplerKind kind_;
    double eta_;
    TimestepSpacing spacing_;
    std::vector<int64_t> timesteps_;
};

}  // namespace dq
