#pragma once
// scheduler_config.json of a diffusers model folder: the noise schedule the
// model was trained with, plus DDPM/DDIM settings.
#include <string>
#include <vector>

namespace dq {

enum class BetaSchedule { Linear, ScaledLinear, SquaredCosCapV2 };
enum class PredictionType { Epsilon, Sample, VPrediction };
enum class VarianceType { FixedSmall, FixedLarge };
enum class TimestepSpacing { Leading, Trailing, Linspace, Quad };

struct SchedulerConfig {
    int numTrainTimesteps = 1000;
    double betaStart = 0.0001;
    double betaEnd = 0.02;
    BetaSchedule betaSchedule = BetaSchedule::Linear;
    std::vector<double> trainedBetas;  // overrides the schedule when non-empty
    PredictionType predictionType = PredictionType::Epsilon;
    VarianceType varianceType = VarianceType::FixedSmall;
    bool clipSample = true;
    double clipSampleRange = 1.0;
    bool setAlphaToOne = true;
    int stepsOffset = 0;
    TimestepSpacing spacing = TimestepSpacing::Leading;

    // Parses scheduler_config.json; unknown keys of other scheduler classes
    // are ignored, unsupported values of known keys are rejected by name.
    static SchedulerConfig fromJson(const std::string& jsonText, const std::string& source);
    std::string toJson() const;
};

TimestepSpacing parseSpacing(const std::string& name);  // throws dq::Error
const char* spacingName(TimestepSpacing spacing);

}  // namespace dq
