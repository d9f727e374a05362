#pragma once
// Fréchet distance between Gaussians fitted to feature sets (FID, sFID,
// FID-to-FP). All arithmetic is in float64 on the features' device.
#include <cstdint>

#include <torch/types.h>

namespace dq {

struct GaussianStats {
    torch::Tensor mean;  // [D] float64
    torch::Tensor cov;   // [D,D] float64, unbiased (N − 1)
    int64_t count = 0;
};

// Fits mean and covariance to features [N,D] (N ≥ 2).
GaussianStats fitGaussian(const torch::Tensor& features);

// Square root of a symmetric positive semi-definite matrix through its
// eigendecomposition; tiny negative eigenvalues from round-off are clamped to 0.
torch::Tensor sqrtPsd(const torch::Tensor& symmetric);

// ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½. The symmetric form keeps
// every matrix PSD, so no complex parts appear (unlike scipy's sqrtm(Σ₁Σ₂)).
double frechetDistance(const GaussianStats& a, const GaussianStats& b);

}  // namespace dq
