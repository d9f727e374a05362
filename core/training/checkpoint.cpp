#include "core/training/checkpoint.h"

#include <filesystem>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/validation/bounded_json.h"

namespace dq {

namespace fs = std::filesystem;

std::map<std::string, torch::Tensor> cpuCopies(const std::map<std::string, torch::Tensor>& tensors) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [k, v] : tensors) out.emplace(k, v.detach().to(torch::kCPU).contiguous());
    return out;
}

void TrainingCheckpoint::save(const std::map<std::string, torch::Tensor>& weights,
                              const std::map<std::string, torch::Tensor>* ema, torch::optim::Optimizer& optimizer,
                              int64_t step, const nlohmann::json& state) const {
    fs::create_directories(dir_);
    saveSafetensors(file("model.safetensors"), cpuCopies(weights));
    if (ema) saveSafetensors(file("ema.safetensors"), cpuCopies(*ema));
    const std::string optimizerFile = file("optimizer.pt"), tmp = optimizerFile + ".tmp";
    torch::save(optimizer, tmp);
    fs::rename(tmp, optimizerFile);
    // The state file is written last: it marks the checkpoint as complete.
    nlohmann::json complete = state;
    complete["step"] = step;
    writeTextFileAtomically(file("state.json"), complete.dump(2));
}

nlohmann::json TrainingCheckpoint::state() const {
    const std::string path = file("state.json");
    if (!fs::exists(path))
        throw Error("There is no training checkpoint in '" + dir() + "' (it has no state.json): nothing to resume; "
                    "give the output folder of a run that wrote checkpoints, or start without --resume.");
    const nlohmann::json state = parseBoundedJson(readTextFile(path), "Checkpoint state '" + path + "'");
    if (!state.is_object()) throw Error("Checkpoint state '" + path + "' is damaged; delete the checkpoint folder to restart.");
    return state;
}

int64_t TrainingCheckpoint::step(const nlohmann::json& model) const {
    const std::string path = file("state.json");
    const nlohmann::json state = this->state();
    if (!state.contains("step") || !state["step"].is_number_integer() ||
        state["step"].get<int64_t>() < 0)
        throw Error("Checkpoint state '" + path + "' is damaged; delete the checkpoint folder to restart.");
    if (!state.contains("model") || state["model"] != model)
        throw Error("The checkpoint in '" + dir_ + "' was trained with a different model config; use the "
                    "original config or another --out folder.");
    return state["step"].get<int64_t>();
}

std::map<std::string, torch::Tensor> TrainingCheckpoint::weights() const {
    return loadSafetensors(file("model.safetensors")).tensors;
}

std::map<std::string, torch::Tensor> TrainingCheckpoint::ema() const {
    return loadSafetensors(file("ema.safetensors")).tensors;
}

void TrainingCheckpoint::loadOptimizer(torch::optim::Optimizer& optimizer) const {
    torch::load(optimizer, file("optimizer.pt"));
}

}  // namespace dq
