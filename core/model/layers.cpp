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

const char* unitKindName(UnitKind kind) {
    switch (kind) {
        case UnitKind::Resnet: return "resnet";
        case UnitKind::Attention: return "attention";
        case UnitKind::Transformer: return "transformer";
        case UnitKind::Layer: return "layer";
    }
    return "?";
}

// ------------------------------------------------------------- WeightedLayer

WeightedLayer::WeightedLayer(const Conv& conv, bool withBias) {
    site.kind = SiteKind::Conv2d;
    site.weightShape = {conv.out, conv.in, conv.kernel, conv.kernel};
    site.inputChannels = conv.in;
    site.stride = conv.stride;
    site.padding = conv.padding;
    declareParameters(withBias);
}

WeightedLayer::WeightedLayer(const Linear& linear, bool withBias) {
    site.kind = SiteKind::Linear;
    site.weightShape = {linear.out, linear.in};
    site.inputChannels = linear.in;
    declareParameters(withBias);
}

void WeightedLayer::declareParameters(bool withBias) {
    // PyTorch's default initialisation bound for both: 1/sqrt(fan_in).
    int64_t fanIn = 1;
    for (std::size_t i = 1; i < site.weightShape.size(); ++i) fanIn *= site.weightShape[i];
    addParameter("weight", &weight, site.weightShape, InitKind::FanInUniform, fanIn);
    if (withBias) addParameter("bias", &bias, {site.weightShape[0]}, InitKind::FanInUniform, fanIn);
    addSite("", &site);
}

torch::Tensor WeightedLayer::apply(const torch::Tensor& x, const torch::Tensor& w) const {
    if (site.kind == SiteKind::Linear) return torch::linear(x, w, bias);
    return torch::conv2d(x, w, bias, {site.stride, site.stride}, {site.padding, site.padding});
}

torch::Tensor WeightedLayer::forward(const torch::Tensor& x, const InterceptionState& state) const {
    return observeUnit(state, {x, {}, {}}, [&](const InterceptionState& inner) { return intercepted(x, inner); });
}

torch::Tensor WeightedLayer::runUnit(const UnitInputs& inputs, const InterceptionState& state) const {
    return intercepted(inputs.x, state);
}

torch::Tensor WeightedLayer::intercepted(const torch::Tensor& x, const InterceptionState& state) const {
    if (!state.interceptor) return apply(x, weight);
    Interceptor& hook = *state.interceptor;
    torch::Tensor input = hook.onInput(site, x, state.step);
    torch::Tensor w = hook.onWeight(site, weight, state.step);
    torch::Tensor output = apply(input, w);
    torch::Tensor reference = hook.wantsReferenceOutput(site) ? apply(x, weight) : torch::Tensor();
    return hook.onOutput(site, output, reference, state.step);
}

// ------------------------------------------------------------ GroupNormLayer

GroupNormLayer::GroupNormLayer(int64_t channels, int64_t groups, double eps) : groups_(groups), eps_(eps) {
    addParameter("weight", &weight, {channels}, InitKind::Ones);
    addParameter("bias", &bias, {channels}, InitKind::Zeros);
}

torch::Tensor GroupNormLayer::forward(const torch::Tensor& x) const {
    return torch::group_norm(x, groups_, weight, bias, eps_);
}

// ------------------------------------------------------------------ helpers

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
