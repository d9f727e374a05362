#pragma once
// The model's interception points. LibTorch has no forward hooks, so every
// Conv2d/Linear and every attention matmul operand calls through here when an
// Interceptor is installed. This is how quantization (replace input/weight),
// statistics (observe input/output) and calibration (record inputs) attach to
// the network without the network knowing about any of them.
#include <cstdint>

#include <torch/types.h>

#include "core/model/model_summary.h"
#include "core/model/unit.h"

namespace dq {

// Where in the sampling trajectory the current forward pass is.
struct StepContext {
    int stepIndex = -1;  // 0-based index into the sampler's timesteps; -1 outside sampling
    int stepCount = 0;
    int64_t timestep = -1;
};

class Interceptor {
public:
    virtual ~Interceptor() = default;
    // The activation entering the site (for attention operands: the operand).
    // Return it unchanged to observe, or a replacement (e.g. fake-quantized).
    virtual torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) {
        return input;
    }
    // The weight of a Conv2d/Linear site about to be used.
    virtual torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) {
        return weight;
    }
    // Whether onOutput of this Conv2d/Linear site needs `reference`, the output
    // of the unmodified input and weight (one extra layer evaluation).
    virtual bool wantsReferenceOutput(const SiteInfo& site) const { return false; }
    // The site's output. For Conv2d/Linear, `reference` is the full-precision
    // output when wantsReferenceOutput said so, else undefined. For attention
    // operands, `output` is what onInput returned and `reference` the original.
    virtual torch::Tensor onOutput(const SiteInfo& site, const torch::Tensor& output, const torch::Tensor& reference,
                                   const StepContext& step) {
        return output;
    }
};

// What each layer sees at call time: the installed interceptor (or none) and
// the current step.
struct InterceptionState {
    Interceptor* interceptor = nullptr;
    UnitObserver* unitObserver = nullptr;
    StepContext step;
};

// Calls the unit observer, if any, around a unit's computation.
inline void notifyUnitInput(const InterceptionState& state, const UnitInfo& unit, const UnitInputs& inputs) {
    if (state.unitObserver) state.unitObserver->onUnitInput(unit, inputs, state.step);
}
inline void notifyUnitOutput(const InterceptionState& state, const UnitInfo& unit, const torch::Tensor& output) {
    if (state.unitObserver) state.unitObserver->onUnitOutput(unit, output, state.step);
}

}  // namespace dq
