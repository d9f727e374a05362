#pragma once
// A resumable training checkpoint: the raw weights, optionally their EMA, the
// optimizer state and a state file (the step, the recipe, and the identity
// that a resumed run must match, such as the model config). The state file is
// written last, so a checkpoint without one is incomplete and is not resumed.
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace torch::optim {
class Optimizer;
}

namespace dq {

// Detached, contiguous CPU copies, as safetensors files want them.
std::map<std::string, torch::Tensor> cpuCopies(const std::map<std::string, torch::Tensor>& tensors);

class TrainingCheckpoint {
public:
    explicit TrainingCheckpoint(std::string dir) : dir_(std::move(dir)) {}
    const std::string& dir() const { return dir_; }

    // `ema` may be null (no EMA). `state` is stored beside the step.
    void save(const std::map<std::string, torch::Tensor>& weights, const std::map<std::string, torch::Tensor>* ema,
              torch::optim::Optimizer& optimizer, int64_t step, const nlohmann::json& state) const;

    // The step of a complete checkpoint whose state["model"] equals
    // `model`; errors name the file and say what to do.
    int64_t step(const nlohmann::json& model) const;
    // The whole state file (what save() was given, plus the step).
    nlohmann::json state() const;
    std::map<std::string, torch::Tensor> weights() const;
    std::map<std::string, torch::Tensor> ema() const;
    void loadOptimizer(torch::optim::Optimizer& optimizer) const;

private:
    std::string file(const char* name) const { return dir_ + "/" + name; }
    std::string dir_;
};

}  // namespace dq
