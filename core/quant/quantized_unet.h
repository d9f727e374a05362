#pragma once
// A calibrated quantized U-Net, applied to the FP model through its
// interception points: weights are replaced by their dequantized integer
// values (computed once), activations are fake-quantized on the fly with one
// grid, or one per sampling timestep (PCR). Split sites (Q-Diffusion) quantize
// the h and skip halves of a cat(h, skip) input with separate grids, and the
// matching input-channel slices of the weight with separate per-channel grids.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

#include "core/model/interceptor.h"
#include "core/quant/component_quantization.h"
#include "core/quant/quant_plan.h"
#include "core/quant/quantizer.h"

namespace dq {

struct ActivationGrid {
    int64_t timestep = -1;  // -1: used at every step
    int bits = 8;
    float lo = 0.0f;  // calibrated clipping range
    float hi = 0.0f;
    AffineParams params;
};

struct ActivationQuantizer {
    bool symmetric = false;
    std::vector<ActivationGrid> grids;  // one shared grid, or one per calibrated timestep (ascending)

    // The grid for a timestep: the shared one, or the calibrated timestep nearest to it.
    const ActivationGrid& gridFor(int64_t timestep) const;
    torch::Tensor apply(const torch::Tensor& x, int64_t timestep) const;
};

struct SiteQuantState {
    SiteInfo site;
    SitePlan plan;
    // > 0: input channels [0, split) and [split, C) are quantized separately.
    int64_t split = 0;
    std::vector<ChannelQuantized> weightParts;        // empty: FP weight; else 1 or 2 (split) parts
    std::vector<ActivationQuantizer> activationParts;  // empty: FP input; else 1 or 2 parts
    torch::Tensor effectiveWeight;                     // dequantized weight on the model's device

    // Input-channel range [from, to) of part `index`.
    std::pair<int64_t, int64_t> partChannels(std::size_t index) const;
};

class QuantizedUNet : public Interceptor {
public:
    QuantizedUNet() = default;
    QuantizedUNet(QuantPlan plan, std::vector<SiteQuantState> sites);

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override;
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) override;

    // Moves the dequantized weights (and quantized components) to the model's device.
    void to(const torch::Device& device);

    const QuantPlan& plan() const { return plan_; }
    const std::vector<SiteQuantState>& sites() const { return sites_; }
    std::vector<SiteQuantState>& sites() { return sites_; }
    const SiteQuantState* find(const std::string& site) const;
    // Recomputes effectiveWeight from the integer weights (after editing them).
    void refreshWeights();
    // Frees the dequantized weights (float32, as large as the FP U-Net) and
    // keeps the integer codes; until restoreWeights() the model must not be
    // used. A recalibration does this to the model it will replace, so an
    // SD-size session never holds two dequantized copies at once.
    void releaseWeights();
    void restoreWeights();  // on the device they were on
    bool weightsReleased() const { return releasedDevice_.has_value(); }

    // A pipeline's text encoder and VAE when they are quantized too (empty: FP).
    const QuantizedComponents& components() const { return components_; }
    void setComponents(QuantizedComponents components) { components_ = std::move(components); }

private:
    void index();
    QuantPlan plan_;
    std::vector<SiteQuantState> sites_;
    std::unordered_map<std::string, std::size_t> byName_;
    QuantizedComponents components_;
    std::optional<torch::Device> releasedDevice_;
};

// Applies a quantizer to one input, quantizing split halves separately.
torch::Tensor quantizeInput(const SiteQuantState& state, const torch::Tensor& input, int64_t timestep);

}  // namespace dq
