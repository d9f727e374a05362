#pragma once
// diffusers' UNet2DModel, reproduced for inference (and, with gradients, for
// training). Load a diffusers folder with UNet2DModel::load.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/interceptor.h"
#include "core/model/model_summary.h"
#include "core/model/parameter_info.h"
#include "core/model/unet_config.h"

namespace dq {

struct UNetNetwork;  // the blocks; defined in unet2d.cpp

class UNet2DModel {
public:
    explicit UNet2DModel(UNetConfig config);
    ~UNet2DModel();
    UNet2DModel(UNet2DModel&&) noexcept;
    UNet2DModel& operator=(UNet2DModel&&) noexcept;

    // Reads config.json and diffusion_pytorch_model.safetensors from `folder`.
    // Missing, extra or mis-shaped tensors are rejected with their key.
    static UNet2DModel load(const std::string& folder);
    // Writes config.json and diffusion_pytorch_model.safetensors atomically.
    void save(const std::string& folder) const;

    // sample [B,C,H,W]; timesteps [B] or a scalar (int or float);
    // classLabels [B] int64, required exactly when the model is class-conditional.
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                          const torch::Tensor& classLabels = {}) const;

    // PyTorch's default initialisation (fan-in uniform, GroupNorm 1/0,
    // embeddings N(0,1)), deterministic for a seed.
    void initializeRandom(uint64_t seed);

    // Parameters by state-dict key. The tensors share storage with the model.
    std::map<std::string, torch::Tensor> stateDict() const;
    void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);
    std::vector<torch::Tensor> parameters() const;
    // Every parameter's key, shape and initialisation, in registration order
    // (the order parameters() and initializeRandom use).
    std::vector<ParameterInfo> parameterInfos() const;
    int64_t parameterCount() const;

    void to(const torch::Device& device);
    torch::Device device() const;

    const UNetConfig& config() const { return config_; }
    const std::string& folder() const { return folder_; }
    // Every interception point in execution order.
    const std::vector<SiteInfo>& sites() const { return sites_; }
    ModelSummary summary() const;

    // Interception: not owned; nullptr removes it. Not thread-safe: one
    // forward pass at a time per model.
    void setInterceptor(Interceptor* interceptor) { state_.interceptor = interceptor; }
    Interceptor* interceptor() const { return state_.interceptor; }
    void setStep(const StepContext& step) { state_.step = step; }
    const StepContext& step() const { return state_.step; }

    // Reconstruction units (ResnetBlock2D, attention blocks, standalone
    // layers) in execution order; each lists its sites.
    const std::vector<UnitInfo>& units() const { return units_; }
    // Runs unit `index` alone on inputs captured by a UnitObserver, with the
    // installed interceptor and step: exactly its output inside the network.
    torch::Tensor runUnit(std::size_t index, const UnitInputs& inputs) const;
    // Observes unit inputs and outputs during forward passes (not owned; nullptr removes it).
    void setUnitObserver(UnitObserver* observer) { state_.unitObserver = observer; }
    UnitObserver* unitObserver() const { return state_.unitObserver; }

private:
    void rebuildSiteList();
    std::vector<UnitInfo> units_;

    UNetConfig config_;
    std::string folder_;
    std::unique_ptr<UNetNetwork> net_;
    std::vector<SiteInfo> sites_;
    InterceptionState state_;
};

}  // namespace dq
