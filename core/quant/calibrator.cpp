#include "core/quant/calibrator.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/denoiser.h"
#include "core/quant/calibration_batches.h"
#include "core/quant/range_observer.h"

namespace dq {

std::string CalibrationOptions::describe() const {
    nlohmann::ordered_json j;
    j["batch_size"] = batchSize;
    j["percentile"] = percentile;
    j["running_momentum"] = runningMomentum;
    j["histogram_bins"] = histogramBins;
    j["rounding"] = weightRoundingName(rounding);
    j["progressive"] = progressive;
    if (rounding == WeightRounding::Gptq) {
        j["gptq_pairs"] = gptq.maxPairs;
        j["gptq_dampening"] = gptq.dampening;
    }
    const ReconstructionOptions& r = reconstruction;
    if (rounding == WeightRounding::AdaRound || r.activationIterations > 0) {
        nlohmann::ordered_json recon;
        recon["weight_iterations"] = rounding == WeightRounding::AdaRound ? r.weightIterations : 0;
        recon["activation_iterations"] = r.activationIterations;
        recon["batch_size"] = r.batchSize;
        recon["pairs"] = r.maxPairs;
        recon["weight_lr"] = r.weightLearningRate;
        recon["activation_lr"] = r.activationLearningRate;
        recon["rounding_weight"] = r.roundingWeight;
        recon["warmup"] = r.warmup;
        recon["beta"] = {r.betaStart, r.betaEnd};
        recon["seed"] = r.seed;
        j["reconstruction"] = recon;
    }
    return j.dump();
}

void checkRelaxedSteps(const QuantPlan& plan, int steps) {
    for (const auto& [name, site] : plan.sites) {
        if (site.stepActivationBits.empty()) continue;
        if (plan.relaxedForSteps > 0 && plan.relaxedForSteps != steps)
            throw Error("The plan's activation relaxing was made for " + std::to_string(plan.relaxedForSteps) +
                        " sampling steps, but the calibration trajectory has " + std::to_string(steps) +
                        "; relax the plan again for " + std::to_string(steps) + " steps.");
        const int last = site.stepActivationBits.rbegin()->first;
        if (last >= steps)
            throw Error("Site '" + name + "' relaxes step " + std::to_string(last) + ", but the calibration trajectory has " +
                        std::to_string(steps) + " steps; relax the plan again for this step count.");
    }
}

void calibrateActivations(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                          const CalibrationOptions& options, const ProgressCallbacks& callbacks) {
    checkCalibrationData(model, data);
    RangeObserver observer(quantized, activationSlots(quantized), options.runningMomentum, options.histogramBins);
    // Weights come from the quantized network; activations stay FP while observed.
    struct WeightsOnly : Interceptor {
        QuantizedUNet& q;
        explicit WeightsOnly(QuantizedUNet& quantized) : q(quantized) {}
        torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& w, const StepContext& step) override {
            return q.onWeight(site, w, step);
        }
    } weights(quantized);
    observer.setUpstream(&weights);
    callbacks.beginStage("ranges");
    const std::vector<int> observedSteps = observeRanges(model, observer, data, options.batchSize, callbacks);
    GridFitOptions fit;
    fit.percentile = options.percentile;
    fitGrids(quantized, observer.slots(), observer.observations(), data.trajectoryTimesteps, observedSteps, fit);
}

bool roundingNeedsData(WeightRounding rounding) { return rounding != WeightRounding::Nearest; }

QuantizedUNet roundWeights(Denoiser& model, const QuantPlan& plan, const CalibrationData& data,
                           const CalibrationOptions& options, const ProgressCallbacks& callbacks,
                           std::vector<UnitReport>* reports) {
    QuantizedUNet quantized = quantizeWeights(model, plan);
    if (options.rounding == WeightRounding::Gptq) roundWeightsGptq(model, quantized, data, options.gptq, callbacks);
    if (options.rounding == WeightRounding::AdaRound) {
        auto r = reconstructWeights(model, quantized, data, options.reconstruction, callbacks);
        if (reports) reports->insert(reports->end(), r.begin(), r.end());
    }
    return quantized;
}

void learnActivationStepsIfAsked(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                 const CalibrationOptions& options, const ProgressCallbacks& callbacks,
                                 std::vector<UnitReport>* reports) {
    if (options.reconstruction.activationIterations <= 0) return;
    auto r = learnActivationSteps(model, quantized, data, options.reconstruction, callbacks);
    if (reports) reports->insert(reports->end(), r.begin(), r.end());
}

QuantizedUNet calibrate(Denoiser& model, const QuantPlan& plan, const CalibrationData& data,
                        const CalibrationOptions& options, const ProgressCallbacks& callbacks,
                        std::vector<UnitReport>* reports) {
    checkCalibrationData(model, data);
    checkRelaxedSteps(plan, static_cast<int>(data.trajectoryTimesteps.size()));
    QuantizedUNet quantized = roundWeights(model, plan, data, options, callbacks, reports);
    calibrateActivations(model, quantized, data, options, callbacks);
    learnActivationStepsIfAsked(model, quantized, data, options, callbacks, reports);
    return quantized;
}

}  // namespace dq
