#pragma once
// The leaves of the module tree: weighted layers (Conv2d, Linear) with their
// interception point, and GroupNorm; plus the functional helpers the blocks
// share. Parameters are plain tensors that the tree addresses by state-dict key.
#include <string>

#include <torch/types.h>

#include "core/model/interceptor.h"
#include "core/model/module.h"

namespace dq {

// Conv2d or Linear with a named interception point. Its site's name and block
// come from its place in the tree.
class WeightedLayer : public Module {
public:
    struct Conv {
        int64_t in, out, kernel, stride = 1, padding = 0;
    };
    struct Linear {
        int64_t in, out;
    };
    explicit WeightedLayer(const Conv& conv, bool withBias = true);
    explicit WeightedLayer(const Linear& linear, bool withBias = true);

    torch::Tensor forward(const torch::Tensor& x, const InterceptionState& state) const;

    SiteInfo site;
    torch::Tensor weight;
    torch::Tensor bias;  // undefined without bias

protected:
    torch::Tensor runUnit(const UnitInputs& inputs, const InterceptionState& state) const override;
    bool isWeightedLayer() const override { return true; }

private:
    void declareParameters(bool withBias);
    torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& w) const;
    torch::Tensor intercepted(const torch::Tensor& x, const InterceptionState& state) const;
};

class GroupNormLayer : public Module {
public:
    GroupNormLayer(int64_t channels, int64_t groups, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;

    torch::Tensor weight;
    torch::Tensor bias;

private:
    int64_t groups_ = 1;
    double eps_ = 1e-5;
};

// Passes an attention matmul operand through the interceptor, if any.
torch::Tensor interceptOperand(const SiteInfo& site, const torch::Tensor& operand, const InterceptionState& state);

// diffusers' get_timestep_embedding (max_period 10000, scale 1).
torch::Tensor sinusoidalEmbedding(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos, double freqShift);

}  // namespace dq
