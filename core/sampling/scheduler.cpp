#include "core/sampling/scheduler.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

SamplerKind parseSamplerKind(const std::string& name) {
    if (name == "ddim") return SamplerKind::DDIM;
    if (name == "ddpm") return SamplerKind::DDPM;
    if (name == "pndm") return SamplerKind::PNDM;
    if (name == "euler") return SamplerKind::Euler;
    if (name == "dpmpp2m") return SamplerKind::DPMSolverPP2M;
    throw Error("Unknown scheduler '" + name + "'; use ddim, ddpm, pndm, euler or dpmpp2m.");
}

const char* samplerKindName(SamplerKind kind) {
    switch (kind) {
        case SamplerKind::DDIM: return "ddim";
        case SamplerKind::DDPM: return "ddpm";
        case SamplerKind::PNDM: return "pndm";
        case SamplerKind::Euler: return "euler";
        case SamplerKind::DPMSolverPP2M: return "dpmpp2m";
    }
    return "?";
}

NoiseSchedule::NoiseSchedule(const SchedulerConfig& c) {
    const int64_t T = c.numTrainTimesteps;
    if (!c.trainedBetas.empty()) {
        betas = torch::tensor(c.trainedBetas, torch::kFloat64).to(torch::kFloat32);
    } else if (c.betaSchedule == BetaSchedule::Linear) {
        betas = torch::linspace(c.betaStart, c.betaEnd, T, torch::kFloat32);
    } else if (c.betaSchedule == BetaSchedule::ScaledLinear) {
        betas = torch::linspace(std::sqrt(c.betaStart), std::sqrt(c.betaEnd), T, torch::kFloat32).pow(2);
    } else {
        // Glide's cosine schedule (betas_for_alpha_bar), computed in double.
        auto alphaBarFn = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
        std::vector<double> b;
        for (int64_t i = 0; i < T; ++i) {
            const double t1 = double(i) / T, t2 = double(i + 1) / T;
            b.push_back(std::min(1 - alphaBarFn(t2) / alphaBarFn(t1), 0.999));
        }
        betas = torch::tensor(b, torch::kFloat64).to(torch::kFloat32);
    }
    alphasCumprod = torch::cumprod(1.0 - betas, 0);
    const float* p = alphasCumprod.data_ptr<float>();
    alphaBar.assign(p, p + T);
}

namespace {
// Element i of numpy.linspace(start, stop, n): start + i·step, last one exact.
// Matching numpy's arithmetic keeps timesteps identical to the references.
double numpyLinspace(double start, double stop, int n, int i) {
    if (n == 1) return start;
    if (i == n - 1) return stop;
    const double step = (stop - start) / (n - 1);
    return start + i * step;
}
}  // namespace

std::vector<int64_t> makeTimesteps(const SchedulerConfig& c, int steps, TimestepSpacing spacing) {
    const int64_t T = c.numTrainTimesteps;
    if (steps < 1 || steps > T)
        throw Error("The number of sampling steps must be between 1 and num_train_timesteps (" + std::to_string(T) +
                    "), got " + std::to_string(steps) + ".");
    std::vector<int64_t> ts;
    // std::nearbyint rounds half to even, as numpy's round does.
    switch (spacing) {
        case TimestepSpacing::Leading: {
            const int64_t ratio = T / steps;
            for (int i = steps - 1; i >= 0; --i) ts.push_back(int64_t(i) * ratio + c.stepsOffset);
            break;
        }
        case TimestepSpacing::Trailing: {
            const double ratio = double(T) / steps;
            for (int i = 0; i < steps; ++i) ts.push_back(static_cast<int64_t>(std::nearbyint(T - i * ratio)) - 1);
            break;
        }
        case TimestepSpacing::Linspace: {
            for (int i = steps - 1; i >= 0; --i)
                ts.push_back(static_cast<int64_t>(std::nearbyint(numpyLinspace(0.0, double(T - 1), steps, i))));
            break;
        }
        case TimestepSpacing::Quad: {
            // Q-Diffusion: int(s) for s in linspace(0, sqrt(0.8 T), N)^2, descending.
            const double top = std::sqrt(0.8 * T);
            for (int i = steps - 1; i >= 0; --i) {
                const double s = numpyLinspace(0.0, top, steps, i);
                ts.push_back(static_cast<int64_t>(s * s));
            }
            break;
        }
    }
    for (int64_t t : ts)
        if (t < 0 || t >= T)
            throw Error("Timestep " + std::to_string(t) + " from steps_offset " + std::to_string(c.stepsOffset) +
                        " is outside [0, " + std::to_string(T - 1) + "]; lower steps_offset or the step count.");
    return ts;
}

