#pragma once
// Calibration, composed of reusable pieces:
//   1. weights: per-channel grids, then a rounding strategy (weight_rounding.h);
//   2. observation: the calibration data runs through the weight-quantized
//      network and range observers record each activation quantizer's inputs
//      (range_observer.h);
//   3. grids: observations become activation grids (grid_fitting.h).
// Inference mode is the caller's choice: calibrate() needs no gradients and
// runs faster under c10::InferenceMode, which the front ends set.
#include <string>

#include "core/callbacks.h"
#include "core/quant/block_reconstruction.h"
#include "core/quant/calibration_data.h"
#include "core/quant/grid_fitting.h"
#include "core/quant/quantized_unet.h"
#include "core/quant/weight_rounding.h"

namespace dq {

class Denoiser;

struct CalibrationOptions {
    int batchSize = 128;
    double percentile = 99.99;     // two-sided: clip below 100 − p and above p (percent)
    double runningMomentum = 0.95;  // running min/max: r ← m·r + (1 − m)·batch value
    int histogramBins = 4096;       // resolution of percentile and MSE searches
    WeightRounding rounding = WeightRounding::Nearest;
    GptqOptions gptq;
    // AdaRound (rounding == AdaRound) and LSQ (reconstruction.activationIterations > 0).
    ReconstructionOptions reconstruction;
    // PCR's progressive calibration (per-step grids fitted on the quantized
    // model's own trajectory) instead of observing the FP trajectory's data.
    // Run by QuantSession, which has the sampler settings it needs.
    bool progressive = false;

    // The options as a JSON object, recorded in artifacts.
    std::string describe() const;
};

// Full calibration. The plan must match the model (checked, naming the site);
// a plan relaxed for another number of sampling steps is rejected. Progress
// counts within each stage ("gptq-hessians", "gptq-rounding", "ranges").
// Throws dq::Cancelled; the model is left as it was.
// Per-unit reconstruction errors are appended to `reports` when given.
QuantizedUNet calibrate(Denoiser& model, const QuantPlan& plan, const CalibrationData& data,
                        const CalibrationOptions& options = {}, const ProgressCallbacks& callbacks = {},
                        std::vector<UnitReport>* reports = nullptr);

// Step 1 alone: the plan's weight grids, rounded by `options.rounding`
// (data is used by the rounding strategies that learn from inputs).
QuantizedUNet roundWeights(Denoiser& model, const QuantPlan& plan, const CalibrationData& data,
                           const CalibrationOptions& options, const ProgressCallbacks& callbacks = {},
                           std::vector<UnitReport>* reports = nullptr);
// LSQ after the grids are fitted, when options ask for it (needs data).
void learnActivationStepsIfAsked(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                 const CalibrationOptions& options, const ProgressCallbacks& callbacks = {},
                                 std::vector<UnitReport>* reports = nullptr);
// Relaxed widths are keyed by sampling-step index: rejects a plan relaxed for
// another step count than the trajectory's `steps`.
void checkRelaxedSteps(const QuantPlan& plan, int steps);
// Whether a rounding strategy needs calibration data.
bool roundingNeedsData(WeightRounding rounding);

// Steps 2 and 3 alone: observes activations of `quantized` (weights already
// rounded) on the data and fits its activation grids.
void calibrateActivations(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                          const CalibrationOptions& options, const ProgressCallbacks& callbacks = {});

}  // namespace dq
