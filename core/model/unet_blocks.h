#pragma once
// The U-Net's blocks, each reproducing its diffusers counterpart
// (ResnetBlock2D, Attention with AttnProcessor, TimestepEmbedding, the
// Down/Up/Mid blocks). Each declares its children under diffusers' names;
// keys, sites and units follow from the module tree (core/model/module.h).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/layers.h"

namespace dq {

class ResnetBlock : public Module {
public:
    // splitChannels > 0 marks a decoder block whose input is cat(h, skip);
    // tembChannels 0 means no time embedding (the VAE's resnets).
    ResnetBlock(int64_t in, int64_t out, int64_t tembChannels, int64_t groups, double eps, double outputScale,
                int64_t splitChannels = 0);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const InterceptionState& state) const;

protected:
    torch::Tensor runUnit(const UnitInputs& inputs, const InterceptionState& state) const override;

private:
    torch::Tensor compute(const torch::Tensor& x, const torch::Tensor& temb, const InterceptionState& state) const;
    GroupNormLayer *norm1_, *norm2_;
    WeightedLayer *conv1_, *conv2_;
    WeightedLayer* timeEmbProj_ = nullptr;  // none without a time embedding (the VAE)
    WeightedLayer* convShortcut_ = nullptr;
    double outputScale_;
};

// What follows a resnet in an attention block: attention over the pixels of a
// feature map [B, C, H, W], optionally conditioned on a context (text-encoder
// states) that the U-Net passes to every block.
class SpatialAttention : public Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context,
                                  const InterceptionState& state) const = 0;
};

// UNet2DModel's self-attention block (diffusers' Attention with a GroupNorm
// and a residual); it ignores the context.
class AttentionBlock : public SpatialAttention {
public:
    AttentionBlock(int64_t channels, int64_t headDim, int64_t groups, double eps, double rescale);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context,
                          const InterceptionState& state) const override;

protected:
    torch::Tensor runUnit(const UnitInputs& inputs, const InterceptionState& state) const override;

private:
    torch::Tensor compute(const torch::Tensor& x, const InterceptionState& state) const;
    GroupNormLayer* norm_;
    WeightedLayer *toQ_, *toK_, *toV_, *toOut_;
    SiteInfo qSite_, kSite_, vSite_, probsSite_;
    int64_t heads_;
    int64_t headDim_;
    double rescale_;
};

// diffusers' TimestepEmbedding: linear_1, SiLU, linear_2.
class TimestepEmbedding : public Module {
public:
    TimestepEmbedding(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x, const InterceptionState& state) const;

private:
    WeightedLayer *linear1_, *linear2_;
};

struct BlockSettings {
    int64_t tembChannels;
    int64_t groups;
    std::optional<int64_t> attentionGroups;  // attn_norm_num_groups: diffusers applies it to the mid block only
    double eps;
    std::optional<int64_t> headDim;  // nullopt: one head of all channels
    // Builds the attention of an Attn/CrossAttn block (channels, whether it is
    // the mid block's); unset: UNet2DModel's AttentionBlock from the fields above.
    std::function<std::unique_ptr<SpatialAttention>(int64_t channels, bool mid)> makeAttention;
    bool crossAttention = false;  // names the blocks CrossAttn*Block2D / UNetMidBlock2DCrossAttn

    std::unique_ptr<SpatialAttention> attention(int64_t channels, bool mid, double rescale) const;
};

// The resnets of a down or up block, each optionally followed by its attention
// (diffusers' Attn*Block2D): children resnets.i and attentions.i, interleaved.
class ResnetAttentionBlock : public Module {
protected:
    void addLayer(ResnetBlock* resnet, SpatialAttention* attention);
    // Runs resnet i and, if present, attention i.
    torch::Tensor forwardLayer(std::size_t i, const torch::Tensor& x, const torch::Tensor& temb,
                               const torch::Tensor& context, const InterceptionState& state) const;
    std::size_t layerCount() const { return resnets_.size(); }

private:
    std::vector<ResnetBlock*> resnets_;
    std::vector<SpatialAttention*> attentions_;
};

class DownBlock : public ResnetAttentionBlock {
public:
    DownBlock(int64_t in, int64_t out, int layers, bool attention, bool downsample, int downsamplePadding,
              const BlockSettings& settings);
    // Appends one skip per resnet (after its attention) and one after the downsampler.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips, const InterceptionState& state) const;
    std::string describe() const;

private:
    WeightedLayer* downsampler_ = nullptr;
    int downsamplePadding_;
    std::string kind_;
};

class UpBlock : public ResnetAttentionBlock {
public:
    UpBlock(int64_t in, int64_t prevOut, int64_t out, int layers, bool attention, bool upsample,
            const BlockSettings& settings);
    // Pops one skip per resnet from the back of `skips`.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          std::vector<torch::Tensor>& skips, const InterceptionState& state) const;
    std::string describe() const;

private:
    WeightedLayer* upsampler_ = nullptr;
    std::string kind_;
};

class MidBlock : public Module {
public:
    MidBlock(int64_t channels, bool attention, double scale, const BlockSettings& settings);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                          const InterceptionState& state) const;
    std::string describe() const;

private:
    ResnetBlock *resnet0_, *resnet1_;
    SpatialAttention* attention_ = nullptr;
    std::string kind_;
};

}  // namespace dq
