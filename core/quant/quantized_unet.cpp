#include "core/quant/quantized_unet.h"

#include <cstdlib>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/autoencoder_kl.h"
#include "core/model/clip_text_model.h"

namespace dq {

const ActivationGrid& ActivationQuantizer::gridFor(int64_t timestep) const {
    if (grids.size() == 1 || timestep < 0) return grids.front();
    const ActivationGrid* best = &grids.front();
    for (const ActivationGrid& g : grids)
        if (std::llabs(g.timestep - timestep) < std::llabs(best->timestep - timestep)) best = &g;
    return *best;
}

torch::Tensor ActivationQuantizer::apply(const torch::Tensor& x, int64_t timestep) const {
    const ActivationGrid& g = gridFor(timestep);
    return fakeQuantize(x, g.params, g.bits, symmetric);
}

std::pair<int64_t, int64_t> SiteQuantState::partChannels(std::size_t index) const {
    if (split <= 0) return {0, site.inputChannels};
    return index == 0 ? std::pair<int64_t, int64_t>{0, split} : std::pair<int64_t, int64_t>{split, site.inputChannels};
}

torch::Tensor quantizeInput(const SiteQuantState& state, const torch::Tensor& input, int64_t timestep) {
    if (state.activationParts.empty()) return input;
    if (state.activationParts.size() == 1) return state.activationParts[0].apply(input, timestep);
    const int64_t s = state.split;
    if (input.device().is_cpu() && input.scalar_type() == torch::kFloat32) {
        // Each half quantized in place in one copy of the input: no cat.
        torch::Tensor out = input.clone();
        for (std::size_t part = 0; part < 2; ++part) {
            const auto [from, to] = state.partChannels(part);
            torch::Tensor half = out.narrow(1, from, to - from);
            const ActivationQuantizer& q = state.activationParts[part];
            const ActivationGrid& g = q.gridFor(timestep);
            fakeQuantizeInPlace(half, g.params, g.bits, q.symmetric);
        }
        return out;
    }
    return torch::cat({state.activationParts[0].apply(input.narrow(1, 0, s), timestep),
                       state.activationParts[1].apply(input.narrow(1, s, input.size(1) - s), timestep)},
                      1);
}

QuantizedUNet::QuantizedUNet(QuantPlan plan, std::vector<SiteQuantState> sites)
    : plan_(std::move(plan)), sites_(std::move(sites)) {
    index();
    refreshWeights();
}

void QuantizedUNet::index() {
    byName_.clear();
    for (std::size_t i = 0; i < sites_.size(); ++i) byName_[sites_[i].site.name] = i;
}

const SiteQuantState* QuantizedUNet::find(const std::string& site) const {
    auto it = byName_.find(site);
    return it == byName_.end() ? nullptr : &sites_[it->second];
}

namespace {
// A site's weight as the quantized model uses it: its parts dequantized and,
// for split sites, concatenated along the input channels.
torch::Tensor dequantizedWeight(const SiteQuantState& s) {
    std::vector<torch::Tensor> parts;
    for (const ChannelQuantized& part : s.weightParts) parts.push_back(dequantize(part));
    return parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
}
}  // namespace

void QuantizedUNet::refreshWeights() {
    for (SiteQuantState& s : sites_) {
        if (s.weightParts.empty()) {
            s.effectiveWeight = torch::Tensor();
            continue;
        }
        const torch::Device device = s.effectiveWeight.defined() ? s.effectiveWeight.device() : s.weightParts[0].q.device();
        s.effectiveWeight = dequantizedWeight(s).to(device);
    }
}

void QuantizedUNet::releaseWeights() {
    if (releasedDevice_) return;
    releasedDevice_ = torch::Device(torch::kCPU);
    for (SiteQuantState& s : sites_)
        if (s.effectiveWeight.defined()) {
            releasedDevice_ = s.effectiveWeight.device();
            s.effectiveWeight = torch::Tensor();
        }
}

void QuantizedUNet::restoreWeights() {
    if (!releasedDevice_) return;
    const torch::Device device = *releasedDevice_;
    for (SiteQuantState& s : sites_) {
        if (!s.weightParts.empty()) s.effectiveWeight = dequantizedWeight(s).to(device);
    }
    releasedDevice_.reset();
}

void QuantizedUNet::to(const torch::Device& device) {
    if (releasedDevice_) releasedDevice_ = device;
    for (SiteQuantState& s : sites_)
        if (s.effectiveWeight.defined()) s.effectiveWeight = s.effectiveWeight.to(device);
    if (components_.textEncoder) components_.textEncoder->to(device);
    if (components_.vae) components_.vae->to(device);
}

torch::Tensor QuantizedUNet::onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) {
    auto it = byName_.find(site.name);
    if (it == byName_.end()) return input;
    return quantizeInput(sites_[it->second], input, step.timestep);
}

torch::Tensor QuantizedUNet::onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext&) {
    auto it = byName_.find(site.name);
    if (it == byName_.end() || !sites_[it->second].effectiveWeight.defined()) return weight;
    return sites_[it->second].effectiveWeight;
}

}  // namespace dq
