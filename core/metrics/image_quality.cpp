#include "core/metrics/image_quality.h"

#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

namespace {
torch::Tensor gaussianWindow(int size, double sigma, const torch::TensorOptions& options) {
    torch::Tensor x = torch::arange(size, options) - (size - 1) / 2.0;
    torch::Tensor g = torch::exp(-(x * x) / (2 * sigma * sigma));
    g = g / g.sum();
    return g.unsqueeze(1).matmul(g.unsqueeze(0));  // [size,size]
}
}  // namespace

torch::Tensor ssimPerImage(const torch::Tensor& aIn, const torch::Tensor& bIn) {
    if (aIn.sizes() != bIn.sizes() || aIn.dim() != 4)
        throw Error("SSIM needs two image batches of the same [B,C,H,W] shape.");
    torch::Tensor a = aIn.to(torch::kFloat64), b = bIn.to(torch::kFloat64);
    const int64_t channels = a.size(1);
    // Wang et al. (2004) constants for data range 1, valid (unpadded) windows.
    const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    torch::Tensor window = gaussianWindow(11, 1.5, a.options()).expand({channels, 1, 11, 11}).contiguous();
    const std::vector<int64_t> one{1, 1}, zero{0, 0};
    auto blur = [&](const torch::Tensor& x) { return torch::conv2d(x, window, c10::nullopt, one, zero, one, channels); };
    torch::Tensor muA = blur(a), muB = blur(b);
    torch::Tensor varA = blur(a * a) - muA * muA, varB = blur(b * b) - muB * muB, cov = blur(a * b) - muA * muB;
    torch::Tensor map = ((2 * muA * muB + c1) * (2 * cov + c2)) / ((muA * muA + muB * muB + c1) * (varA + varB + c2));
    return map.mean({1, 2, 3});
}

PairedMetrics pairedMetrics(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.sizes() != b.sizes()) throw Error("Paired metrics need two batches of the same shape.");
    PairedMetrics m;
    torch::Tensor diff = a.to(torch::kFloat64) - b.to(torch::kFloat64);
    // PSNR per image, then averaged, as the papers report it.
    torch::Tensor msePerImage = diff.pow(2).flatten(1).mean(1);
    m.mse = msePerImage.mean().item<double>();
    m.psnr = (10 * torch::log10(1.0 / msePerImage.clamp_min(1e-10))).mean().item<double>();
    m.ssim = ssimPerImage(a, b).mean().item<double>();
    return m;
}

InceptionScore inceptionScore(const torch::Tensor& probsIn, int splits) {
    if (probsIn.dim() != 2 || probsIn.size(0) < splits || splits < 1)
        throw Error("The Inception Score needs class probabilities [N,K] with N at least the number of splits.");
    torch::Tensor probs = probsIn.to(torch::kFloat64);
    const int64_t n = probs.size(0);
    std::vector<double> scores;
    for (int s = 0; s < splits; ++s) {
        const int64_t begin = n * s / splits, end = n * (s + 1) / splits;
        torch::Tensor part = probs.narrow(0, begin, end - begin);
        torch::Tensor marginal = part.mean(0, true);
        torch::Tensor kl = (part * (torch::log(part.clamp_min(1e-12)) - torch::log(marginal.clamp_min(1e-12)))).sum(1);
        scores.push_back(std::exp(kl.mean().item<double>()));
    }
    InceptionScore result;
    for (double v : scores) result.mean += v / scores.size();
    for (double v : scores) result.std += (v - result.mean) * (v - result.mean) / scores.size();
    result.std = std::sqrt(result.std);
    return result;
}

}  // namespace dq
