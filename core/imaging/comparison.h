#pragma once
// The side-by-side picture of FP and quantized generations from the same noise:
// FP grid | quantized grid | amplified |difference| grid.
#include <vector>

#include <torch/types.h>

#include "core/imaging/image_grid.h"

namespace dq {

// |a − b| · factor, clamped to [0, 1]; a, b in [0, 1].
torch::Tensor amplifiedDifference(const torch::Tensor& a, const torch::Tensor& b, double factor);

// Places images side by side (top-aligned) with `gap` pixels of mid-grey between them.
Image8 joinHorizontally(const std::vector<Image8>& panels, int gap = 6);

// fp, quantized: [B,C,H,W] in [0,1].
Image8 makeComparisonImage(const torch::Tensor& fp, const torch::Tensor& quantized, double amplify, int columns = 0);

}  // namespace dq
