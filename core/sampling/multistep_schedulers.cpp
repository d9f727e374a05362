// The samplers Stable Diffusion pipelines use besides DDIM: PNDM (PLMS with
// skip_prk_steps), Euler (EulerDiscreteScheduler) and DPM-Solver++ 2M, as
// diffusers v0.21.4 computes them, each with its own timestep spacing. The
// coefficients are computed in double; diffusers computes them in float32,
// so results agree to float32 rounding, not bit for bit.
#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/sampling/scheduler.h"

namespace dq {

namespace {
// numpy.linspace(start, stop, n)[i], as scheduler.cpp's makeTimesteps uses it.
double linspaceAt(double start, double stop, int n, int i) {
    if (n == 1) return start;
    if (i == n - 1) return stop;
    return start + i * ((stop - start) / (n - 1));
}
int64_t roundHalfEven(double v) { return static_cast<int64_t>(std::nearbyint(v)); }
}  // namespace

std::vector<int64_t> Scheduler::multistepTimesteps(const SchedulerConfig& c, SamplerKind kind, int steps,
                                                   TimestepSpacing spacing) {
    const int64_t T = c.numTrainTimesteps;
    const char* name = samplerKindName(kind);
    if (steps < 1 || steps > T)
        throw Error("The number of sampling steps must be between 1 and num_train_timesteps (" + std::to_string(T) +
                    "), got " + std::to_string(steps) + ".");
    if (spacing == TimestepSpacing::Quad)
        throw Error(std::string("The quad timestep spacing is Q-Diffusion's DDIM schedule; ") + name +
                    " supports leading, trailing and linspace.");
    std::vector<int64_t> ts;  // descending
    if (kind == SamplerKind::PNDM) {
        if (steps < 2) throw Error("PNDM needs at least 2 sampling steps.");
        std::vector<int64_t> ascending;
        if (spacing == TimestepSpacing::Leading) {
            for (int i = 0; i < steps; ++i) ascending.push_back(int64_t(i) * (T / steps) + c.stepsOffset);
        } else if (spacing == TimestepSpacing::Trailing) {
            const double ratio = double(T) / steps;
            for (int i = steps - 1; i >= 0; --i) ascending.push_back(roundHalfEven(T - i * ratio) - 1);
        } else {
            for (int i = 0; i < steps; ++i) ascending.push_back(roundHalfEven(linspaceAt(0, double(T - 1), steps, i)));
        }
        // skip_prk_steps: [ts[:-1], ts[-2:-1], ts[-1:]] reversed: the second
        // timestep from the top runs twice (PLMS's warm-up step).
        std::vector<int64_t> plms(ascending.begin(), ascending.end() - 1);
        plms.push_back(ascending[ascending.size() - 2]);
        plms.push_back(ascending.back());
        ts.assign(plms.rbegin(), plms.rend());
    } else if (kind == SamplerKind::Euler) {
        if (spacing == TimestepSpacing::Linspace)
            throw Error("Euler with linspace spacing evaluates the model at fractional timesteps, which this engine "
                        "does not support; use leading or trailing.");
        ts = makeTimesteps(c, steps, spacing);
    } else {  // DPM-Solver++: N + 1 points, the last (lowest) dropped, duplicates removed.
        if (spacing == TimestepSpacing::Leading) {
            const int64_t ratio = T / (steps + 1);
            for (int i = steps; i >= 1; --i) ts.push_back(int64_t(i) * ratio + c.stepsOffset);
        } else if (spacing == TimestepSpacing::Trailing) {
            const double ratio = double(T) / steps;
            for (int i = 0; double(T) - i * ratio > 0; ++i) ts.push_back(roundHalfEven(double(T) - i * ratio) - 1);
        } else {
            for (int i = steps; i >= 1; --i) ts.push_back(roundHalfEven(linspaceAt(0, double(T - 1), steps + 1, i)));
        }
        std::vector<int64_t> unique;
        for (int64_t t : ts)
            if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
        ts = unique;
    }
    for (int64_t t : ts)
        if (t < 0 || t >= T)
            throw Error("Timestep " + std::to_string(t) + " is outside [0, " + std::to_string(T - 1) +
                        "]; lower steps_offset or the step count.");
    return ts;
}

void Scheduler::prepareMultistep() {
    if (config_.predictionType == PredictionType::Sample && kind_ == SamplerKind::PNDM)
        throw Error("PNDM supports epsilon and v_prediction models, not prediction_type 'sample'.");
    if (kind_ == SamplerKind::Euler) {
        // σ_t = √((1 − ᾱ_t) / ᾱ_t), from the float32 ᾱ as diffusers takes it.
        for (int64_t t : timesteps_) {
            const float a = static_cast<float>(schedule_.alphaBar[static_cast<std::size_t>(t)]);
            sigmas_.push_back(static_cast<float>(std::sqrt((1.0f - a) / a)));
        }
        sigmas_.push_back(0.0);
    }
}

double Scheduler::initNoiseSigma() const {
    if (kind_ != SamplerKind::Euler) return 1.0;
    const double top = *std::max_element(sigmas_.begin(), sigmas_.end());
    // diffusers: σ_max for linspace and trailing spacing, √(σ_max² + 1) for leading.
    return spacing_ == TimestepSpacing::Trailing ? top : std::sqrt(top * top + 1.0);
}

torch::Tensor Scheduler::scaleModelInput(const torch::Tensor& sample, int index) const {
    if (kind_ != SamplerKind::Euler) return sample;
    const double sigma = sigmas_.at(static_cast<std::size_t>(index));
    return sample / std::sqrt(sigma * sigma + 1.0);
}

torch::Tensor Scheduler::epsilonFrom(const torch::Tensor& out, const torch::Tensor& x, double aT) const {
    if (config_.predictionType == PredictionType::VPrediction) return std::sqrt(aT) * out + std::sqrt(1.0 - aT) * x;
    if (config_.predictionType == PredictionType::Sample) return (x - std::sqrt(aT) * out) / std::sqrt(1.0 - aT);
    return out;
}

StepOutput Scheduler::stepPndm(const torch::Tensor& out, int index, const torch::Tensor& x) {
    const int64_t N = static_cast<int64_t>(timesteps_.size()) - 1;
    int64_t t = timesteps_.at(static_cast<std::size_t>(index));
    int64_t prev = t - config_.numTrainTimesteps / N;
    // The raw outputs are combined; v-prediction becomes ε afterwards, at the
    // step's timestep and sample, as diffusers' _get_prev_sample does.
    torch::Tensor combined = out;
    torch::Tensor sample = x;
    if (counter_ != 1) {
        if (history_.size() > 3) history_.erase(history_.begin(), history_.end() - 3);
        history_.push_back(out);
    } else {
        // The warm-up repeats the first timestep and averages its two outputs.
        prev = t;
        t = t + config_.numTrainTimesteps / N;
    }
    const std::size_t n = history_.size();
    if (n == 1 && counter_ == 0) {
        heldSample_ = x;
    } else if (n == 1 && counter_ == 1) {
        combined = (out + history_.back()) / 2;
        sample = heldSample_;
        heldSample_ = torch::Tensor();
    } else if (n == 2) {
        combined = (3 * history_[n - 1] - history_[n - 2]) / 2;
    } else if (n == 3) {
        combined = (23 * history_[n - 1] - 16 * history_[n - 2] + 5 * history_[n - 3]) / 12;
    } else {
        combined = (1.0 / 24) * (55 * history_[n - 1] - 59 * history_[n - 2] + 37 * history_[n - 3] - 9 * history_[n - 4]);
    }
    const torch::Tensor eps = epsilonFrom(combined, sample, alphaBar(t));
    const double aT = alphaBar(t), aPrev = alphaBar(prev);
    const double bT = 1.0 - aT, bPrev = 1.0 - aPrev;
    const double sampleCoeff = std::sqrt(aPrev / aT);
    const double denom = aT * std::sqrt(bPrev) + std::sqrt(aT * bT * aPrev);
    StepOutput result;
    result.prevSample = sampleCoeff * sample - ((aPrev - aT) / denom) * eps;
    result.predictedX0 = (sample - std::sqrt(bT) * eps) / std::sqrt(aT);
    ++counter_;
    return result;
}

StepOutput Scheduler::stepEuler(const torch::Tensor& out, int index, const torch::Tensor& x) const {
    const double sigma = sigmas_.at(static_cast<std::size_t>(index));
    const double next = sigmas_.at(static_cast<std::size_t>(index) + 1);
    StepOutput result;
    switch (config_.predictionType) {
        case PredictionType::Epsilon: result.predictedX0 = x - sigma * out; break;
        case PredictionType::Sample: result.predictedX0 = out; break;
        case PredictionType::VPrediction:
            result.predictedX0 = out * (-sigma / std::sqrt(sigma * sigma + 1.0)) + x / (sigma * sigma + 1.0);
            break;
    }
    const torch::Tensor derivative = (x - result.predictedX0) / sigma;
    result.prevSample = x + derivative * (next - sigma);
    return result;
}

StepOutput Scheduler::stepDpmSolver(const torch::Tensor& out, int index, const torch::Tensor& x) {
    const int count = static_cast<int>(timesteps_.size());
    const int64_t s0 = timesteps_.at(static_cast<std::size_t>(index));
    const int64_t t = previousTimestep(index);
    auto alpha = [&](int64_t u) { return std::sqrt(alphaBar(u)); };
    auto sigma = [&](int64_t u) { return std::sqrt(1.0 - alphaBar(u)); };
    auto lambda = [&](int64_t u) { return std::log(alpha(u)) - std::log(sigma(u)); };
    // The data prediction x0 (dpmsolver++).
    torch::Tensor m0;
    switch (config_.predictionType) {
        case PredictionType::Epsilon: m0 = (x - sigma(s0) * out) / alpha(s0); break;
        case PredictionType::Sample: m0 = out; break;
        case PredictionType::VPrediction: m0 = alpha(s0) * x - sigma(s0) * out; break;
    }
    // First order at the first step, and at the last for fewer than 15 steps
    // (lower_order_final); second order (midpoint) otherwise.
    const bool firstOrder = history_.empty() || (index == count - 1 && count < 15);
    const double h = lambda(t) - lambda(s0);
    const double expTerm = std::exp(-h) - 1.0;
    StepOutput result;
    result.predictedX0 = m0;
    if (firstOrder) {
        result.prevSample = (sigma(t) / sigma(s0)) * x - (alpha(t) * expTerm) * m0;
    } else {
        const int64_t s1 = timesteps_.at(static_cast<std::size_t>(index) - 1);
        const double r0 = (lambda(s0) - lambda(s1)) / h;
        const torch::Tensor d1 = (1.0 / r0) * (m0 - history_.back());
        result.prevSample = (sigma(t) / sigma(s0)) * x - (alpha(t) * expTerm) * m0 - 0.5 * (alpha(t) * expTerm) * d1;
    }
    history_.assign({m0});
    return result;
}

}  // namespace dq
