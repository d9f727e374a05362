#pragma once
// A network's parameters as its module tree declares them, and what every
// network does with them the same way: the state dict, loading with checks
// by key and shape, random initialisation, device moves.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/module.h"

namespace dq {

class ParameterStore {
public:
    ParameterStore() = default;
    explicit ParameterStore(const Module& root);  // collects the parameters; all start as zeros

    std::map<std::string, torch::Tensor> stateDict() const;
    // Writes the state dict (on the CPU, contiguous) to a safetensors file, atomically.
    void saveWeights(const std::string& path) const;
    // Missing, extra, mis-shaped, non-float or non-finite tensors are rejected
    // with their key (older diffusers keys are accepted as aliases); nothing
    // changes unless everything loads.
    void load(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);
    // PyTorch's default initialisation, deterministic for a seed, in declaration order.
    void initializeRandom(uint64_t seed);
    // Copies everything first, then swaps, so a failure (e.g. out of GPU
    // memory) leaves the parameters whole on their old device.
    void moveTo(const torch::Device& device);
    torch::Device device() const;

    std::vector<torch::Tensor> tensors() const;
    std::vector<ParameterInfo> infos() const;
    int64_t count() const;
    std::size_t size() const { return slots_.size(); }

private:
    std::vector<ParameterSlot> slots_;  // declaration order
};

}  // namespace dq
