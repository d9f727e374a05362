#pragma once
// Functional building blocks of the U-Net. Parameters are plain tensors
// registered by name in a ParameterRegistry, so loading, device moves,
// training and quantization all address them by state-dict key.
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/interceptor.h"
#include "core/model/parameter_info.h"

namespace dq {

struct ParameterSlot {
    std::string name;
    std::string legacyName;  // older diffusers key for the same tensor, or empty
    torch::Tensor* tensor = nullptr;
    std::vector<int64_t> shape;
    InitKind init = InitKind::Zeros;
    int64_t fanIn = 1;
};

class ParameterRegistry {
public:
    void add(ParameterSlot slot) { slots_.push_back(std::move(slot)); }
    const std::vector<ParameterSlot>& slots() const { return slots_; }
    std::vector<ParameterSlot>& slots() { return slots_; }

private:
    std::vector<ParameterSlot> slots_;
};

// Conv2d or Linear with a named interception point.
class WeightedLayer {
public:
    WeightedLayer() = default;
    static WeightedLayer conv(std::string name, std::string block, int64_t in, int64_t out, int64_t kernel,
                              int64_t stride, int64_t padding);
    static WeightedLayer linear(std::string name, std::string block, int64_t in, int64_t out);

    torch::Tensor forward(const torch::Tensor& x, const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry, const std::string& legacyName = {});

    // Marks this layer as a reconstruction unit of its own (conv_in, the
    // embedding linears, samplers, conv_out); layers inside blocks are not.
    void makeStandaloneUnit();
    const UnitInfo* unit() const { return unit_.get(); }

    SiteInfo site;
    torch::Tensor weight;
    torch::Tensor bias;

private:
    std::shared_ptr<const UnitInfo> unit_;
    torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& w) const;
};

class GroupNormLayer {
public:
    GroupNormLayer() = default;
    GroupNormLayer(std::string name, int64_t channels, int64_t groups, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;
    void registerParameters(ParameterRegistry& registry);

    std::string name;
    torch::Tensor weight;
    torch::Tensor bias;

private:
    int64_t channels_ = 0;
    int64_t groups_ = 1;
    double eps_ = 1e-5;
};

// Passes an attention matmul operand through the interceptor, if any.
torch::Tensor interceptOperand(const SiteInfo& site, const torch::Tensor& operand, const InterceptionState& state);

// diffusers' get_timestep_embedding (max_period 10000, scale 1).
torch::Tensor sinusoidalEmbedding(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos, double freqShift);

}  // namespace dq
