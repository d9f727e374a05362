#pragma once
// diffusers' UNet2DConditionModel (the U-Net of Stable Diffusion 1.x and 2.x):
// ResNet blocks and cross-attention transformer blocks conditioned on the
// text encoder's hidden states. Loads the `unet/` folder of a pipeline.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/denoiser.h"
#include "core/model/unet_condition_config.h"

namespace dq {

struct UNetConditionNetwork;  // the module tree; defined in unet2d_condition.cpp

class UNet2DConditionModel : public Denoiser {
public:
    explicit UNet2DConditionModel(UNetConditionConfig config);
    ~UNet2DConditionModel() override;
    UNet2DConditionModel(UNet2DConditionModel&&) noexcept;
    UNet2DConditionModel& operator=(UNet2DConditionModel&&) noexcept;

    // Reads config.json and diffusion_pytorch_model.safetensors from `folder`.
    static UNet2DConditionModel load(const std::string& folder);
    void save(const std::string& folder) const;

    // Conditioned on encoder hidden states [B, tokens, cross_attention_dim].
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                          const Conditioning& conditioning) const override;

    ConditioningSpec conditioningSpec() const override;
    SampleShape sampleShape() const override;
    double workingBytes(int64_t batch, int64_t height, int64_t width) const override;

    void initializeRandom(uint64_t seed);
    std::map<std::string, torch::Tensor> stateDict() const override;
    void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) override;
    std::vector<torch::Tensor> parameters() const override;
    std::vector<ParameterInfo> parameterInfos() const override;
    int64_t parameterCount() const override;
    void to(const torch::Device& device) override;
    torch::Device device() const override;
    ModelSummary summary() const override;
    const std::string& folder() const override { return folder_; }

    const UNetConditionConfig& config() const { return config_; }
    const std::vector<SiteInfo>& sites() const override { return sites_; }
    // Reconstruction units: ResnetBlock2D, BasicTransformerBlock, standalone layers (proj_in/out among them).
    const std::vector<UnitInfo>& units() const override { return units_; }
    torch::Tensor runUnit(std::size_t index, const UnitInputs& inputs) const override;

private:
    UNetConditionConfig config_;
    std::string folder_;
    std::unique_ptr<UNetConditionNetwork> net_;
    std::vector<SiteInfo> sites_;
    std::vector<UnitInfo> units_;
};

}  // namespace dq
