// The quantization engine: quantizer arithmetic by hand, bit packing, plans,
// calibration on real sampling trajectories, the artifact's round trip, the
// statistics collector, and the quality properties on the shipped model.
#include <map>
#include <numeric>
#include <random>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <regex>

#include <QTest>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/metrics/image_quality.h"
#include "core/imaging/image_grid.h"
#include "core/model/model_folder.h"
#include "core/quant/bit_packing.h"
#include "core/quant/calibrator.h"
#include "core/quant/quant_artifact.h"
#include "core/stats/activation_stats.h"
#include "core/stats/fast_summary.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

std::vector<float> values(const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

CalibrationData smallCalibration(LoadedModel& m, int samples, int caliSteps, int steps) {
    CalibrationDataSettings s;
    s.samples = samples;
    s.steps = caliSteps;
    s.batchSize = samples;
    s.trajectory.steps = steps;
    s.trajectory.seed = 11;
    return collectCalibrationData(m.unet, m.scheduler, s);
}

// Output SQNR (dB) of the quantized model against FP on the same inputs.
double outputSqnr(LoadedModel& m, QuantizedUNet& q, const torch::Tensor& x, const torch::Tensor& t,
                  const torch::Tensor& labels) {
    c10::InferenceMode guard;
    m.unet.setInterceptor(nullptr);
    const torch::Tensor fp = m.unet.forward(x, t, labels);
    m.unet.setInterceptor(&q);
    const torch::Tensor qo = m.unet.forward(x, t, labels);
    m.unet.setInterceptor(nullptr);
    return 10 * std::log10(fp.pow(2).sum().item<double>() / (qo - fp).pow(2).sum().item<double>());
}

}  // namespace

class QuantizationTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string shipped_ = DQ_SHIPPED_MODEL_DIR;

