#include "core/quant/calibration_data_format.h"

#include <set>

#include "core/errors.h"
#include "core/validation/message_text.h"

namespace dq {

namespace {

bool isInteger(safetensors::DType t) {
    using safetensors::DType;
    return t == DType::I64 || t == DType::I32 || t == DType::I16 || t == DType::I8 || t == DType::U8;
}

bool isFloat(safetensors::DType t) {
    using safetensors::DType;
    return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64;
}

}  // namespace

CalibrationDataLayout checkCalibrationDataLayout(const safetensors::Header& header, const std::string& path) {
    const std::string what = "Calibration data '" + path + "'";
    auto meta = [&](const char* key) -> const std::string& {
        auto it = header.metadata.find(key);
        if (it == header.metadata.end())
            throw Error(what + " lacks metadata '" + key + "'; it is not diffquant calibration data, or damaged. "
                        "Collect it again (calibrate --cali-data).");
        return it->second;
    };
    if (meta("format") != "diffquant-calibration-data")
        throw Error(what + " has format " + inQuotes(meta("format")) + "; it is not diffquant calibration data.");
    (void)meta("settings");
    (void)meta("model");
    const std::string& nullClass = meta("with_null_class");
    if (nullClass != "true" && nullClass != "false")
        throw Error(what + ": metadata 'with_null_class' must be \"true\" or \"false\", not " + inQuotes(nullClass) + ".");

    const safetensors::TensorEntry* samples = nullptr;
    const safetensors::TensorEntry* timesteps = nullptr;
    const safetensors::TensorEntry* stepIndex = nullptr;
    const safetensors::TensorEntry* trajectory = nullptr;
    const safetensors::TensorEntry* labels = nullptr;
    const safetensors::TensorEntry* promptIndex = nullptr;
    const safetensors::TensorEntry* promptStates = nullptr;
    const safetensors::TensorEntry* unconditional = nullptr;
    for (const safetensors::TensorEntry& t : header.tensors) {
        if (t.name == "samples") samples = &t;
        else if (t.name == "timesteps") timesteps = &t;
        else if (t.name == "step_index") stepIndex = &t;
        else if (t.name == "trajectory_timesteps") trajectory = &t;
        else if (t.name == "class_labels") labels = &t;
        else if (t.name == "prompt_index") promptIndex = &t;
        else if (t.name == "prompt_states") promptStates = &t;
        else if (t.name == "unconditional_states") unconditional = &t;
        else throw Error(what + " holds tensor " + inQuotes(t.name) + ", which calibration data never has; collect it again.");
    }
    auto require = [&](const safetensors::TensorEntry* t, const char* name) -> const safetensors::TensorEntry& {
        if (!t) throw Error(what + " lacks tensor '" + std::string(name) + "'; collect it again.");
        return *t;
    };
    const auto& x = require(samples, "samples");
    if (!isFloat(x.dtype) || x.shape.size() != 4 || x.shape[0] < 1)
        throw Error(what + ": tensor 'samples' must be floating point, shaped [N,C,H,W] with N ≥ 1; collect it again.");
    CalibrationDataLayout layout;
    layout.pairs = x.shape[0];
    for (const auto& [t, name] : {std::pair{timesteps, "timesteps"}, {stepIndex, "step_index"}, {labels, "class_labels"},
                                  {promptIndex, "prompt_index"}}) {
        if (!t && (std::string(name) == "class_labels" || std::string(name) == "prompt_index")) continue;
        const auto& entry = require(t, name);
        if (!isInteger(entry.dtype) || entry.shape.size() != 1 || entry.shape[0] != layout.pairs)
            throw Error(what + ": tensor '" + std::string(name) + "' must hold " + std::to_string(layout.pairs) +
                        " integers, one per sample; collect it again.");
    }
    const auto& steps = require(trajectory, "trajectory_timesteps");
    if (!isInteger(steps.dtype) || steps.shape.size() != 1 || steps.shape[0] < 1 || steps.shape[0] > 100000)
        throw Error(what + ": tensor 'trajectory_timesteps' must hold 1 to 100000 integers; collect it again.");
    layout.trajectorySteps = steps.shape[0];
    layout.hasClassLabels = labels != nullptr;

    // Text-conditioned data: each row names its prompt in a table of encoder
    // states [P, tokens, dim]; the unconditional (negative prompt) states
    // [1, tokens, dim] come with it when rows are also used unconditionally.
    if (labels && (promptIndex || promptStates))
        throw Error(what + " holds both class labels and prompts; collect it again.");
    if (bool(promptIndex) != bool(promptStates))
        throw Error(what + " must hold 'prompt_index' and 'prompt_states' together; collect it again.");
    if (promptStates) {
        const auto& s = *promptStates;
        if (!isFloat(s.dtype) || s.shape.size() != 3 || s.shape[0] < 1 || s.shape[1] < 1 || s.shape[2] < 1)
            throw Error(what + ": tensor 'prompt_states' must be floating point, shaped [prompts, tokens, dim]; "
                        "collect it again.");
        layout.promptCount = s.shape[0];
        if (nullClass == "true") {
            const auto& u = require(unconditional, "unconditional_states");
            if (!isFloat(u.dtype) || u.shape.size() != 3 || u.shape[0] != 1 || u.shape[1] != s.shape[1] ||
                u.shape[2] != s.shape[2])
                throw Error(what + ": tensor 'unconditional_states' must be floating point, shaped [1, " +
                            std::to_string(s.shape[1]) + ", " + std::to_string(s.shape[2]) +
                            "] like one prompt's states; collect it again.");
        }
    }
    if (unconditional && (!promptStates || nullClass != "true"))
        throw Error(what + " holds 'unconditional_states' without prompts used unconditionally; collect it again.");
    return layout;
}

}  // namespace dq
