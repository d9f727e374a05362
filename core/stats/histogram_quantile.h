#pragma once
// The value below which `fraction` of a histogram's mass lies, linear within a
// bin. One implementation for calibration (percentile ranges) and statistics.
#include <torch/types.h>

namespace dq {

// counts: [bins] float64 on the CPU over [lo, lo + bins·width). Returns lo for
// an empty histogram.
double histogramQuantile(const torch::Tensor& counts, double lo, double width, double fraction);

}  // namespace dq
