// Schedulers: timesteps of every spacing against numpy/diffusers values, and
// single DDIM/DDPM steps against the formulas evaluated by hand.
#include <cmath>

#include <QTest>
#include <torch/torch.h>

#include "core/sampling/scheduler.h"
#include "tests/core/test_support.h"

using namespace dq;
using Steps = std::vector<int64_t>;

namespace {
SchedulerConfig configWithT(int T) {
    SchedulerConfig c;
    c.numTrainTimesteps = T;
    return c;
}
}  // namespace

class SchedulerTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void timestepsOfEachSpacing() {
        // Reference values computed with numpy exactly as diffusers/Q-Diffusion do.
        const SchedulerConfig c = configWithT(1000);
        QCOMPARE(makeTimesteps(c, 10, TimestepSpacing::Leading), Steps({900, 800, 700, 600, 500, 400, 300, 200, 100, 0}));
        QCOMPARE(makeTimesteps(c, 10, TimestepSpacing::Trailing), Steps({999, 899, 799, 699, 599, 499, 399, 299, 199, 99}));
        QCOMPARE(makeTimesteps(c, 10, TimestepSpacing::Linspace), Steps({999, 888, 777, 666, 555, 444, 333, 222, 111, 0}));
        QCOMPARE(makeTimesteps(c, 3, TimestepSpacing::Trailing), Steps({999, 666, 332}));
        QCOMPARE(makeTimesteps(c, 7, TimestepSpacing::Linspace), Steps({999, 832, 666, 500, 333, 166, 0}));
        QCOMPARE(makeTimesteps(c, 7, TimestepSpacing::Trailing), Steps({999, 856, 713, 570, 428, 285, 142}));
        // numpy rounds half to even: linspace(0, 101, 3)[1] = 50.5 -> 50.
        QCOMPARE(makeTimesteps(configWithT(102), 3, TimestepSpacing::Linspace), Steps({101, 50, 0}));
        QCOMPARE(makeTimesteps(c, 5, TimestepSpacing::Quad), Steps({800, 450, 200, 50, 0}));
        QCOMPARE(makeTimesteps(c, 10, TimestepSpacing::Quad), Steps({800, 632, 483, 355, 246, 158, 88, 39, 9, 0}));
        const Steps quad50 = makeTimesteps(c, 50, TimestepSpacing::Quad);
        QCOMPARE(quad50.size(), std::size_t(50));
        QCOMPARE(Steps(quad50.begin(), quad50.begin() + 5), Steps({800, 767, 736, 705, 674}));
        QCOMPARE(Steps(quad50.end() - 4, quad50.end()), Steps({2, 1, 0, 0}));
        SchedulerConfig offset = c;
        offset.stepsOffset = 1;
        QCOMPARE(makeTimesteps(offset, 4, TimestepSpacing::Leading), Steps({751, 501, 251, 1}));
        QVERIFY(test::errorOf([&] { makeTimesteps(c, 0, TimestepSpacing::Leading); }).contains("between 1 and"));
        QVERIFY(test::errorOf([&] { makeTimesteps(c, 1001, TimestepSpacing::Leading); }).contains("1000"));
    }

    void betaSchedules() {
        SchedulerConfig c;
        NoiseSchedule linear(c);
        QCOMPARE(linear.betas.size(0), int64_t(1000));
        QVERIFY(std::abs(linear.betas[0].item<double>() - 1e-4) < 1e-9);
        QVERIFY(std::abs(linear.betas[999].item<double>() - 0.02) < 1e-9);
        double product = 1.0;
        for (int i = 0; i < 1000; ++i) product *= 1.0 - linear.betas[i].item<double>();
        QVERIFY(std::abs(linear.alphaBar[999] - product) < 1e-6);
        c.betaSchedule = BetaSchedule::ScaledLinear;
        c.betaStart = 0.00085;
        c.betaEnd = 0.012;
        NoiseSchedule scaled(c);
        QVERIFY(std::abs(scaled.betas[999].item<double>() - 0.012) < 1e-8);
        QVERIFY(std::abs(scaled.betas[500].item<double>() -
                         std::pow(std::sqrt(0.00085) + 500.0 / 999 * (std::sqrt(0.012) - std::sqrt(0.00085)), 2)) < 1e-8);
        c.betaSchedule = BetaSchedule::SquaredCosCapV2;
        NoiseSchedule cosine(c);
        auto ab = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
        QVERIFY(std::abs(cosine.betas[10].item<double>() - (1 - ab(0.011) / ab(0.010))) < 1e-7);
        QCOMPARE(cosine.betas[999].item<double>(), double(0.999f));
    }

    void ddimStepMatchesFormula() {
        SchedulerConfig c;
        c.clipSample = false;
        Scheduler ddim(c, SamplerKind::DDIM, 10, 0.0, TimestepSpacing::Leading);
        NoiseSchedule s(c);
        const double aT = s.alphaBar[900], aPrev = s.alphaBar[800];
        torch::Tensor x = torch::tensor({0.5f, -1.0f}), eps = torch::tensor({0.2f, 0.1f});
        auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
        StepOutput out = ddim.step(eps, 0, x, gen);
        for (int i = 0; i < 2; ++i) {
            const double xi = x[i].item<double>(), ei = eps[i].item<double>();
            const double x0 = (xi - std::sqrt(1 - aT) * ei) / std::sqrt(aT);
            QVERIFY(std::abs(out.predictedX0[i].item<double>() - x0) < 1e-5);
            QVERIFY(std::abs(out.prevSample[i].item<double>() - (std::sqrt(aPrev) * x0 + std::sqrt(1 - aPrev) * ei)) < 1e-5);
        }
        // The last step goes to ᾱ = 1 (set_alpha_to_one): x_prev = x0.
        StepOutput last = ddim.step(eps, 9, x, gen);
        QVERIFY(torch::allclose(last.prevSample, last.predictedX0));
        // With clipping, x0 is clamped to ±1.
        c.clipSample = true;
        Scheduler clipped(c, SamplerKind::DDIM, 10, 0.0, TimestepSpacing::Leading);
        QVERIFY(clipped.step(torch::tensor({-5.0f}), 0, torch::tensor({5.0f}), gen).predictedX0.item<float>() == 1.0f);
        // Q-Diffusion's quad sampler never clips x0.
        Scheduler quad(c, SamplerKind::DDIM, 10, 0.0, TimestepSpacing::Quad);
        QVERIFY(quad.step(torch::tensor({-5.0f}), 0, torch::tensor({5.0f}), gen).predictedX0.item<float>() > 1.0f);
    }

    void ddimStepUsesNoiseOnlyWithEta() {
        SchedulerConfig c;
        Scheduler ddim(c, SamplerKind::DDIM, 20, 0.0, TimestepSpacing::Trailing);
        torch::Tensor x = torch::randn({4, 8}), eps = torch::randn({4, 8});
        auto g1 = at::make_generator<at::CPUGeneratorImpl>(1);
        auto g2 = at::make_generator<at::CPUGeneratorImpl>(2);
        QVERIFY(torch::equal(ddim.step(eps, 3, x, g1).prevSample, ddim.step(eps, 3, x, g2).prevSample));
        Scheduler noisy(c, SamplerKind::DDIM, 20, 1.0, TimestepSpacing::Trailing);
        QVERIFY(!torch::equal(noisy.step(eps, 3, x, g1).prevSample, noisy.step(eps, 3, x, g2).prevSample));
    }

    void ddpmStepMatchesFormula() {
        SchedulerConfig c;
        c.clipSample = false;
        c.varianceType = VarianceType::FixedSmall;
        Scheduler ddpm(c, SamplerKind::DDPM, 1000, 0.0, TimestepSpacing::Leading);
        NoiseSchedule s(c);
        torch::Tensor x = torch::tensor({0.3f}), eps = torch::tensor({-0.4f});
        // At t = 0 there is no noise: mean only.
        auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
        const int last = 999;
        QCOMPARE(ddpm.timesteps()[last], int64_t(0));
        const double a0 = s.alphaBar[0];
        const double x0 = (0.3 - std::sqrt(1 - a0) * -0.4) / std::sqrt(a0);
        StepOutput out = ddpm.step(eps, last, x, gen);
        // ᾱ_prev = 1: mean = x0.
        QVERIFY(std::abs(out.prevSample.item<double>() - x0) < 1e-4);
        // At t = 500 the variance is (1-ᾱ_prev)/(1-ᾱ_t)·β̂: the spread of many draws shows it.
        const int index = 499;
        const int64_t t = ddpm.timesteps()[index];
        QCOMPARE(t, int64_t(500));
        const double aT = s.alphaBar[500], aPrev = s.alphaBar[499];
        const double beta = 1 - aT / aPrev;
        torch::Tensor many = torch::zeros({20000});
        StepOutput spread = ddpm.step(torch::zeros({20000}), index, many, gen);
        const double expectedStd = std::sqrt((1 - aPrev) / (1 - aT) * beta);
        QVERIFY(std::abs(spread.prevSample.std().item<double>() / expectedStd - 1) < 0.03);
        c.varianceType = VarianceType::FixedLarge;
        Scheduler large(c, SamplerKind::DDPM, 1000, 0.0, TimestepSpacing::Leading);
        QVERIFY(std::abs(large.step(torch::zeros({20000}), index, many, gen).prevSample.std().item<double>() /
                             std::sqrt(beta) - 1) < 0.03);
    }

    void ddpmFewStepsGoesToNextListedTimestep() {
        SchedulerConfig c;
        Scheduler ddpm(c, SamplerKind::DDPM, 7, 0.0, TimestepSpacing::Trailing);
        QCOMPARE(ddpm.previousTimestep(0), int64_t(856));
        QCOMPARE(ddpm.previousTimestep(6), int64_t(-1));
        Scheduler ddim(c, SamplerKind::DDIM, 7, 0.0, TimestepSpacing::Trailing);
        QCOMPARE(ddim.previousTimestep(0), int64_t(999 - 1000 / 7));
    }

    void parsesSchedulerConfig() {
        const char* json = R"({"_class_name":"DDPMScheduler","beta_end":0.02,"beta_schedule":"linear",
            "beta_start":0.0001,"clip_sample":true,"num_train_timesteps":1000,"trained_betas":null,
            "variance_type":"fixed_large","some_future_key":3})";
        SchedulerConfig c = SchedulerConfig::fromJson(json, "scheduler_config.json");
        QVERIFY(c.varianceType == VarianceType::FixedLarge);
        QVERIFY(test::errorOf([] { SchedulerConfig::fromJson(R"({"beta_schedule":"sigmoid"})", "s.json"); })
                    .contains("'beta_schedule'"));
        QVERIFY(test::errorOf([] { SchedulerConfig::fromJson(R"({"prediction_type":"flow"})", "s.json"); })
                    .contains("'prediction_type'"));
        QVERIFY(test::errorOf([] { SchedulerConfig::fromJson("{", "s.json"); }).contains("s.json"));
        QCOMPARE(SchedulerConfig::fromJson(c.toJson(), "x").toJson(), c.toJson());
    }
};

QObject* makeSchedulerTest() { return new SchedulerTest; }
#include "test_scheduler.moc"
