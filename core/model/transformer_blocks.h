#pragma once
// The text-conditioned U-Net's attention: diffusers' Transformer2DModel with
// BasicTransformerBlocks (self-attention, cross-attention on the text
// encoder's states, GEGLU feed-forward), as Stable Diffusion 1.x and 2.x use it.
#include <string>

#include <torch/types.h>

#include "core/model/layers.h"
#include "core/model/unet_blocks.h"

namespace dq {

class LayerNormLayer : public Module {
public:
    LayerNormLayer(int64_t channels, double eps);
    torch::Tensor forward(const torch::Tensor& x) const;

    torch::Tensor weight;
    torch::Tensor bias;

private:
    int64_t channels_;
    double eps_;
};

// diffusers' Attention with AttnProcessor on tokens [B, N, C]: self-attention,
// or cross-attention when `contextChannels` > 0 (keys and values come from
// the context). Sites: to_q, to_k, to_v, the q/k/v/softmax operands, to_out.0.
class TokenAttention : public Module {
public:
    TokenAttention(int64_t channels, int64_t heads, int64_t headDim, int64_t contextChannels);
    torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& context, const InterceptionState& state) const;
    bool isCrossAttention() const { return cross_; }

private:
    WeightedLayer *toQ_, *toK_, *toV_, *toOut_;
    SiteInfo qSite_, kSite_, vSite_, probsSite_;
    int64_t heads_, headDim_;
    bool cross_;
};

// FeedForward with GEGLU: net.0.proj (to 2 × 4C, halves: value and gate),
// value · gelu(gate), net.2 back to C.
class GegluFeedForward : public Module {
public:
    explicit GegluFeedForward(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x, const InterceptionState& state) const;

private:
    WeightedLayer *proj_, *out_;
};

// norm1 → attn1 (self) → +, norm2 → attn2 (cross) → +, norm3 → ff → +.
// A reconstruction unit on its own: input tokens [B, N, C], context [B, L, D].
class BasicTransformerBlock : public Module {
public:
    BasicTransformerBlock(int64_t channels, int64_t heads, int64_t headDim, int64_t contextChannels);
    torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& context, const InterceptionState& state) const;

protected:
    torch::Tensor runUnit(const UnitInputs& inputs, const InterceptionState& state) const override;

private:
    torch::Tensor compute(const torch::Tensor& tokens, const torch::Tensor& context, const InterceptionState& state) const;
    LayerNormLayer *norm1_, *norm2_, *norm3_;
    TokenAttention *attn1_, *attn2_;
    GegluFeedForward* ff_;
};

struct TransformerSettings {
    int64_t heads = 8;
    int64_t layers = 1;               // transformer_layers_per_block
    int64_t contextChannels = 768;    // cross_attention_dim
    bool linearProjection = false;    // use_linear_projection (SD 2.x)
    int64_t groups = 32;
};

// Transformer2DModel on a feature map: GroupNorm (eps 1e-6), proj_in (1×1
// conv or linear), the transformer blocks on the pixels as tokens, proj_out,
// plus the input.
class Transformer2D : public SpatialAttention {
public:
    Transformer2D(int64_t channels, const TransformerSettings& settings);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context,
                          const InterceptionState& state) const override;

private:
    GroupNormLayer* norm_;
    WeightedLayer *projIn_, *projOut_;
    std::vector<BasicTransformerBlock*> blocks_;
    bool linear_;
};

}  // namespace dq
