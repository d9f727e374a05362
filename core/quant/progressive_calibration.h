#pragma once
// PCR's progressive calibration: one activation grid per sampling step, where
// step s is calibrated on the inputs the *quantized* model produces when it
// runs steps 1 … s−1 with the grids already fitted, so the accumulated error
// of earlier steps is part of what the grid sees.
//
// The calibration trajectories run as one batch through the real sampler.
// At each step, each activation site observes its input over the whole batch,
// fits its grid for that timestep (min/max, or the plan's range method on a
// histogram of that same input) and quantizes with it at once, so later sites
// of the same step see quantized inputs too. Relaxed widths apply per step.
#include "core/callbacks.h"
#include "core/quant/calibration_data.h"
#include "core/quant/grid_fitting.h"
#include "core/quant/quantized_unet.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Denoiser;

struct ProgressiveOptions {
    int histogramBins = 4096;
    GridFitOptions fit;
};

// Replaces the activation quantizers of `quantized` (weights already rounded)
// with per-step grids for every step of `trajectory` (whose batch is the
// number of calibration trajectories). Throws dq::Cancelled, leaving
// `quantized` unchanged; progress counts sampling steps.
void calibrateProgressively(Denoiser& model, const SchedulerConfig& scheduler, QuantizedUNet& quantized,
                            const SampleRequest& trajectory, const ProgressiveOptions& options,
                            const ProgressCallbacks& callbacks = {});

}  // namespace dq