private Q_SLOTS:
    void integerGridsAndParameters() {
        QCOMPARE(integerRange(4, true).qmin, int64_t{-8});
        QCOMPARE(integerRange(4, true).qmax, int64_t{7});
        QCOMPARE(integerRange(8, false).qmax, int64_t{255});
        QCOMPARE(integerRange(16, true).qmin, int64_t{-32768});
        QVERIFY(test::errorOf([] { integerRange(1, true); }).contains("2..16"));
        const AffineParams a = affineParams(-1.0, 3.0, 8, false);
        QCOMPARE(a.scale, static_cast<float>(4.0 / 255.0));
        QCOMPARE(a.zeroPoint, 64);  // round(1 / (4/255)) = round(63.75)
        const AffineParams s = affineParams(-2.0, 1.0, 4, true);
        QCOMPARE(s.scale, static_cast<float>(2.0 / 7.0));
        QCOMPARE(s.zeroPoint, 0);
        // A positive-only range is widened to include zero.
        QCOMPARE(affineParams(2.0, 4.0, 2, false).zeroPoint, 0);
        QCOMPARE(affineParams(2.0, 4.0, 2, false).scale, static_cast<float>(4.0 / 3.0));
    }

    void fakeQuantizeLevelsClampingAndTies() {
        // Δ = 0.5, z = 0, 4-bit signed: levels −4.0 … 3.5; x/Δ ties round to even.
        const torch::Tensor x = torch::tensor({-10.0f, -0.5f, 0.25f, 0.75f, 1.25f, 10.0f});
        const auto q = values(fakeQuantize(x, {0.5f, 0}, 4, true));
        QCOMPARE(q, (std::vector<float>{-4.0f, -0.5f, 0.0f, 1.0f, 1.0f, 3.5f}));
        // Zero point 2 on a 2-bit unsigned grid: q = clamp(round(x) + 2, 0, 3).
        const auto z = values(fakeQuantize(torch::tensor({-3.0f, -2.0f, 0.0f, 1.0f, 2.0f}), {1.0f, 2}, 2, false));
        QCOMPARE(z, (std::vector<float>{-2.0f, -2.0f, 0.0f, 1.0f, 1.0f}));
        // The CPU path gives exactly the bits of LibTorch's fused kernel, ties and clamping included.
        torch::manual_seed(5);
        const torch::Tensor r = torch::cat({torch::randn({20000}) * 3, torch::arange(-40, 40).to(torch::kFloat32) * 0.125f});
        for (const auto& [p, bits, symmetric] : std::vector<std::tuple<AffineParams, int, bool>>{
                 {{0.125f, 0}, 4, true}, {{0.0371f, 77}, 8, false}, {{0.5f, 1}, 2, false}, {{1e-3f, 0}, 16, true}}) {
            const IntegerRange range = integerRange(bits, symmetric);
            const torch::Tensor fused = torch::fake_quantize_per_tensor_affine(r, p.scale, p.zeroPoint, range.qmin, range.qmax);
            QVERIFY(torch::equal(fakeQuantize(r, p, bits, symmetric), fused));
            torch::Tensor inPlace = r.view({-1, 16}).clone();
            torch::Tensor slice = inPlace.narrow(1, 3, 9);
            fakeQuantizeInPlace(slice, p, bits, symmetric);
            QVERIFY(torch::equal(inPlace.narrow(1, 3, 9), fused.view({-1, 16}).narrow(1, 3, 9)));
            QVERIFY(torch::equal(inPlace.narrow(1, 0, 3), r.view({-1, 16}).narrow(1, 0, 3)));
        }
    }

    void perChannelWeights() {
        const torch::Tensor w = torch::tensor({1.0f, -1.0f, 0.5f, 0.25f, -3.0f, 0.0f}).view({3, 2, 1, 1});
        auto [lo, hi] = weightRanges(w, 8, true, false);
        QCOMPARE(values(lo), (std::vector<float>{-1.0f, 0.25f, -3.0f}));
        QCOMPARE(values(hi), (std::vector<float>{1.0f, 0.5f, 0.0f}));
        const ChannelQuantized q = quantizePerChannel(w, lo, hi, 8, true);
        QCOMPARE(q.q.sizes().vec(), w.sizes().vec());
        QCOMPARE(q.scale.sizes().vec(), std::vector<int64_t>{3});
        // Codes in the narrowest type that holds the grid (an SD-size model's
        // memory): int8 / uint8 up to 8 bits, int16 up to 15, int32 for 16-bit unsigned.
        QCOMPARE(q.q.scalar_type(), torch::kInt8);
        QCOMPARE(codeType(4, true), torch::kInt8);
        QCOMPARE(codeType(8, false), torch::kUInt8);
        QCOMPARE(codeType(12, false), torch::kInt16);
        QCOMPARE(codeType(16, true), torch::kInt16);
        QCOMPARE(codeType(16, false), torch::kInt32);
        for (const auto& [bits, symmetric] : std::vector<std::pair<int, bool>>{{8, false}, {16, true}, {16, false}}) {
            const IntegerRange r = integerRange(bits, symmetric);
            // The range's top lands on qmax without wrapping (asymmetric grids from 0).
            const float low = symmetric ? -2.0f : 0.0f;
            const torch::Tensor values = torch::tensor({low, 2.0f}).view({1, 2});
            const ChannelQuantized extremes =
                quantizePerChannel(values, torch::tensor({low}), torch::tensor({2.0f}), bits, symmetric);
            QCOMPARE(extremes.q.scalar_type(), codeType(bits, symmetric));
            QVERIFY(extremes.q.to(torch::kInt64).min().item<int64_t>() >= r.qmin);
            QCOMPARE(extremes.q.to(torch::kInt64).max().item<int64_t>(), r.qmax);
            QVERIFY(torch::allclose(dequantize(extremes), values, 0, 1e-3));
        }
        // Each channel's extreme maps to ±127 and dequantizes exactly.
        QCOMPARE(q.q.flatten()[0].item<int>(), 127);
        QCOMPARE(q.q.flatten()[4].item<int>(), -127);
        const torch::Tensor d = dequantize(q);
        QVERIFY(torch::allclose(d, w, 0, 0.5f / 127 * 3.0f));
        QCOMPARE(d.flatten()[4].item<float>(), -3.0f);

        // Asymmetric per-channel grids: each channel has its own zero point,
        // and unsigned 16-bit codes reach 65535 without wrapping.
        const torch::Tensor v = torch::tensor({0.0f, 1.0f, -1.0f, 3.0f}).view({2, 2});
        const ChannelQuantized a = quantizePerChannel(v, torch::tensor({0.0f, -1.0f}), torch::tensor({1.0f, 3.0f}), 16, false);
        QCOMPARE(a.q[0][1].item<int>(), 65535);
        QCOMPARE(a.zeroPoint[0].item<int>(), 0);
        QCOMPARE(a.zeroPoint[1].item<int>(), 16384);  // round(1 / (4/65535)) = round(16383.75)
        QVERIFY(torch::allclose(dequantize(a), v, 0, 1e-4));
        const ChannelQuantized b2 = quantizePerChannel(v, torch::tensor({0.0f, -1.0f}), torch::tensor({1.0f, 3.0f}), 2, false);
        // Channel 1: Δ = 4/3, z = 1: −1 → 0 → −4/3 (ties at ±0.5 round to even).
        QCOMPARE(b2.q[1][0].item<int>(), 0);
        QCOMPARE(dequantize(b2)[1][0].item<float>(), -4.0f / 3.0f);
    }

    void mseSearchClipsGaussianTails() {
        // At 4 bits the Lp-optimal clip of Gaussian weights lies well inside
        // their extremes, and the search can never do worse than min/max.
        torch::manual_seed(0);
        const torch::Tensor w = torch::randn({2, 4096});
        auto [lo, hi] = weightRanges(w, 4, true, true);
        auto [mlo, mhi] = weightRanges(w, 4, true, false);
        QVERIFY((hi < 0.9 * mhi).all().item<bool>());
        const auto error = [&](const torch::Tensor& l, const torch::Tensor& h) {
            return (dequantize(quantizePerChannel(w, l, h, 4, true)) - w).abs().pow(2.4).sum().item<double>();
        };
        QVERIFY(error(lo, hi) < error(mlo, mhi));
    }

    void bitPackingRoundTrips() {
        QCOMPARE(packBits({1, 2}, 4), (std::vector<uint8_t>{0x21}));
        QCOMPARE(packedSize(3, 4), std::size_t{2});
        std::mt19937 rng(3);
        for (int bits = 1; bits <= 16; ++bits) {
            std::vector<uint16_t> v(1001);
            for (auto& x : v) x = static_cast<uint16_t>(rng() & ((1u << bits) - 1u));
            const auto packed = packBits(v, bits);
            QCOMPARE(packed.size(), packedSize(v.size(), bits));
            QCOMPARE(unpackBits(packed.data(), packed.size(), v.size(), bits), v);
        }
        QVERIFY(test::errorOf([] { unpackBits(nullptr, 0, 3, 4); }).contains("exactly"));
        const std::vector<uint8_t> surplus(3, 0);  // 3 bytes for 3 values of 4 bits (2 needed)
        QVERIFY(test::errorOf([&] { unpackBits(surplus.data(), surplus.size(), 3, 4); }).contains("exactly 2"));
    }

    void plansRoundTripAndRejectMismatches() {
        UNet2DModel model(test::tinyConfig());
        PresetOptions options;
        options.splitShortcuts = true;
        options.splitScope = SplitScope::ShortcutAndConv1;
        options.softmaxBits = 16;
        options.firstLast = FirstLastPolicy::FullPrecision;
        QuantPlan plan = makePresetPlan("W4A8", model.sites(), options);
        QCOMPARE(plan.splitScope, SplitScope::ShortcutAndConv1);
        QCOMPARE(plan.sites.size(), model.sites().size());
        QVERIFY(!plan.find("conv_in")->enabled);
        QVERIFY(!plan.find("conv_out")->enabled);
        QCOMPARE(plan.find(model.sites()[0].name)->weightBits, 4);  // time embedding stays in the plan
        for (const SiteInfo& site : model.sites())
            if (site.kind == SiteKind::AttentionProbs) QCOMPARE(plan.find(site.name)->activationBits, 16);
        relaxActivations(plan, 10, 0.2, 10, true);
        QCOMPARE(plan.find("down_blocks.0.resnets.0.conv1")->stepActivationBits, (std::map<int, int>{{8, 10}, {9, 10}}));
        const QuantPlan back = QuantPlan::fromJson(plan.toJson(), "plan.json");
        QVERIFY(back == plan);
        back.validateAgainst(model.sites(), "plan.json");

        QuantPlan missing = plan;
        missing.sites.erase(missing.sites.begin() + 3);
        const QString err = test::errorOf([&] { missing.validateAgainst(model.sites(), "p.json"); });
        QVERIFY2(err.contains(QString::fromStdString(plan.sites[3].first)) && err.contains("p.json"), qPrintable(err));
        std::string text = plan.toJson();
        text.replace(text.find("\"weight_bits\""), 13, "\"weight_bitz\"");
        QVERIFY(test::errorOf([&] { QuantPlan::fromJson(text, "p.json"); }).contains("weight_bitz"));
        std::string badBits = plan.toJson();
        badBits.replace(badBits.find("\"weight_bits\": 4"), 16, "\"weight_bits\": 1");
        QVERIFY(test::errorOf([&] { QuantPlan::fromJson(badBits, "p.json"); }).contains("2..16"));
        std::string badScope = plan.toJson();
        badScope.replace(badScope.find("\"shortcut_and_conv1\""), 20, "\"conv1_only\"");
        QVERIFY(test::errorOf([&] { QuantPlan::fromJson(badScope, "p.json"); }).contains("split_scope"));
        // A plan from before split_scope existed keeps its meaning: conv1 was split too.
        QuantPlan shortcutOnly = plan;
        shortcutOnly.splitScope = SplitScope::Shortcut;
        const std::string legacy = std::regex_replace(shortcutOnly.toJson(), std::regex("\"split_scope\": \"[a-z_0-9]+\",\\s*"), "");
        QVERIFY(legacy.find("split_scope") == std::string::npos);
        QCOMPARE(QuantPlan::fromJson(legacy, "old.json").splitScope, SplitScope::ShortcutAndConv1);
        QCOMPARE(QuantPlan::fromJson(shortcutOnly.toJson(), "new.json").splitScope, SplitScope::Shortcut);

        // Which sites a split plan splits: the raw concatenation always, conv1 only when asked.
        int raw = 0, conv1 = 0;
        QuantPlan qdiffusion = plan;
        qdiffusion.splitScope = SplitScope::Shortcut;
        for (const SiteInfo& site : model.sites()) {
            if (site.rawConcatInput) {
                ++raw;
                QVERIFY(site.name.find("conv_shortcut") != std::string::npos);
                QVERIFY(splitsSite(qdiffusion, site) && splitsSite(plan, site));
            } else if (site.splitChannels > 0 && !isAttentionOperand(site.kind)) {
                ++conv1;
                QVERIFY(site.name.find("conv1") != std::string::npos);
                QVERIFY(!splitsSite(qdiffusion, site) && splitsSite(plan, site));
            }
        }
        QVERIFY(raw > 0 && conv1 > 0);
    }

    void averageActivationWidthFollowsRelaxing() {
        UNet2DModel model(test::tinyConfig());
        QuantPlan plan = makePresetPlan("W4A8", model.sites());
        const ActivationWidthSummary plain = summarizeActivationWidths(plan, 10);
        QCOMPARE(plain.averageBits, 8.0);
        QCOMPARE(plain.quantizedSites, static_cast<int>(plan.sites.size()));
        relaxActivations(plan, 10, 0.2, 10, true);  // 2 of 10 steps at 10 bits
        const ActivationWidthSummary relaxed = summarizeActivationWidths(plan, 10);
        QVERIFY(std::abs(relaxed.averageBits - 8.4) < 1e-9);
        QCOMPARE(activationBitsAt(*plan.find("conv_in"), 9), 10);
        QCOMPARE(activationBitsAt(*plan.find("conv_in"), 0), 8);
        // A plan relaxed for 10 steps is summarised over those 10, whatever
        // step count is asked (its relaxed widths are keyed by step index).
        const ActivationWidthSummary elsewhere = summarizeActivationWidths(plan, 50);
        QCOMPARE(elsewhere.steps, 10);
        QVERIFY(std::abs(elsewhere.averageBits - 8.4) < 1e-9);
        QCOMPARE(summarizeActivationWidths(makePresetPlan("W4A16", model.sites()), 10).quantizedSites, 0);
    }

    void adaptiveHistogramsCountEveryValue() {
        // A random tiny model's activations move far between steps, so the
        // histogram ranges must grow; no value may be lost.
        const std::string folder = (dir_.path() + "/tiny").toStdString();
        test::writeModelFolder(folder, test::tinyConfig(), 5);
        LoadedModel m = loadModelFolder(folder);
        StatsSettings settings;
        settings.bins = 16;
        settings.sampling.batch = 3;
        settings.sampling.steps = 4;
        const ModelStatistics stats = collectStatistics(m.unet, m.scheduler, settings);
        QCOMPARE(stats.timesteps.size(), std::size_t{4});
        QCOMPARE(stats.sites.size(), m.unet.sites().size());
        bool sawSplit = false;
        for (const SiteStatistics& s : stats.sites) {
            for (const PartStatistics& p : s.parts) {
                QCOMPARE(p.counts.size(0), int64_t{4});
                for (int k = 0; k < 4; ++k) {
                    const int64_t total = p.counts[k].sum().item<int64_t>();
                    QCOMPARE(static_cast<double>(total), p.steps[static_cast<std::size_t>(k)].count);
                    QVERIFY(total > 0);
                    const MomentSummary& ms = p.steps[static_cast<std::size_t>(k)];
                    QVERIFY(ms.min >= p.histLo && ms.max <= p.histLo + p.bins * p.binWidth);
                    QVERIFY(ms.bimodality > 0 && ms.bimodality <= 1.0);
                }
            }
            if (s.split > 0) {
                sawSplit = true;
                QCOMPARE(s.parts.size(), std::size_t{3});
                QCOMPARE(s.parts[1].steps[0].count + s.parts[2].steps[0].count, s.parts[0].steps[0].count);
            }
        }
        QVERIFY(sawSplit);
        QVERIFY(stats.sites.front().sqnrDb.empty());
        saveStatistics((dir_.path() + "/stats").toStdString(), stats);
        const ModelStatistics back = loadStatistics((dir_.path() + "/stats").toStdString());
        QCOMPARE(back.sites.size(), stats.sites.size());
        QVERIFY(torch::equal(back.sites[2].parts[0].counts, stats.sites[2].parts[0].counts));
        QCOMPARE(back.weights.size(), stats.weights.size());
    }

    void collectedMomentsMatchTheActivations() {
        // The collector's moments (CPU fast path; a split site's whole input
        // merged from its halves) against LibTorch on the very inputs it saw,
        // recorded by an interceptor it wraps.
        struct Recorder : Interceptor {
            std::map<std::string, std::vector<torch::Tensor>> inputs;
            torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext&) override {
                inputs[site.name].push_back(input.clone());
                return input;
            }
        } recorder;
        const std::string folder = (dir_.path() + "/tiny-moments").toStdString();
        test::writeModelFolder(folder, test::tinyConfig(), 9);
        LoadedModel m = loadModelFolder(folder);
        StatsSettings settings;
        settings.bins = 32;
        settings.sampling.batch = 2;
        settings.sampling.steps = 3;
        const ModelStatistics stats = collectStatistics(m.unet, m.scheduler, settings, &recorder);
        auto check = [](const MomentSummary& got, const torch::Tensor& values) {
            const torch::Tensor v = values.flatten().to(torch::kFloat64);
            QCOMPARE(got.count, static_cast<double>(v.numel()));
            QCOMPARE(got.min, v.min().item<double>());
            QCOMPARE(got.max, v.max().item<double>());
            const double scale = std::max(1.0, v.abs().max().item<double>());
            QVERIFY2(std::abs(got.mean - v.mean().item<double>()) < 1e-5 * scale, qPrintable(QString::number(got.mean)));
            const double std = v.std(/*unbiased=*/false).item<double>();
            QVERIFY2(std::abs(got.std - std) < 1e-4 * std, qPrintable(QString::number(got.std)));
        };
        int splitSites = 0, checked = 0;
        for (const SiteStatistics& s : stats.sites) {
            const std::vector<torch::Tensor>& seen = recorder.inputs[s.name];
            QCOMPARE(seen.size(), std::size_t{3});
            for (std::size_t k = 0; k < seen.size(); ++k) {
                check(s.parts[0].steps[k], seen[k]);
                if (s.split > 0) {
                    check(s.parts[1].steps[k], seen[k].narrow(1, 0, s.split));
                    check(s.parts[2].steps[k], seen[k].narrow(1, s.split, seen[k].size(1) - s.split));
                }
                ++checked;
            }
            splitSites += s.split > 0;
        }
        QVERIFY(splitSites > 0);
        QCOMPARE(checked, static_cast<int>(stats.sites.size()) * 3);
    }

    void fastPathMatchesLibTorch() {
        // Two halves of a channel split, as spans without copies, against LibTorch on copies.
        torch::manual_seed(8);
        const torch::Tensor x = torch::cat({torch::randn({3, 5, 7, 7}) * 2 + 1, torch::rand({3, 4, 7, 7}) * 6 - 5}, 1);
        const float* data = x.data_ptr<float>();
        std::vector<fast::Span> skip;
        for (int64_t b = 0; b < 3; ++b) skip.push_back({data + (b * 9 + 5) * 49, 4 * 49});
        const torch::Tensor reference = x.narrow(1, 5, 4).contiguous().flatten().to(torch::kFloat64);
        const double mean = reference.mean().item<double>();
        std::vector<double> counts(16, 0.0), whole(8, 0.0);
        const fast::HistogramRow row{counts.data(), 16, -5.0, 6.0 / 16};
        const fast::HistogramRow also{whole.data(), 8, -5.0, 6.0 / 8};
        const fast::CentredSums sums = fast::centredSumsAndCounts(skip, mean, row, &also);
        const torch::Tensor d = reference - mean;
        QVERIFY(std::abs(sums.s2 - d.pow(2).sum().item<double>()) < 1e-4 * d.pow(2).sum().item<double>());
        QVERIFY(std::abs(sums.s3 - d.pow(3).sum().item<double>()) < 1e-3 * d.abs().pow(3).sum().item<double>());
        QVERIFY(std::abs(sums.s4 - d.pow(4).sum().item<double>()) < 1e-4 * d.pow(4).sum().item<double>());
        const torch::Tensor histc = torch::histc(reference.to(torch::kFloat32), 16, -5, 1);
        QCOMPARE(std::accumulate(counts.begin(), counts.end(), 0.0), 3.0 * 4 * 49);
        for (int k = 0; k < 16; ++k) QVERIFY2(std::abs(counts[k] - histc[k].item<double>()) <= 1, qPrintable(QString::number(k)));
        QCOMPARE(std::accumulate(whole.begin(), whole.end(), 0.0), 3.0 * 4 * 49);
        const torch::Tensor out = torch::randn({1000}), ref = torch::randn({1000});
        const auto [signal, noise] = fast::signalAndNoise(out.data_ptr<float>(), ref.data_ptr<float>(), 1000);
        QVERIFY(std::abs(signal - ref.pow(2).sum().item<double>()) < 1e-3);
        QVERIFY(std::abs(noise - (out - ref).pow(2).sum().item<double>()) < 1e-3);
    }

    void momentsAndBimodality() {
        // Two separated modes (like cat(h, skip)) score above 5/9, a Gaussian near 1/3;
        // merging chunks gives the moments of the whole set.
        torch::manual_seed(1);
        const torch::Tensor one = torch::randn({20000});
        const torch::Tensor two = torch::cat({torch::randn({10000}) * 0.1 - 2, torch::randn({10000}) * 0.1 + 2});
        const MomentSummary bimodal = summarizeMoments({two.narrow(0, 0, 7000), two.narrow(0, 7000, 13000)});
        const MomentSummary gaussian = summarizeMoments({one});
        QVERIFY(bimodal.bimodality > 5.0 / 9.0);
        QVERIFY(gaussian.bimodality < 0.4);
        QVERIFY(std::abs(gaussian.kurtosis) < 0.15 && std::abs(gaussian.skewness) < 0.1);
        const torch::Tensor d = two.to(torch::kFloat64);
        QVERIFY(std::abs(bimodal.mean - d.mean().item<double>()) < 1e-5);  // float32 chunk means
        QVERIFY(std::abs(bimodal.std - d.std(false).item<double>()) < 1e-5);
        QCOMPARE(bimodal.count, 20000.0);
        QCOMPARE(bimodal.min, two.min().item<double>());
    }

    void sixteenBitsReproduceFp() {
        LoadedModel m = loadModelFolder(shipped_);
        QuantPlan plan = makePresetPlan("W8A8", m.unet.sites());
        for (auto& [name, s] : plan.sites) {
            if (s.weightBits) s.weightBits = 16;
            s.activationBits = 16;
        }
        // Calibrated on every step of the same trajectory length, so that
        // clipping (not resolution) does not dominate.
        const CalibrationData data = smallCalibration(m, 16, 10, 10);
        QuantizedUNet q = calibrate(m.unet, plan, data);
        SampleRequest request;
        request.batch = 8;
        request.steps = 10;
        request.seed = 3;
        const SampleResult fp = runSampler(m.unet, m.scheduler, request);
        m.unet.setInterceptor(&q);
        const SampleResult qs = runSampler(m.unet, m.scheduler, request);
        m.unet.setInterceptor(nullptr);
        const PairedMetrics pm = pairedMetrics(toUnitRange(qs.samples), toUnitRange(fp.samples));
        QVERIFY2(pm.psnr > 45, std::to_string(pm.psnr).c_str());
        QVERIFY(!torch::equal(fp.samples, qs.samples));  // it did quantize
    }

    void w8a8OutputSqnrAndSplitShortcuts() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData data = smallCalibration(m, 16, 5, 20);
        QuantizedUNet w8a8 = calibrate(m.unet, makePresetPlan("W8A8", m.unet.sites()), data);
        // The model output (ε) at one calibration row per trajectory step.
        // ε SQNR collapses at the last steps (t < 100), where the noise in x_t is
        // below the input grid's step and ε is unobservable; samples are then
        // insensitive to ε (its weight √(1−ᾱ_t) vanishes), so the threshold
        // applies to the steps with t ≥ 100.
        for (int64_t row = 0; row < data.size(); row += 16) {
            const torch::Tensor r = torch::tensor({row, row + 1, row + 2, row + 3}, torch::kInt64);
            const torch::Tensor x = data.samples.index_select(0, r).to(torch::kFloat32);
            const torch::Tensor t = data.timesteps.index_select(0, r);
            const double sqnr = outputSqnr(m, w8a8, x, t, data.classLabels.index_select(0, r));
            if (t[0].item<int64_t>() >= 100) QVERIFY2(sqnr > 25.0, std::to_string(sqnr).c_str());  // stated: 25 dB
        }

        // Split quantization of the decoder's cat(h, skip) inputs: a different and
        // smaller error on a shortcut site at W4A8.
        PresetOptions split;
        split.splitShortcuts = true;
        QuantizedUNet plain = calibrate(m.unet, makePresetPlan("W4A8", m.unet.sites()), data);
        QuantizedUNet splitQ = calibrate(m.unet, makePresetPlan("W4A8", m.unet.sites(), split), data);
        // Q-Diffusion's default splits the shortcut convs (the raw concatenation), not conv1.
        std::vector<std::string> splitSites, conv1Sites;
        for (const SiteInfo& s : m.unet.sites()) {
            if (s.rawConcatInput) splitSites.push_back(s.name);
            else if (s.splitChannels > 0 && !isAttentionOperand(s.kind)) conv1Sites.push_back(s.name);
        }
        QVERIFY(!splitSites.empty() && !conv1Sites.empty());
        QCOMPARE(splitQ.find(splitSites[0])->activationParts.size(), std::size_t{2});
        QCOMPARE(splitQ.find(splitSites[0])->weightParts.size(), std::size_t{2});
        QCOMPARE(plain.find(splitSites[0])->activationParts.size(), std::size_t{1});
        QCOMPARE(splitQ.find(conv1Sites[0])->activationParts.size(), std::size_t{1});
        split.splitScope = SplitScope::ShortcutAndConv1;
        QuantizedUNet both = calibrate(m.unet, makePresetPlan("W4A8", m.unet.sites(), split), data);
        QCOMPARE(both.find(conv1Sites[0])->activationParts.size(), std::size_t{2});
        QCOMPARE(both.find(conv1Sites[0])->weightParts.size(), std::size_t{2});
        StatsSettings settings;
        settings.sampling.batch = 4;
        settings.sampling.steps = 10;
        auto meanSqnr = [&](const ModelStatistics& s, const std::string& site) {
            for (const SiteStatistics& st : s.sites)
                if (st.name == site) return std::accumulate(st.sqnrDb.begin(), st.sqnrDb.end(), 0.0) / st.sqnrDb.size();
            return 0.0;
        };
        // Each site's SQNR is its own output error on the input it receives.
        auto splitGains = [&](QuantizedUNet& off, QuantizedUNet& on, const char* label) {
            const ModelStatistics a = collectStatistics(m.unet, m.scheduler, settings, &off);
            const ModelStatistics b = collectStatistics(m.unet, m.scheduler, settings, &on);
            std::vector<double> gains;
            for (const std::string& site : splitSites) {
                gains.push_back(meanSqnr(b, site) - meanSqnr(a, site));
                qDebug("%s %s: %.2f dB without split, %.2f dB with", label, site.c_str(), meanSqnr(a, site),
                       meanSqnr(b, site));
            }
            return gains;
        };
        auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };

        // What the split is for: the two halves' activations on their own grids.
        // With FP weights it must help at every shortcut site.
        auto fpWeights = [&](QuantPlan plan) {
            for (auto& [name, s] : plan.sites)
                if (s.weightBits) s.weightBits = 16;
            return plan;
        };
        QuantizedUNet a8 = calibrate(m.unet, fpWeights(makePresetPlan("W4A8", m.unet.sites())), data);
        PresetOptions shortcutsOnly;  // as splitQ: the raw concatenations only
        shortcutsOnly.splitShortcuts = true;
        QuantizedUNet a8Split =
            calibrate(m.unet, fpWeights(makePresetPlan("W4A8", m.unet.sites(), shortcutsOnly)), data);
        const std::vector<double> activationGains = splitGains(a8, a8Split, "A8");
        for (std::size_t i = 0; i < splitSites.size(); ++i)
            QVERIFY2(activationGains[i] > 0, (splitSites[i] + ": " + std::to_string(activationGains[i])).c_str());
        QVERIFY2(mean(activationGains) > 0.5, std::to_string(mean(activationGains)).c_str());

        // At W4A8 the 4-bit weights dominate the error. Their halves get their own
        // per-channel scales too, which lowers the expected error but not every
        // realization: where the halves' channel ranges are alike, rounding can land
        // slightly worse (measured −0.15 dB at up_blocks.2.resnets.1 of the shipped
        // model, from the weights alone). Better on average, never clearly worse.
        const std::vector<double> gains = splitGains(plain, splitQ, "W4A8");
        for (std::size_t i = 0; i < splitSites.size(); ++i)
            QVERIFY2(gains[i] > -0.3, (splitSites[i] + ": " + std::to_string(gains[i])).c_str());
        QVERIFY2(mean(gains) > 0.3, std::to_string(mean(gains)).c_str());
    }

    void artifactRoundTripsBitIdentically() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData data = smallCalibration(m, 8, 4, 10);
        PresetOptions options;
        options.splitShortcuts = true;
        options.rangeMethod = RangeMethod::Mse;
        options.perStepActivation = true;
        QuantizedUNet q = calibrate(m.unet, makePresetPlan("W4A8", m.unet.sites(), options), data);
        const std::string out = (dir_.path() + "/w4a8").toStdString();
        const ArtifactSizes sizes = saveQuantizedModel(out, q, shipped_, "{\"note\":\"test\"}");
        QVERIFY2(sizes.artifactBytes * 4 < sizes.fpWeightsBytes,
                 (std::to_string(sizes.artifactBytes) + " vs " + std::to_string(sizes.fpWeightsBytes)).c_str());

        LoadedQuantizedModel back = loadQuantizedModel(out);
        QCOMPARE(back.fpFolder, shipped_);
        QVERIFY(back.quantized.plan() == q.plan());
        SampleRequest request;
        request.batch = 4;
        request.steps = 8;
        m.unet.setInterceptor(&q);
        const SampleResult a = runSampler(m.unet, m.scheduler, request);
        back.fp.denoiser().setInterceptor(&back.quantized);
        const SampleResult b = runSampler(back.fp.denoiser(), back.fp.scheduler(), request);
        QVERIFY(torch::equal(a.samples, b.samples));

        // A truncated weights file and a plan for another model are rejected by name.
        const QString weights = QString::fromStdString(out) + "/quantized_weights.safetensors";
        QByteArray bytes;
        {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::ReadOnly));
            bytes = f.readAll();
        }
        {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes.left(bytes.size() / 2));
        }
        QVERIFY(test::errorOf([&] { loadQuantizedModel(out); }).contains("quantized_weights.safetensors"));
        {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
        }
        const std::string jsonPath = out + "/quantized_model.json";
        std::string json = readTextFile(jsonPath);
        const std::string from = "\"mid_block.attentions.0.to_q\"";
        for (std::size_t at = json.find(from); at != std::string::npos; at = json.find(from))
            json.replace(at, from.size(), "\"mid_block.attentions.0.to_query\"");
        writeTextFileAtomically(jsonPath, json);
        const QString err = test::errorOf([&] { loadQuantizedModel(out); });
        QVERIFY2(err.contains("mid_block.attentions.0.to_q'") || err.contains("mid_block.attentions.0.to_q "),
                 qPrintable(err));
        QVERIFY2(err.contains("quantized_model.json"), qPrintable(err));
    }

    void damagedOrInconsistentArtifactsAreRejected() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData data = smallCalibration(m, 4, 3, 6);
        QuantizedUNet q = calibrate(m.unet, makePresetPlan("W8A8", m.unet.sites()), data);
        const std::string out = (dir_.path() + "/w8a8-damaged").toStdString();
        saveQuantizedModel(out, q, shipped_, "{}");
        QVERIFY(loadQuantizedState(out, m.unet).sites().size() == m.unet.sites().size());

        // One flipped bit in the packed payload (same size, valid header).
        const QString weights = QString::fromStdString(out) + "/quantized_weights.safetensors";
        QFile f(weights);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x10);
        f.seek(0);
        f.write(bytes);
        f.close();
        QString err = test::errorOf([&] { loadQuantizedState(out, m.unet); });
        QVERIFY2(err.contains("quantized_weights.safetensors") && err.contains("does not match"), qPrintable(err));
        bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x10);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        QVERIFY(loadQuantizedState(out, m.unet).sites().size() == m.unet.sites().size());

        // A site whose grids were removed although the plan quantizes its input.
        const std::string jsonPath = out + "/quantized_model.json";
        const std::string original = readTextFile(jsonPath);
        QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(original));
        QJsonObject root = doc.object();
        QJsonArray sites = root["sites"].toArray();
        QJsonObject conv = sites[1].toObject();
        const QString name = conv["name"].toString();
        conv.remove("activation");
        sites[1] = conv;
        root["sites"] = sites;
        writeTextFileAtomically(jsonPath, QJsonDocument(root).toJson().toStdString());
        err = test::errorOf([&] { loadQuantizedState(out, m.unet); });
        QVERIFY2(err.contains(name) && err.contains("no activation grid"), qPrintable(err));

        // Bits that contradict the plan.
        root = QJsonDocument::fromJson(QByteArray::fromStdString(original)).object();
        sites = root["sites"].toArray();
        conv = sites[1].toObject();
        QJsonArray parts = conv["weight"].toArray();
        QJsonObject part = parts[0].toObject();
        part["bits"] = 6;
        parts[0] = part;
        conv["weight"] = parts;
        sites[1] = conv;
        root["sites"] = sites;
        writeTextFileAtomically(jsonPath, QJsonDocument(root).toJson().toStdString());
        err = test::errorOf([&] { loadQuantizedState(out, m.unet); });
        QVERIFY2(err.contains(name) && err.contains("6-bit"), qPrintable(err));

        // A plan that splits the shortcut inputs, over grids that were not split.
        root = QJsonDocument::fromJson(QByteArray::fromStdString(original)).object();
        QJsonObject plan = root["plan"].toObject();
        plan["split_shortcuts"] = true;
        plan["split_scope"] = "shortcut";
        root["plan"] = plan;
        writeTextFileAtomically(jsonPath, QJsonDocument(root).toJson().toStdString());
        err = test::errorOf([&] { loadQuantizedState(out, m.unet); });
        QVERIFY2(err.contains("conv_shortcut") && err.contains("is not split although its plan splits it") &&
                     err.contains("calibrate it again"),
                 qPrintable(err));

        // Another model's weights: the artifact belongs to the shipped model only.
        const QString other = dir_.path() + "/other-shipped-shape";
        writeTextFileAtomically(jsonPath, original);
        LoadedModel tiny = loadModelFolder(shipped_);
        QDir().mkpath(other);
        tiny.unet.initializeRandom(5);
        tiny.unet.save(other.toStdString());
        LoadedModel reloaded = loadModelFolder(other.toStdString());
        err = test::errorOf([&] { loadQuantizedState(out, reloaded.unet); });
        QVERIFY2(err.contains("other weights"), qPrintable(err));
    }

    void rangeMethodsPerStepGridsRelaxingAndFirstLast() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData data = smallCalibration(m, 8, 5, 10);
        // Activations only (FP weights), so every method observes the same activations.
        auto calibrated = [&](RangeMethod method, bool perStep = false) {
            PresetOptions o;
            o.rangeMethod = method;
            o.perStepActivation = perStep;
            QuantPlan plan = makePresetPlan("W8A8", m.unet.sites(), o);
            for (auto& [name, site] : plan.sites) site.weightBits = 0;
            return calibrate(m.unet, plan, data);
        };
        const QuantizedUNet minmax = calibrated(RangeMethod::MinMax), percentile = calibrated(RangeMethod::Percentile),
                            running = calibrated(RangeMethod::RunningMinMax), mse = calibrated(RangeMethod::Mse);
        int narrowerPercentile = 0, differentRunning = 0, narrowerMse = 0, checked = 0;
        for (const SiteQuantState& st : minmax.sites()) {
            if (st.activationParts.empty()) continue;
            const ActivationGrid& a = st.activationParts[0].grids[0];
            const ActivationGrid& p = percentile.find(st.site.name)->activationParts[0].grids[0];
            const ActivationGrid& r = running.find(st.site.name)->activationParts[0].grids[0];
            const ActivationGrid& e = mse.find(st.site.name)->activationParts[0].grids[0];
            // Clipping methods never widen the observed range (grids always include 0).
            auto inside = [&](const ActivationGrid& g) {
                return std::min(g.lo, 0.0f) >= std::min(a.lo, 0.0f) - 1e-5f &&
                       std::max(g.hi, 0.0f) <= std::max(a.hi, 0.0f) + 1e-5f;
            };
            QVERIFY(inside(p));
            QVERIFY(inside(e));
            QVERIFY(inside(r));
            narrowerPercentile += (p.hi - p.lo) < (a.hi - a.lo) - 1e-6;
            narrowerMse += (e.hi - e.lo) < (a.hi - a.lo) - 1e-6;
            differentRunning += std::abs(r.hi - a.hi) > 1e-6 || std::abs(r.lo - a.lo) > 1e-6;
            ++checked;
        }
        QVERIFY(checked > 40);
        QVERIFY2(narrowerPercentile > checked / 2, qPrintable(QString::number(narrowerPercentile)));
        QVERIFY2(narrowerMse > 0, qPrintable(QString::number(narrowerMse)));
        QVERIFY2(differentRunning > checked / 2, qPrintable(QString::number(differentRunning)));

        // PCR's per-step grids: one per calibrated step; conv_in sees x_t, whose range shrinks with t.
        const QuantizedUNet perStep = calibrated(RangeMethod::MinMax, true);
        const ActivationQuantizer& in = perStep.find("conv_in")->activationParts[0];
        QCOMPARE(static_cast<int>(in.grids.size()), 5);
        QVERIFY(in.grids.front().timestep < in.grids.back().timestep);
        QVERIFY(in.grids.back().hi - in.grids.back().lo > in.grids.front().hi - in.grids.front().lo);
        for (const ActivationGrid& g : in.grids) QCOMPARE(in.gridFor(g.timestep).timestep, g.timestep);
        QCOMPARE(in.gridFor(in.grids.front().timestep - 1).timestep, in.grids.front().timestep);

        // PCR's activation relaxing: the last 30 % of the 10 steps at 12 bits.
        QuantPlan relaxed = makePresetPlan("W8A8", m.unet.sites());
        relaxActivations(relaxed, 10, 0.3, 12, true);
        const QuantizedUNet r = calibrate(m.unet, relaxed, data);
        const ActivationQuantizer& rin = r.find("conv_in")->activationParts[0];
        QCOMPARE(static_cast<int>(rin.grids.size()), 10);
        std::map<int64_t, int> bitsAt;
        for (const ActivationGrid& g : rin.grids) bitsAt[g.timestep] = g.bits;
        const std::vector<int64_t>& ts = data.trajectoryTimesteps;
        for (std::size_t k = 0; k < ts.size(); ++k) QCOMPARE(bitsAt.at(ts[k]), k >= 7 ? 12 : 8);

        // First and last layers kept at 8 bits in W4A8.
        PresetOptions o;
        o.firstLast = FirstLastPolicy::EightBit;
        const QuantizedUNet w4 = quantizeWeights(m.unet, makePresetPlan("W4A8", m.unet.sites(), o));
        QCOMPARE(w4.find("conv_in")->weightParts[0].bits, 8);
        QCOMPARE(w4.find("conv_out")->weightParts[0].bits, 8);
        QCOMPARE(w4.find("down_blocks.0.resnets.0.conv1")->weightParts[0].bits, 4);
    }

    void calibrationDataNormalTimestepsAndReuse() {
        LoadedModel m = loadModelFolder(shipped_);
        CalibrationDataSettings s;
        s.selection = TimestepSelection::Normal;
        s.normalMean = 0.4;
        s.normalStd = 0.05;
        s.samples = 6;
        s.steps = 4;
        s.batchSize = 6;
        s.trajectory.steps = 20;
        const CalibrationData normal = collectCalibrationData(m.unet, m.scheduler, s);
        QCOMPARE(normal.size(), 24);
        // N(400, 50) over a 20-step (50 apart) trajectory: steps near t = 400.
        const double mean = normal.timesteps.to(torch::kFloat64).mean().item<double>();
        QVERIFY2(mean > 320 && mean < 480, qPrintable(QString::number(mean)));
        QVERIFY(normal.timesteps.min().item<int64_t>() >= 200 && normal.timesteps.max().item<int64_t>() <= 600);
        QVERIFY(normal.withUnconditional);
        QCOMPARE(normal.classLabels.size(0), 24);

        s.selection = TimestepSelection::Uniform;
        const CalibrationData uniform = collectCalibrationData(m.unet, m.scheduler, s);
        const torch::Tensor steps = std::get<0>(torch::_unique(uniform.stepIndex));
        QCOMPARE(steps.size(0), 4);
        QCOMPARE(steps[0].item<int64_t>(), 0);
        QCOMPARE(steps[3].item<int64_t>(), 19);

        // Stored compactly and read back as it was.
        CalibrationData stored = normal;
        stored.modelStamp = "abc";
        const std::string path = (dir_.path() + "/cali-normal.safetensors").toStdString();
        stored.save(path);
        const CalibrationData back = CalibrationData::load(path);
        QVERIFY(torch::equal(back.samples, stored.samples));
        QVERIFY(torch::equal(back.timesteps, stored.timesteps));
        QVERIFY(torch::equal(back.classLabels, stored.classLabels));
        QCOMPARE(back.settings, stored.settings);
        QCOMPARE(back.modelStamp, std::string("abc"));
        QCOMPARE(back.trajectoryTimesteps, stored.trajectoryTimesteps);
    }

    void modelsThatEmbedClassValuesCalibrate() {
        UNetConfig config = test::tinyConfig();
        config.classEmbedType = ClassEmbedType::Timestep;
        config.numClassEmbeds.reset();
        config.nullClassLabel.reset();
        const std::string folder = (dir_.path() + "/timestep-classes").toStdString();
        test::writeModelFolder(folder, config, 4);
        LoadedModel m = loadModelFolder(folder);
        const CalibrationData data = smallCalibration(m, 3, 2, 4);
        QVERIFY(data.classLabels.defined());
        QVERIFY(!data.withUnconditional);
        const QuantizedUNet q = calibrate(m.unet, makePresetPlan("W8A8", m.unet.sites()), data);
        QVERIFY(!q.sites().front().activationParts.empty());
    }

    void cliCalibratesComparesAndEvaluates() {
        const QString model = dir_.path() + "/climodel";
        test::writeModelFolder(model.toStdString(), test::tinyConfig(), 9);
        const QString qmodel = dir_.path() + "/cli-w8a8", cali = dir_.path() + "/cali.safetensors";
        auto calibrateArgs = QStringList{"-q", "calibrate", "--model", model, "--preset", "W8A8", "--cali-st", "3",
                                         "--cali-n", "4", "--steps", "6", "--cali-data", cali, "--out", qmodel,
                                         "--device", "cpu"};
        test::CliResult r = test::runCli(calibrateArgs);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(qmodel + "/quantized_model.json"));
        QVERIFY(QFile::exists(cali));
        calibrateArgs.removeFirst();  // without -q, to see the log
        r = test::runCli(calibrateArgs);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("Reusing calibration data"), qPrintable(r.err));

        const QString png = dir_.path() + "/compare.png";
        r = test::runCli({"sample", "--quant", qmodel, "--compare", "--num", "4", "--steps", "6", "--out", png,
                          "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("PSNR"));
        QVERIFY(QFile(png).size() > 100);

        const QString stats = dir_.path() + "/cli-stats";
        r = test::runCli({"stats", "--quant", qmodel, "--num", "2", "--steps", "3", "--out", stats, "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains("x);"));  // the overhead report
        QFile statsJson(stats + "/stats.json");
        QVERIFY(statsJson.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(statsJson.readAll()).object();
        QCOMPARE(root["timesteps"].toArray().size(), 3);
        QVERIFY(root["sites"].toArray()[0].toObject().contains("sqnr_db"));

        // eval --quant: every metric plus FID-to-FP and the paired metrics, on the shipped model.
        const QString shippedQ = dir_.path() + "/cli-shipped-w8a8", evalJson = dir_.path() + "/eval.json";
        r = test::runCli({"-q", "calibrate", "--preset", "W8A8", "--cali-st", "3", "--cali-n", "4", "--steps", "5",
                          "--out", shippedQ, "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = test::runCli({"-q", "eval", "--quant", shippedQ, "--num", "20", "--steps", "5", "--json", evalJson,
                          "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("FID to FP"));
        QFile evalFile(evalJson);
        QVERIFY(evalFile.open(QIODevice::ReadOnly));
        const QJsonObject metrics = QJsonDocument::fromJson(evalFile.readAll()).object()["metrics"].toObject();
        for (const char* key : {"fid", "sfid", "is_mean", "class_accuracy", "fid_to_fp", "sfid_to_fp", "psnr_vs_fp",
                                "ssim_vs_fp", "mse_vs_fp", "fp_fid"})
            QVERIFY2(metrics.contains(key) && std::isfinite(metrics[key].toDouble()), key);
        QVERIFY(metrics["psnr_vs_fp"].toDouble() > 15 && metrics["ssim_vs_fp"].toDouble() > 0.5);
        QVERIFY(metrics["fid_to_fp"].toDouble() >= 0);

        // Mismatched FP model: another random model is refused.
        const QString other = dir_.path() + "/othermodel";
        test::writeModelFolder(other.toStdString(), test::tinyConfig(), 10);
        r = test::runCli({"-q", "sample", "--quant", qmodel, "--model", other, "--num", "1", "--steps", "2", "--out",
                          dir_.path() + "/x.png"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("other weights"), qPrintable(r.err));
    }
};

QObject* makeQuantizationTest() { return new QuantizationTest; }
#include "test_quantization.moc"
