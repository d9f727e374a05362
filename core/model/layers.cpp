#include "core/model/layers.h"

#include <cmath>

#include <torch/torch.h>

namespace dq {

const char* initKindName(InitKind kind) {
    switch (kind) {
        case InitKind::FanInUniform: return "fan-in-uniform";
        case InitKind::Ones: return "ones";
        case InitKind::Zeros: return "zeros";
        case InitKind::Normal: return "normal";
    }
    return "?";
}

WeightedLayer WeightedLayer::conv(std::string name, std::string block, int64_t in, int64_t out, int64_t kernel,
                                  int64_t stride, int64_t padding) {
    WeightedLayer layer;
    layer.site.name = std::move(name);
    layer.site.block = std::move(block);
    layer.site.kind = SiteKind::Conv2d;
    layer.site.weightShape = {out, in, kernel, kernel};
    layer.site.inputChannels = in;
    layer.site.stride = stride;
    layer.site.padding = padding;
    return layer;
}

WeightedLayer WeightedLayer::linear(std::string name, std::string block, int64_t in, int64_t out) {
    WeightedLayer layer;
    layer.site.name = std::move(name);
    layer.site.block = std::move(block);
    layer.site.kind = SiteKind::Linear;
    layer.site.weightShape = {out, in};
    layer.site.inputChannels = in;
    return layer;
}

torch::Tensor WeightedLayer::apply(const torch::Tensor& x, const torch::Tensor& w) const {
    if (site.kind == SiteKind::Linear) return torch::linear(x, w, bias);
    return torch::conv2d(x, w, bias, {site.stride, site.stride}, {site.padding, site.padding});
}

const char* unitKindName(UnitKind kind) {
    switch (kind) {
        case UnitKind::Resnet: return "resnet";
        case UnitKind::Attention: return "attention";
        case UnitKind::Layer: return "layer";
    }
    return "?";
}

void WeightedLayer::makeStandaloneUnit() {
    unit_ = std::make_shared<const UnitInfo>(UnitInfo{site.name, UnitKind::Layer, {site.name}});
}

torch::Tensor WeightedLayer::forward(const torch::Tensor& x, const InterceptionState& state) const {
    if (unit_ && state.unitObserver) {
        notifyUnitInput(state, *unit_, {x, {}, {}});
        InterceptionState inner = state;
        inner.unitObserver = nullptr;
        torch::Tensor out = forward(x, inner);
        notifyUnitOutput(state, *unit_, out);
        return out;
    }
    if (!state.interceptor) return apply(x, weight);
    Interceptor& hook = *state.interceptor;
    torch::Tensor input = hook.onInput(site, x, state.step);
    torch::Tensor w = hook.onWeight(site, weight, state.step);
    torch::Tensor output = apply(input, w);
    torch::Tensor reference = hook.wantsReferenceOutput(site) ? apply(x, weight) : torch::Tensor();
    return hook.onOutput(site, output, reference, state.step);
}

void WeightedLayer::registerParameters(ParameterRegistry& registry, const std::string& legacyName) {
    int64_t fanIn = 1;
    for (std::size_t i = 1; i < site.weightShape.size(); ++i) fanIn *= site.weightShape[i];
    registry.add({site.name + ".weight", legacyName.empty() ? "" : legacyName + ".weight", &weight, site.weightShape,
                  InitKind::FanInUniform, fanIn});
    registry.add({site.name + ".bias", legacyName.empty() ? "" : legacyName + ".bias", &bias, {site.weightShape[0]},
                  InitKind::FanInUniform, fanIn});
}

GroupNormLayer::GroupNormLayer(std::string name_, int64_t channels, int64_t groups, double eps)
    : name(std::move(name_)), channels_(channels), groups_(groups), eps_(eps) {}

torch::Tensor GroupNormLayer::forward(const torch::Tensor& x) const {
    return torch::group_norm(x, groups_, weight, bias, eps_);
}

void GroupNormLayer::registerParameters(ParameterRegistry& registry) {
    registry.add({name + ".weight", "", &weight, {channels_}, InitKind::Ones, 1});
    registry.add({name + ".bias", "", &bias, {channels_}, InitKind::Zeros, 1});
}

torch::Tensor interceptOperand(const SiteInfo& site, const torch::Tensor& operand, const InterceptionState& state) {
    if (!state.interceptor) return operand;
    torch::Tensor replaced = state.interceptor->onInput(site, operand, state.step);
    return state.interceptor->onOutput(site, replaced, operand, state.step);
}

torch::Tensor sinusoidalEmbedding(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos, double freqShift) {
    const int64_t half = dim / 2;
    auto options = torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device());
    // Same operation order as diffusers, in float32, for bit-level agreement.
    torch::Tensor exponent = torch::arange(0, half, options) * static_cast<float>(-std::log(10000.0));
    exponent = exponent / static_cast<float>(half - freqShift);
    torch::Tensor arg = timesteps.to(torch::kFloat32).unsqueeze(1) * torch::exp(exponent).unsqueeze(0);
    torch::Tensor emb = flipSinToCos ? torch::cat({torch::cos(arg), torch::sin(arg)}, -1)
                                     : torch::cat({torch::sin(arg), torch::cos(arg)}, -1);
    if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1});
    return emb;
}

}  // namespace dq
