#pragma once
// Paired image metrics between FP and quantized samples from the same noise,
// and the Inception Score from class probabilities.
#include <torch/types.h>

namespace dq {

struct PairedMetrics {
    double mse = 0;   // on [0,1] images
    double psnr = 0;  // dB, data range 1; +inf-capped at 100 for identical images
    double ssim = 0;  // mean over images and channels (Gaussian window 11, σ 1.5)
};

// a, b: [B,C,H,W] in [0,1], same shape.
PairedMetrics pairedMetrics(const torch::Tensor& a, const torch::Tensor& b);

// Per-image SSIM [B] (mean over channels and pixels).
torch::Tensor ssimPerImage(const torch::Tensor& a, const torch::Tensor& b);

struct InceptionScore {
    double mean = 0;
    double std = 0;
};

// probs [N,K] rows summing to 1; exp(E_x KL(p(y|x) ‖ p(y))) per split.
InceptionScore inceptionScore(const torch::Tensor& probs, int splits = 10);

}  // namespace dq
