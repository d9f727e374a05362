#include "core/sampling/scheduler_config.h"

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {
using nlohmann::json;
using Fields = JsonFields<json>;

// diffusers trains with 1000 steps; the tables are allocated from this count.
constexpr int kMaxTrainTimesteps = 100000;
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
    const std::string what = "Scheduler config '" + source + "'";
    const json root = parseBoundedJson(jsonText, what);
    const Fields f(root, what);
    SchedulerConfig c;
    c.numTrainTimesteps = f.integer32("num_train_timesteps", c.numTrainTimesteps, 2, kMaxTrainTimesteps);
    // A beta is a per-step noise variance: it must lie strictly between 0 and 1.
    const NumberRange beta = NumberRange{0, 1, true, true, true};
    c.betaStart = f.number("beta_start", c.betaStart, beta);
    c.betaEnd = f.number("beta_end", c.betaEnd, beta);
    const std::string schedule =
        f.text("beta_schedule", "linear", {"linear", "scaled_linear", "squaredcos_cap_v2"});
    if (schedule == "linear") c.betaSchedule = BetaSchedule::Linear;
    else if (schedule == "scaled_linear") c.betaSchedule = BetaSchedule::ScaledLinear;
    else c.betaSchedule = BetaSchedule::SquaredCosCapV2;
    if (c.betaSchedule != BetaSchedule::SquaredCosCapV2 && c.betaStart > c.betaEnd)
        f.reject("beta_start", "(" + plainNumber(c.betaStart) + ") must not exceed beta_end (" + plainNumber(c.betaEnd) +
                                   "); noise grows along the schedule");
    if (const json* v = f.find("trained_betas")) {
        if (!v->is_array() || v->size() != static_cast<std::size_t>(c.numTrainTimesteps))
            f.reject("trained_betas", "must be an array of num_train_timesteps (" + std::to_string(c.numTrainTimesteps) +
                                          ") numbers");
        for (const auto& b : *v) c.trainedBetas.push_back(f.numberValue(b, "trained_betas", beta));
    }
    const std::string prediction = f.text("prediction_type", "epsilon", {"epsilon", "sample", "v_prediction"});
    c.predictionType = prediction == "epsilon" ? PredictionType::Epsilon
                       : prediction == "sample" ? PredictionType::Sample
                                                : PredictionType::VPrediction;
    c.varianceType = f.text("variance_type", "fixed_small", {"fixed_small", "fixed_large"}) == "fixed_small"
                         ? VarianceType::FixedSmall
                         : VarianceType::FixedLarge;
    c.clipSample = f.boolean("clip_sample", c.clipSample);
    c.clipSampleRange = f.number("clip_sample_range", c.clipSampleRange, NumberRange::positive(1e6));
    c.setAlphaToOne = f.boolean("set_alpha_to_one", c.setAlphaToOne);
    c.stepsOffset = f.integer32("steps_offset", c.stepsOffset, 0, c.numTrainTimesteps - 1);
    c.spacing = parseSpacing(f.text("timestep_spacing", "leading", {"leading", "trailing", "linspace", "quad"}));
    if (f.boolean("thresholding", false)) f.reject("thresholding", "true is not supported");
    if (f.boolean("rescale_betas_zero_snr", false)) f.reject("rescale_betas_zero_snr", "true is not supported");
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
