// Metrics against closed forms: Fréchet distance, PSD square root, Inception
// Score, PSNR and SSIM.
#include <cmath>

#include <QTest>
#include <torch/torch.h>

#include "core/metrics/frechet.h"
#include "core/metrics/image_quality.h"
#include "tests/core/test_support.h"

using namespace dq;

class MetricsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sqrtOfPsdMatrix() {
        torch::manual_seed(0);
        torch::Tensor a = torch::randn({6, 6}, torch::kFloat64);
        torch::Tensor psd = a.matmul(a.t());
        torch::Tensor root = sqrtPsd(psd);
        QVERIFY(torch::allclose(root.matmul(root), psd, 1e-9, 1e-9));
        QVERIFY(torch::allclose(root, root.t()));
        // Rank-deficient input: no NaN from round-off negative eigenvalues.
        torch::Tensor v = torch::randn({6, 1}, torch::kFloat64);
        QVERIFY(torch::isfinite(sqrtPsd(v.matmul(v.t()))).all().item<bool>());
    }

    void fidOfASetWithItselfIsZero() {
        torch::manual_seed(1);
        torch::Tensor f = torch::randn({500, 16}) * 3 + 1;
        const GaussianStats s = fitGaussian(f);
        QVERIFY(std::abs(frechetDistance(s, s)) < 1e-6);
    }

    void fidBetweenGaussiansMatchesClosedForm() {
        // Diagonal covariances: d² = |μ1−μ2|² + Σ (σ1 − σ2)².
        GaussianStats a{torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64), torch::diag(torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64)), 100};
        GaussianStats b{torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64), torch::diag(torch::tensor({4.0, 4.0, 1.0}, torch::kFloat64)), 100};
        const double expected = (1 + 0 + 4) + ((1 - 2) * (1 - 2) + 0 + (3 - 1) * (3 - 1));
        QVERIFY(std::abs(frechetDistance(a, b) - expected) < 1e-9);
        // Non-commuting full covariances: tr(√(Σ1^½ Σ2 Σ1^½)) against a 2×2 closed form,
        // tr √M = √(tr M + 2 √det M) for a 2×2 PSD M.
        torch::Tensor c1 = torch::tensor({{2.0, 0.5}, {0.5, 1.0}}, torch::kFloat64);
        torch::Tensor c2 = torch::tensor({{1.0, -0.3}, {-0.3, 3.0}}, torch::kFloat64);
        torch::Tensor r1 = sqrtPsd(c1);
        torch::Tensor m = r1.matmul(c2).matmul(r1);
        const double trRoot = std::sqrt(m.trace().item<double>() + 2 * std::sqrt(torch::det(m).item<double>()));
        GaussianStats g1{torch::zeros({2}, torch::kFloat64), c1, 10}, g2{torch::zeros({2}, torch::kFloat64), c2, 10};
        QVERIFY(std::abs(frechetDistance(g1, g2) - (3.0 + 4.0 - 2 * trRoot)) < 1e-9);
        // Sampled Gaussians converge to the closed form.
        torch::manual_seed(2);
        torch::Tensor x = torch::randn({20000, 3}, torch::kFloat64) * torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64) +
                          torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64);
        torch::Tensor y = torch::randn({20000, 3}, torch::kFloat64) * torch::tensor({2.0, 2.0, 1.0}, torch::kFloat64) +
                          torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64);
        QVERIFY(std::abs(frechetDistance(fitGaussian(x), fitGaussian(y)) - expected) < 0.2);
    }

    void inceptionScoreExtremes() {
        // Uniform predictions: IS = 1. Confident and balanced over K classes: IS = K.
        InceptionScore uniform = inceptionScore(torch::full({100, 10}, 0.1, torch::kFloat64), 5);
        QVERIFY(std::abs(uniform.mean - 1.0) < 1e-9);
        torch::Tensor oneHot = torch::eye(10, torch::kFloat64).repeat({10, 1});
        InceptionScore confident = inceptionScore(oneHot, 5);
        QVERIFY(std::abs(confident.mean - 10.0) < 1e-6);
        QVERIFY(confident.std < 1e-6);
    }

    void pairedMetricsKnownValues() {
        torch::manual_seed(3);
        torch::Tensor a = torch::rand({2, 1, 32, 32});
        PairedMetrics same = pairedMetrics(a, a);
        QCOMPARE(same.mse, 0.0);
        QVERIFY(std::abs(same.ssim - 1.0) < 1e-9);
        // A constant offset of 0.1: MSE 0.01, PSNR 20 dB.
        torch::Tensor b = a + 0.1;
        PairedMetrics shifted = pairedMetrics(a, b);
        QVERIFY(std::abs(shifted.mse - 0.01) < 1e-7);
        QVERIFY(std::abs(shifted.psnr - 20.0) < 1e-4);
        QVERIFY(shifted.ssim < 1.0 && shifted.ssim > 0.8);
        // Unrelated noise images are structurally dissimilar.
        QVERIFY(pairedMetrics(a, torch::rand({2, 1, 32, 32})).ssim < 0.2);
    }
};

QObject* makeMetricsTest() { return new MetricsTest; }
#include "test_metrics.moc"