Scheduler::Scheduler(const SchedulerConfig& config, SamplerKind kind, int steps, double eta, TimestepSpacing spacing)
    : config_(config), schedule_(config), kind_(kind), eta_(eta), spacing_(spacing),
      timesteps_(kind == SamplerKind::DDIM || kind == SamplerKind::DDPM ? makeTimesteps(config, steps, spacing)
                                                                          : multistepTimesteps(config, kind, steps, spacing)) {
    if (eta < 0) throw Error("eta must be non-negative, got " + std::to_string(eta) + ".");
    if (kind != SamplerKind::DDIM && kind != SamplerKind::DDPM) prepareMultistep();
}

std::vector<int64_t> samplerTimesteps(const SchedulerConfig& config, SamplerKind kind, int steps,
                                      TimestepSpacing spacing) {
    return Scheduler(config, kind, steps, 0.0, spacing).timesteps();
}

int64_t Scheduler::previousTimestep(int index) const {
    const int count = static_cast<int>(timesteps_.size());
    switch (kind_) {
        // PLMS steps back by T // N (N = count − 1: the first timestep runs twice).
        case SamplerKind::PNDM: return timesteps_[index] - config_.numTrainTimesteps / (count - 1);
        case SamplerKind::Euler: return index + 1 < count ? timesteps_[index + 1] : -1;
        // DPM-Solver++ ends at timestep 0, not past it.
        case SamplerKind::DPMSolverPP2M: return index + 1 < count ? timesteps_[index + 1] : 0;
        default: break;
    }
    // DDPM (diffusers >= 0.22) and Q-Diffusion's quad schedule step to the next
    // timestep of the list; diffusers' DDIM steps to t − T // N.
    if (kind_ == SamplerKind::DDPM || spacing_ == TimestepSpacing::Quad)
        return index + 1 < static_cast<int>(timesteps_.size()) ? timesteps_[index + 1] : -1;
    return timesteps_[index] - config_.numTrainTimesteps / static_cast<int64_t>(timesteps_.size());
}

double Scheduler::alphaBar(int64_t t) const {
    if (t >= 0) return schedule_.alphaBar.at(static_cast<std::size_t>(t));
    // DDPM uses 1 past the end; DDIM uses final_alpha_cumprod.
    if (kind_ == SamplerKind::DDPM || config_.setAlphaToOne) return 1.0;
    return schedule_.alphaBar[0];
}

torch::Tensor Scheduler::predictX0(const torch::Tensor& out, const torch::Tensor& x, double aT,
                                   torch::Tensor* eps) const {
    const double bT = 1.0 - aT;
    torch::Tensor x0;
    switch (config_.predictionType) {
        case PredictionType::Epsilon:
            x0 = (x - std::sqrt(bT) * out) / std::sqrt(aT);
            if (eps) *eps = out;
            break;
        case PredictionType::Sample:
            x0 = out;
            if (eps) *eps = (x - std::sqrt(aT) * x0) / std::sqrt(bT);
            break;
        case PredictionType::VPrediction:
            x0 = std::sqrt(aT) * x - std::sqrt(bT) * out;
            if (eps) *eps = std::sqrt(aT) * out + std::sqrt(bT) * x;
            break;
    }
    // Q-Diffusion's quad-schedule sampler does not clip x0; diffusers' samplers do when asked.
    if (config_.clipSample && spacing_ != TimestepSpacing::Quad)
        x0 = x0.clamp(-config_.clipSampleRange, config_.clipSampleRange);
    return x0;
}

