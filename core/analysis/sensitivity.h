#pragma once
// Per-site sensitivity sweeps (AIMET's QuantAnalyzer, for diffusion): how
// much the predicted noise changes when one site's weight or activation is
// quantized alone, and when every other site is quantized but that one.
//
// It costs one observation pass, not one calibration per configuration:
//  - activation ranges are observed once on the FP network (histograms too,
//    when the range method needs them), and grids at every width are fitted
//    from those same observations;
//  - weights are rounded to nearest once per width (grids need no data);
//  - each configuration then switches those precomputed quantizers on per
//    site and runs a strided subset of the calibration inputs.
// Rounding strategies that learn (GPTQ, AdaRound) are not swept: their error
// is below nearest rounding's, and the ranking is what allocation needs.
#include <vector>

#include "core/analysis/sensitivity_report.h"
#include "core/callbacks.h"
#include "core/quant/calibration_data.h"
#include "core/quant/calibrator.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Denoiser;

struct SensitivityOptions {
    std::vector<int> weightWidths = {2, 3, 4, 6, 8};
    std::vector<int> activationWidths = {4, 6, 8};
    // Evaluation inputs: an evenly strided subset of each calibration step's
    // rows (observation uses all of them, as calibration does).
    int rowsPerStep = 2;
    bool allBut = true;  // also measure "every site but this one"
    // Paired PSNR of final samples against FP from the same noise, on this
    // many images per configuration (0: off; each costs a sampling run).
    int sampleImages = 0;
    SampleRequest sampling;  // sampler settings for those images
    CalibrationOptions calibration;  // batch size, percentile, histogram bins, momentum
};

// Sweeps every site of `basePlan` (its granularity, symmetry, range method,
// split shortcuts and per-step grids; its widths are the "all but one" base).
// Progress: stage "observe" over the observation batches, then "sensitivity"
// over configurations. Throws dq::Cancelled; the model is left as it was.
SensitivityReport measureSensitivity(Denoiser& model, const SchedulerConfig& scheduler, const QuantPlan& basePlan,
                                     const CalibrationData& data, const SensitivityOptions& options,
                                     const ProgressCallbacks& callbacks = {});

}  // namespace dq
