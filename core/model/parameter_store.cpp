#include "core/model/parameter_store.h"

#include <cmath>
#include <set>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/safetensors.h"
#include "core/model/forward_inputs.h"
#include "core/validation/message_text.h"
#include "core/validation/tensor_checks.h"

namespace dq {


ParameterStore::ParameterStore(const Module& root) {
    root.collectParameters(slots_);
    for (auto& slot : slots_) *slot.tensor = torch::zeros(slot.info.shape);
}

std::map<std::string, torch::Tensor> ParameterStore::stateDict() const {
    std::map<std::string, torch::Tensor> out;
    for (const auto& slot : slots_) out.emplace(slot.info.name, *slot.tensor);
    return out;
}

void ParameterStore::saveWeights(const std::string& path) const {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [k, v] : stateDict()) tensors.emplace(k, v.detach().to(torch::kCPU).contiguous());
    saveSafetensors(path, tensors, {{"format", "pt"}});
}

void ParameterStore::load(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    std::set<std::string> used;
    std::vector<std::pair<torch::Tensor*, torch::Tensor>> assignments;
    for (auto& slot : slots_) {
        auto it = tensors.find(slot.info.name);
        if (it == tensors.end() && !slot.info.legacyName.empty()) it = tensors.find(slot.info.legacyName);
        if (it == tensors.end())
            throw Error("'" + source + "' lacks tensor '" + slot.info.name +
                        "' that config.json implies; the weights do not belong to this config.");
        const torch::Tensor& t = it->second;
        if (t.sizes() != at::IntArrayRef(slot.info.shape))
            throw Error("Tensor '" + it->first + "' in '" + source + "' has shape " + tensorShapeText(t.sizes()) +
                        " but config.json implies " + tensorShapeText(slot.info.shape) + ".");
        if (!t.is_floating_point())
            throw Error("Tensor '" + it->first + "' in '" + source + "' is not floating point.");
        requireFinite(t, "Tensor '" + it->first + "' in '" + source + "'",
                      "the weights are damaged; restore them from their source or train again");
        used.insert(it->first);
        assignments.emplace_back(slot.tensor, t);
    }
    for (const auto& [key, tensor] : tensors)
        if (!used.count(key))
            throw Error("'" + source + "' holds tensor " + inQuotes(key) +
                        " that this model config has no place for; check that config.json matches the weights.");
    // Convert everything before assigning anything, so a failed load changes nothing.
    const torch::Device dev = device();
    for (auto& assignment : assignments) assignment.second = assignment.second.to(dev, torch::kFloat32).contiguous();
    for (auto& [slot, tensor] : assignments) *slot = std::move(tensor);
}

void ParameterStore::initializeRandom(uint64_t seed) {
    torch::NoGradGuard noGrad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const torch::Device dev = device();
    for (auto& slot : slots_) {
        torch::Tensor t = torch::empty(slot.info.shape);
        switch (slot.info.init) {
            case InitKind::FanInUniform: {
                const double bound = 1.0 / std::sqrt(static_cast<double>(slot.info.fanIn));
                t.uniform_(-bound, bound, gen);
                break;
            }
            case InitKind::Ones: t.fill_(1.0); break;
            case InitKind::Zeros: t.zero_(); break;
            case InitKind::Normal: t.normal_(0.0, 1.0, gen); break;
        }
        *slot.tensor = t.to(dev);
    }
}

void ParameterStore::moveTo(const torch::Device& device) {
    std::vector<torch::Tensor> moved;
    for (const auto& slot : slots_) moved.push_back(slot.tensor->to(device));
    for (std::size_t i = 0; i < slots_.size(); ++i) *slots_[i].tensor = std::move(moved[i]);
}

torch::Device ParameterStore::device() const {
    return slots_.empty() ? torch::Device(torch::kCPU) : slots_.front().tensor->device();
}

std::vector<torch::Tensor> ParameterStore::tensors() const {
    std::vector<torch::Tensor> out;
    for (const auto& slot : slots_) out.push_back(*slot.tensor);
    return out;
}

std::vector<ParameterInfo> ParameterStore::infos() const {
    std::vector<ParameterInfo> out;
    for (const auto& slot : slots_) out.push_back(slot.info);
    return out;
}

int64_t ParameterStore::count() const {
    int64_t total = 0;
    for (const auto& slot : slots_) total += slot.tensor->numel();
    return total;
}

}  // namespace dq
