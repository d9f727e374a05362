#include "core/metrics/frechet.h"

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

GaussianStats fitGaussian(const torch::Tensor& features) {
    if (features.dim() != 2 || features.size(0) < 2)
        throw Error("Fitting a Gaussian needs at least two feature vectors shaped [N,D].");
    torch::Tensor f = features.to(torch::kFloat64);
    GaussianStats stats;
    stats.count = f.size(0);
    stats.mean = f.mean(0);
    torch::Tensor centered = f - stats.mean;
    stats.cov = centered.t().matmul(centered) / static_cast<double>(stats.count - 1);
    return stats;
}

torch::Tensor sqrtPsd(const torch::Tensor& symmetric) {
    torch::Tensor sym = (symmetric + symmetric.t()) / 2;  // remove round-off asymmetry
    auto [values, vectors] = torch::linalg_eigh(sym, "L");
    return (vectors * values.clamp_min(0).sqrt()).matmul(vectors.t());
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b) {
    if (a.mean.size(0) != b.mean.size(0))
        throw Error("Cannot compare feature statistics of different widths (" + std::to_string(a.mean.size(0)) +
                    " vs " + std::to_string(b.mean.size(0)) + ").");
    torch::Tensor covB = b.cov.to(a.cov.device());
    torch::Tensor rootA = sqrtPsd(a.cov);
    torch::Tensor middle = rootA.matmul(covB).matmul(rootA);
    torch::Tensor eig = torch::linalg_eigvalsh((middle + middle.t()) / 2, "L").clamp_min(0);
    const double traceRoot = eig.sqrt().sum().item<double>();
    const double meanTerm = (a.mean - b.mean.to(a.mean.device())).pow(2).sum().item<double>();
    const double value = meanTerm + a.cov.trace().item<double>() + covB.trace().item<double>() - 2 * traceRoot;
    return std::max(0.0, value);
}

}  // namespace dq
