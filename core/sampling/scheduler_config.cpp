#include "core/sampling/scheduler_config.h"

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/json_text.h"

namespace dq {

namespace {
using nlohmann::json;

[[noreturn]] void reject(const std::string& source, const std::string& key, const std::string& why) {
    throw Error("Unsupported scheduler config '" + source + "': key '" + key + "' " + why + ".");
}

template <typename T>
T get(const json& root, const char* key, T fallback, const std::string& source) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return fallback;
    try {
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) throw 0;
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (!it->is_number()) throw 0;
        } else {
            if (!it->is_string()) throw 0;
        }
        return it->get<T>();
    } catch (...) {
        reject(source, key, "has the wrong type (" + jsonValueText(*it) + ")");
    }
}
}  // namespace

TimestepSpacing parseSpacing(const std::string& name) {
    if (name == "leading") return TimestepSpacing::Leading;
    if (name == "trailing") return TimestepSpacing::Trailing;
    if (name == "linspace") return TimestepSpacing::Linspace;
    if (name == "quad") return TimestepSpacing::Quad;
    throw Error("Unknown timestep spacing '" + name + "'; use leading, trailing, linspace or quad.");
}

const char* spacingName(TimestepSpacing spacing) {
    switch (spacing) {
        case TimestepSpacing::Leading: return "leading";
        case TimestepSpacing::Trailing: return "trailing";
        case TimestepSpacing::Linspace: return "linspace";
        case TimestepSpacing::Quad: return "quad";
    }
    return "?";
}

SchedulerConfig SchedulerConfig::fromJson(const std::string& jsonText, const std::string& source) {
    json root = json::parse(jsonText, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        throw Error("Scheduler config '" + source + "' is not a valid JSON object; check the file for truncation.");
    SchedulerConfig c;
    c.numTrainTimesteps = get<int>(root, "num_train_timesteps", c.numTrainTimesteps, source);
    if (c.numTrainTimesteps < 2) reject(source, "num_train_timesteps", "must be at least 2");
    c.betaStart = get<double>(root, "beta_start", c.betaStart, source);
    c.betaEnd = get<double>(root, "beta_end", c.betaEnd, source);
    const std::string schedule = get<std::string>(root, "beta_schedule", "linear", source);
    if (schedule == "linear") c.betaSchedule = BetaSchedule::Linear;
    else if (schedule == "scaled_linear") c.betaSchedule = BetaSchedule::ScaledLinear;
    else if (schedule == "squaredcos_cap_v2") c.betaSchedule = BetaSchedule::SquaredCosCapV2;
    else reject(source, "beta_schedule", "is \"" + schedule + "\"; supported: linear, scaled_linear, squaredcos_cap_v2");
    if (auto it = root.find("trained_betas"); it != root.end() && !it->is_null()) {
        if (!it->is_array() || it->size() != static_cast<std::size_t>(c.numTrainTimesteps))
            reject(source, "trained_betas", "must be an array of num_train_timesteps numbers");
        for (const auto& b : *it) {
            if (!b.is_number()) reject(source, "trained_betas", "must hold numbers");
            c.trainedBetas.push_back(b.get<double>());
        }
    }
    const std::string prediction = get<std::string>(root, "prediction_type", "epsilon", source);
    if (prediction == "epsilon") c.predictionType = PredictionType::Epsilon;
    else if (prediction == "sample") c.predictionType = PredictionType::Sample;
    else if (prediction == "v_prediction") c.predictionType = PredictionType::VPrediction;
    else reject(source, "prediction_type", "is \"" + prediction + "\"; supported: epsilon, sample, v_prediction");
    const std::string variance = get<std::string>(root, "variance_type", "fixed_small", source);
    if (variance == "fixed_small") c.varianceType = VarianceType::FixedSmall;
    else if (variance == "fixed_large") c.varianceType = VarianceType::FixedLarge;
    else reject(source, "variance_type", "is \"" + variance + "\"; supported: fixed_small, fixed_large");
    c.clipSample = get<bool>(root, "clip_sample", c.clipSample, source);
    c.clipSampleRange = get<double>(root, "clip_sample_range", c.clipSampleRange, source);
    c.setAlphaToOne = get<bool>(root, "set_alpha_to_one", c.setAlphaToOne, source);
    c.stepsOffset = get<int>(root, "steps_offset", c.stepsOffset, source);
    c.spacing = parseSpacing(get<std::string>(root, "timestep_spacing", "leading", source));
    if (get<bool>(root, "thresholding", false, source)) reject(source, "thresholding", "true is not supported");
    if (get<bool>(root, "rescale_betas_zero_snr", false, source))
        reject(source, "rescale_betas_zero_snr", "true is not supported");
    return c;
}

std::string SchedulerConfig::toJson() const {
    nlohmann::ordered_json j;
    j["_class_name"] = "DDPMScheduler";
    j["num_train_timesteps"] = numTrainTimesteps;
    j["beta_start"] = betaStart;
    j["beta_end"] = betaEnd;
    j["beta_schedule"] = betaSchedule == BetaSchedule::Linear         ? "linear"
                         : betaSchedule == BetaSchedule::ScaledLinear ? "scaled_linear"
                                                                      : "squaredcos_cap_v2";
    j["trained_betas"] = trainedBetas.empty() ? json(nullptr) : json(trainedBetas);
    j["prediction_type"] = predictionType == PredictionType::Epsilon ? "epsilon"
                           : predictionType == PredictionType::Sample ? "sample"
                                                                      : "v_prediction";
    j["variance_type"] = varianceType == VarianceType::FixedSmall ? "fixed_small" : "fixed_large";
    j["clip_sample"] = clipSample;
    j["clip_sample_range"] = clipSampleRange;
    j["set_alpha_to_one"] = setAlphaToOne;
    j["steps_offset"] = stepsOffset;
    j["timestep_spacing"] = spacingName(spacing);
    return j.dump(2) + "\n";
}

}  // namespace dq