StepOutput Scheduler::step(const torch::Tensor& out, int index, const torch::Tensor& x, at::Generator& gen) {
    if (index < 0 || index >= static_cast<int>(timesteps_.size()))
        throw Error("There is no scheduler step " + std::to_string(index) + " (the schedule has " +
                    std::to_string(timesteps_.size()) + ").");
    // PNDM and DPM-Solver++ combine earlier outputs, so their steps run once
    // each, in order; DDIM, DDPM and Euler depend on the index alone.
    const bool multistep = kind_ == SamplerKind::PNDM || kind_ == SamplerKind::DPMSolverPP2M;
    if (multistep && index != stepsTaken_)
        throw Error("Scheduler step " + std::to_string(index) + " requested after " + std::to_string(stepsTaken_) +
                    " of " + std::to_string(timesteps_.size()) + " steps; PNDM and DPM-Solver++ steps must run once "
                    "each, in order.");
    ++stepsTaken_;
    switch (kind_) {
        case SamplerKind::PNDM: return stepPndm(out, index, x);
        case SamplerKind::Euler: return stepEuler(out, index, x);
        case SamplerKind::DPMSolverPP2M: return stepDpmSolver(out, index, x);
        default: break;
    }
    const int64_t t = timesteps_.at(static_cast<std::size_t>(index));
    const int64_t prev = previousTimestep(index);
    const double aT = alphaBar(t), aPrev = alphaBar(prev);
    const double bT = 1.0 - aT, bPrev = 1.0 - aPrev;
    auto noiseLike = [&](const torch::Tensor& like) {
        return torch::randn(like.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32)).to(like.device(), like.dtype());
    };

    StepOutput result;
    if (kind_ == SamplerKind::DDIM) {
        torch::Tensor eps;
        result.predictedX0 = predictX0(out, x, aT, &eps);
        const double variance = (bPrev / bT) * (1.0 - aT / aPrev);
        const double std = eta_ * std::sqrt(variance);
        const double dirCoeff = std::sqrt(std::max(0.0, 1.0 - aPrev - std * std));
        result.prevSample = std::sqrt(aPrev) * result.predictedX0 + dirCoeff * eps;
        if (eta_ > 0) result.prevSample = result.prevSample + std * noiseLike(x);
        return result;
    }

    // DDPM
    result.predictedX0 = predictX0(out, x, aT, nullptr);
    const double alphaT = aT / aPrev;
    const double betaT = 1.0 - alphaT;
    const double x0Coeff = std::sqrt(aPrev) * betaT / bT;
    const double xCoeff = std::sqrt(alphaT) * bPrev / bT;
    result.prevSample = x0Coeff * result.predictedX0 + xCoeff * x;
    if (t > 0) {
        double variance = std::max(bPrev / bT * betaT, 1e-20);
        if (config_.varianceType == VarianceType::FixedLarge) variance = betaT;
        result.prevSample = result.prevSample + std::sqrt(variance) * noiseLike(x);
    }
    return result;
}

torch::Tensor Scheduler::addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
    return schedule_.addNoise(x0, noise, t);
}

torch::Tensor NoiseSchedule::addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
    torch::Tensor acp = alphasCumprod.to(x0.device()).index_select(0, t.to(x0.device(), torch::kInt64));
    torch::Tensor a = acp.sqrt().view({-1, 1, 1, 1});
    torch::Tensor b = (1 - acp).sqrt().view({-1, 1, 1, 1});
    return a * x0 + b * noise;
}

}  // namespace dq
