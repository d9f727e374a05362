#pragma once
// diffusers' UNet2DModel, reproduced for inference (and, with gradients, for
// training). Load a diffusers folder with UNet2DModel::load.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/denoiser.h"
#include "core/model/unet_config.h"

namespace dq {

struct UNetNetwork;  // the module tree; defined in unet2d.cpp

class UNet2DModel : public Denoiser {
public:
    explicit UNet2DModel(UNetConfig config);
    ~UNet2DModel() override;
    UNet2DModel(UNet2DModel&&) noexcept;
    UNet2DModel& operator=(UNet2DModel&&) noexcept;

    // Reads config.json and diffusion_pytorch_model.safetensors from `folder`.
    // Missing, extra or mis-shaped tensors are rejected with their key.
    static UNet2DModel load(const std::string& folder);
    // Writes config.json and diffusion_pytorch_model.safetensors atomically.
    void save(const std::string& folder) const;

    // Conditioned on class labels (class-conditional configs) or nothing.
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                          const Conditioning& conditioning) const override;
    // The same with class labels [B] int64, required exactly when the model is class-conditional.
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                          const torch::Tensor& classLabels = {}) const;

    ConditioningSpec conditioningSpec() const override;
    SampleShape sampleShape() const override;
    double workingBytes(int64_t batch, int64_t height, int64_t width) const override;

    // PyTorch's default initialisation (fan-in uniform, GroupNorm 1/0,
    // embeddings N(0,1)), deterministic for a seed.
    void initializeRandom(uint64_t seed);

    std::map<std::string, torch::Tensor> stateDict() const override;
    void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) override;
    std::vector<torch::Tensor> parameters() const override;
    // Every parameter's key, shape and initialisation, in registration order
    // (the order parameters() and initializeRandom use).
    std::vector<ParameterInfo> parameterInfos() const override;
    int64_t parameterCount() const override;

    void to(const torch::Device& device) override;
    torch::Device device() const override;

    const UNetConfig& config() const { return config_; }
    const std::string& folder() const override { return folder_; }
    const std::vector<SiteInfo>& sites() const override { return sites_; }
    ModelSummary summary() const override;

    // Reconstruction units: ResnetBlock2D, attention blocks, standalone layers.
    const std::vector<UnitInfo>& units() const override { return units_; }
    torch::Tensor runUnit(std::size_t index, const UnitInputs& inputs) const override;

private:
    void rebuildSiteList();
    std::vector<UnitInfo> units_;

    UNetConfig config_;
    std::string folder_;
    std::unique_ptr<UNetNetwork> net_;
    std::vector<SiteInfo> sites_;
};

}  // namespace dq
