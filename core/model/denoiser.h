#pragma once
// The interface every denoising network implements (UNet2DModel and
// UNet2DConditionModel), so that sampling, calibration, reconstruction,
// statistics, sensitivity and evaluation work on any of them. It holds the
// interception state (interceptor, unit observer, step) that the engine
// installs; the networks read it on every forward pass.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/conditioning.h"
#include "core/model/interceptor.h"
#include "core/model/model_summary.h"
#include "core/model/parameter_info.h"

namespace dq {

// The shape of one sample the network denoises (pixels or latents).
struct SampleShape {
    int channels = 0;
    int height = 0;
    int width = 0;
};

class Denoiser {
public:
    virtual ~Denoiser();

    // sample [B,C,H,W]; timesteps [B] or a scalar (int or float); the
    // conditioning the model's spec asks for (none for unconditional models).
    virtual torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                                  const Conditioning& conditioning) const = 0;

    virtual ConditioningSpec conditioningSpec() const = 0;
    // The default sample shape (config sample_size and in_channels).
    virtual SampleShape sampleShape() const = 0;
    // Memory one forward pass needs for `batch` samples of height × width, roughly.
    virtual double workingBytes(int64_t batch, int64_t height, int64_t width) const = 0;

    // Parameters by state-dict key; the tensors share storage with the model.
    virtual std::map<std::string, torch::Tensor> stateDict() const = 0;
    virtual void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) = 0;
    virtual std::vector<torch::Tensor> parameters() const = 0;
    virtual std::vector<ParameterInfo> parameterInfos() const = 0;
    virtual int64_t parameterCount() const = 0;
    virtual void to(const torch::Device& device) = 0;
    virtual torch::Device device() const = 0;
    virtual ModelSummary summary() const = 0;
    // The folder the model was loaded from (empty if built in memory).
    virtual const std::string& folder() const = 0;

    // Every interception point, in execution order.
    virtual const std::vector<SiteInfo>& sites() const = 0;
    // Reconstruction units, in execution order; each lists its sites.
    virtual const std::vector<UnitInfo>& units() const = 0;
    // Runs unit `index` alone on inputs captured by a UnitObserver, with the
    // installed interceptor and step: exactly its output inside the network.
    virtual torch::Tensor runUnit(std::size_t index, const UnitInputs& inputs) const = 0;

    // Interception: not owned; nullptr removes it. Not thread-safe: one
    // forward pass at a time per model.
    void setInterceptor(Interceptor* interceptor) { state_.interceptor = interceptor; }
    Interceptor* interceptor() const { return state_.interceptor; }
    void setStep(const StepContext& step) { state_.step = step; }
    const StepContext& step() const { return state_.step; }
    // Observes unit inputs and outputs during forward passes (not owned; nullptr removes it).
    void setUnitObserver(UnitObserver* observer) { state_.unitObserver = observer; }
    UnitObserver* unitObserver() const { return state_.unitObserver; }

protected:
    Denoiser() = default;
    Denoiser(Denoiser&&) noexcept = default;
    Denoiser& operator=(Denoiser&&) noexcept = default;
    InterceptionState state_;
};

}  // namespace dq
