#pragma once
// Calibration: quantize the weights per plan, then run the calibration data
// through the weight-quantized network and choose each activation grid from
// what its site saw (min/max, running min/max, percentile or MSE search).
#include <string>

#include "core/callbacks.h"
#include "core/quant/calibration_data.h"
#include "core/quant/quantized_unet.h"

namespace dq {

class UNet2DModel;

struct CalibrationOptions {
    int batchSize = 128;
    double percentile = 99.99;     // two-sided: clip below 100 − p and above p (percent)
    double runningMomentum = 0.95;  // running min/max: r ← m·r + (1 − m)·batch value
    int histogramBins = 4096;       // resolution of percentile and MSE searches
};

// Weights only: per plan, per output channel (split sites per input half).
QuantizedUNet quantizeWeights(const UNet2DModel& model, const QuantPlan& plan);

// Full calibration. The plan must match the model (checked, naming the site).
// Progress counts calibration batches over all passes. Throws dq::Cancelled.
QuantizedUNet calibrate(UNet2DModel& model, const QuantPlan& plan, const CalibrationData& data,
                        const CalibrationOptions& options = {}, const ProgressCallbacks& callbacks = {});

}  // namespace dq
