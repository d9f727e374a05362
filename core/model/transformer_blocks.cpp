#include "core/model/transformer_blocks.h"

#include <cmath>

#include <torch/torch.h>

namespace dq {

// ------------------------------------------------------------ LayerNormLayer

LayerNormLayer::LayerNormLayer(int64_t channels, double eps) : channels_(channels), eps_(eps) {
    addParameter("weight", &weight, {channels}, InitKind::Ones);
    addParameter("bias", &bias, {channels}, InitKind::Zeros);
}

torch::Tensor LayerNormLayer::forward(const torch::Tensor& x) const {
    return torch::layer_norm(x, {channels_}, weight, bias, eps_);
}

// ------------------------------------------------------------ TokenAttention

TokenAttention::TokenAttention(int64_t channels, int64_t heads, int64_t headDim, int64_t contextChannels)
    : heads_(heads), headDim_(headDim), cross_(contextChannels > 0) {
    const int64_t inner = heads * headDim;
    const int64_t keyChannels = cross_ ? contextChannels : channels;
    // Stable Diffusion's projections have no bias (attention_bias false), to_out has one.
    toQ_ = addChild<WeightedLayer>("to_q", WeightedLayer::Linear{channels, inner}, false);
    toK_ = addChild<WeightedLayer>("to_k", WeightedLayer::Linear{keyChannels, inner}, false);
    toV_ = addChild<WeightedLayer>("to_v", WeightedLayer::Linear{keyChannels, inner}, false);
    qSite_.kind = SiteKind::AttentionQuery;
    kSite_.kind = SiteKind::AttentionKey;
    vSite_.kind = SiteKind::AttentionValue;
    probsSite_.kind = SiteKind::AttentionProbs;
    addSite("q", &qSite_);
    addSite("k", &kSite_);
    addSite("v", &vSite_);
    addSite("softmax", &probsSite_);
    toOut_ = addChild<WeightedLayer>("to_out.0", WeightedLayer::Linear{inner, channels});
    for (SiteInfo* site : {&toK_->site, &toV_->site, &kSite_, &vSite_}) site->contextInput = cross_;
}

torch::Tensor TokenAttention::forward(const torch::Tensor& tokens, const torch::Tensor& context,
                                      const InterceptionState& state) const {
    const torch::Tensor& source = cross_ ? context : tokens;
    const int64_t b = tokens.size(0), n = tokens.size(1), m = source.size(1);
    // head_to_batch_dim: [B, N, H·D] → [B·H, N, D].
    auto toHeads = [&](const torch::Tensor& t, int64_t len) {
        return t.reshape({b, len, heads_, headDim_}).permute({0, 2, 1, 3}).reshape({b * heads_, len, headDim_});
    };
    torch::Tensor q = toHeads(toQ_->forward(tokens, state), n);
    torch::Tensor k = toHeads(toK_->forward(source, state), m);
    torch::Tensor v = toHeads(toV_->forward(source, state), m);
    q = interceptOperand(qSite_, q, state);
    k = interceptOperand(kSite_, k, state);
    v = interceptOperand(vSite_, v, state);
    // diffusers: scale = dim_head ** -0.5, fused into baddbmm. In place on
    // zeros for the reason given in AttentionBlock::compute.
    const double scale = std::pow(static_cast<double>(headDim_), -0.5);
    torch::Tensor scores = torch::zeros({b * heads_, n, m}, q.options()).baddbmm_(q, k.transpose(-1, -2), 0.0, scale);
    torch::Tensor probs = torch::softmax(scores, -1);
    probs = interceptOperand(probsSite_, probs, state);
    // batch_to_head_dim: [B·H, N, D] → [B, N, H·D].
    torch::Tensor out = torch::bmm(probs, v).reshape({b, heads_, n, headDim_}).permute({0, 2, 1, 3}).reshape(
        {b, n, heads_ * headDim_});
    return toOut_->forward(out, state);
}

// ---------------------------------------------------------- GegluFeedForward

GegluFeedForward::GegluFeedForward(int64_t channels) {
    const int64_t inner = 4 * channels;
    proj_ = addChild<WeightedLayer>("net.0.proj", WeightedLayer::Linear{channels, 2 * inner});
    out_ = addChild<WeightedLayer>("net.2", WeightedLayer::Linear{inner, channels});
}

torch::Tensor GegluFeedForward::forward(const torch::Tensor& x, const InterceptionState& state) const {
    const auto halves = proj_->forward(x, state).chunk(2, -1);
    return out_->forward(halves[0] * torch::gelu(halves[1]), state);
}

// ----------------------------------------------------- BasicTransformerBlock

BasicTransformerBlock::BasicTransformerBlock(int64_t channels, int64_t heads, int64_t headDim, int64_t contextChannels) {
    norm1_ = addChild<LayerNormLayer>("norm1", channels, 1e-5);
    attn1_ = addChild<TokenAttention>("attn1", channels, heads, headDim, 0);
    norm2_ = addChild<LayerNormLayer>("norm2", channels, 1e-5);
    attn2_ = addChild<TokenAttention>("attn2", channels, heads, headDim, contextChannels);
    norm3_ = addChild<LayerNormLayer>("norm3", channels, 1e-5);
    ff_ = addChild<GegluFeedForward>("ff", channels);
    makeUnit(UnitKind::Transformer);
}

torch::Tensor BasicTransformerBlock::forward(const torch::Tensor& tokens, const torch::Tensor& context,
                                             const InterceptionState& state) const {
    return observeUnit(state, {tokens, {}, context},
                       [&](const InterceptionState& inner) { return compute(tokens, context, inner); });
}

torch::Tensor BasicTransformerBlock::runUnit(const UnitInputs& in, const InterceptionState& state) const {
    return compute(in.x, in.context, state);
}

torch::Tensor BasicTransformerBlock::compute(const torch::Tensor& tokens, const torch::Tensor& context,
                                             const InterceptionState& state) const {
    torch::Tensor h = attn1_->forward(norm1_->forward(tokens), torch::Tensor(), state) + tokens;
    h = attn2_->forward(norm2_->forward(h), context, state) + h;
    return ff_->forward(norm3_->forward(h), state) + h;
}

// ------------------------------------------------------------- Transformer2D

Transformer2D::Transformer2D(int64_t channels, const TransformerSettings& s) : linear_(s.linearProjection) {
    const int64_t headDim = channels / s.heads;
    const int64_t inner = s.heads * headDim;
    norm_ = addChild<GroupNormLayer>("norm", channels, s.groups, 1e-6);
    projIn_ = linear_ ? addChild<WeightedLayer>("proj_in", WeightedLayer::Linear{channels, inner})
                      : addChild<WeightedLayer>("proj_in", WeightedLayer::Conv{channels, inner, 1, 1, 0});
    for (int64_t i = 0; i < s.layers; ++i)
        blocks_.push_back(addChild<BasicTransformerBlock>("transformer_blocks." + std::to_string(i), inner, s.heads,
                                                          headDim, s.contextChannels));
    projOut_ = linear_ ? addChild<WeightedLayer>("proj_out", WeightedLayer::Linear{inner, channels})
                       : addChild<WeightedLayer>("proj_out", WeightedLayer::Conv{inner, channels, 1, 1, 0});
}

torch::Tensor Transformer2D::forward(const torch::Tensor& x, const torch::Tensor& context,
                                     const InterceptionState& state) const {
    const int64_t b = x.size(0), height = x.size(2), width = x.size(3);
    torch::Tensor h = norm_->forward(x);
    int64_t inner = 0;
    if (!linear_) {
        h = projIn_->forward(h, state);
        inner = h.size(1);
        h = h.permute({0, 2, 3, 1}).reshape({b, height * width, inner});
    } else {
        inner = h.size(1);
        h = projIn_->forward(h.permute({0, 2, 3, 1}).reshape({b, height * width, inner}), state);
        inner = h.size(2);
    }
    for (const BasicTransformerBlock* block : blocks_) h = block->forward(h, context, state);
    if (!linear_) {
        h = h.reshape({b, height, width, inner}).permute({0, 3, 1, 2}).contiguous();
        h = projOut_->forward(h, state);
    } else {
        h = projOut_->forward(h, state);
        h = h.reshape({b, height, width, h.size(2)}).permute({0, 3, 1, 2}).contiguous();
    }
    return h + x;
}

}  // namespace dq
