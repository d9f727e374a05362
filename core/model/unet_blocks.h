#pragma once
// The U-Net's blocks, each reproducing its diffusers counterpart
// (ResnetBlock2D, Attention with AttnProcessor, Down/Up/Mid blocks).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/layers.h"

namespace dq {

// A reconstruction unit and how to run it alone (with the caller's
// interception state, so quantizers apply as they would in the network).
struct UnitRunner {
    const UnitInfo* info = nullptr;
    std::function<torch::Tensor(const UnitInputs&, const InterceptionState&)> run;
};

// Appends a standalone layer (makeStandaloneUnit) as a unit.
void collectLayerUnit(const WeightedLayer& layer, std::vector<UnitRunner>& units);

class ResnetBlock {
public:
    // splitChannels > 0 marks a decoder block whose input is cat(h, skip).
    ResnetBlock(const std::string& prefix, const std::string& block, int64_t in, int64_t out, int64_t tembChannels,
                int64_t groups, double eps, double outputScale, int64_t splitChannels = 0);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;

private:
    torch::Tensor compute(const torch::Tensor& x, const torch::Tensor& temb, const InterceptionState& state) const;
    UnitInfo unit_;
    GroupNormLayer norm1_, norm2_;
    WeightedLayer conv1_, timeEmbProj_, conv2_;
    std::optional<WeightedLayer> convShortcut_;
    double outputScale_;
};

class AttentionBlock {
public:
    AttentionBlock(const std::string& prefix, const std::string& block, int64_t channels, int64_t headDim,
                   int64_t groups, double eps, double rescale);
    torch::Tensor forward(const torch::Tensor& x, const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;

private:
    torch::Tensor compute(const torch::Tensor& x, const InterceptionState& state) const;
    UnitInfo unit_;
    std::string prefix_;
    GroupNormLayer norm_;
    WeightedLayer toQ_, toK_, toV_, toOut_;
    SiteInfo qSite_, kSite_, vSite_, probsSite_;
    int64_t heads_;
    int64_t headDim_;
    double rescale_;
};

struct BlockSettings {
    int64_t tembChannels;
    int64_t groups;
    std::optional<int64_t> attentionGroups;  // attn_norm_num_groups: diffusers applies it to the mid block only
    double eps;
    std::optional<int64_t> headDim;  // nullopt: one head of all channels
};

// The resnets of a down or up block, each optionally followed by its attention
// (diffusers' Attn*Block2D), in registration and execution order.
class ResnetAttentionStack {
public:
    void add(ResnetBlock resnet, std::optional<AttentionBlock> attention);
    std::size_t size() const { return resnets_.size(); }
    // Runs resnet i and, if present, attention i.
    torch::Tensor forwardLayer(std::size_t i, const torch::Tensor& x, const torch::Tensor& temb,
                               const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;

private:
    std::vector<ResnetBlock> resnets_;
    std::vector<AttentionBlock> attentions_;
};

class DownBlock {
public:
    DownBlock(int index, int64_t in, int64_t out, int layers, bool attention, bool downsample, int downsamplePadding,
              const BlockSettings& settings);
    // Appends one skip per resnet (after its attention) and one after the downsampler.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips,
                          const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;
    std::string describe() const { return description_; }

private:
    ResnetAttentionStack layers_;
    std::optional<WeightedLayer> downsampler_;
    int downsamplePadding_;
    std::string description_;
};

class UpBlock {
public:
    UpBlock(int index, int64_t in, int64_t prevOut, int64_t out, int layers, bool attention, bool upsample,
            const BlockSettings& settings);
    // Pops one skip per resnet from the back of `skips`.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips,
                          const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;
    std::string describe() const { return description_; }

private:
    ResnetAttentionStack layers_;
    std::optional<WeightedLayer> upsampler_;
    std::string description_;
};

class MidBlock {
public:
    MidBlock(int64_t channels, bool attention, double scale, const BlockSettings& settings);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const InterceptionState& state) const;
    void registerParameters(ParameterRegistry& registry);
    void collectSites(std::vector<SiteInfo*>& sites);
    void collectUnits(std::vector<UnitRunner>& units) const;
    std::string describe() const { return description_; }

private:
    std::vector<ResnetBlock> resnets_;
    std::vector<AttentionBlock> attentions_;
    std::string description_;
};

}  // namespace dq
