// Per-site sensitivity and automatic mixed precision: the sweep on the shipped
// model checked against the ordinary quantization path, the knapsack against
// brute force, the report's JSON form, and the CLI chain sensitivity →
// allocate → calibrate --plan.
#include <cmath>
#include <filesystem>
#include <functional>

#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/analysis/bit_allocation.h"
#include "core/analysis/sensitivity.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/model_folder.h"
#include "core/model/unet2d.h"
#include "core/quant/calibration_batches.h"
#include "core/quant/calibrator.h"
#include "core/quant/weight_rounding.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

const std::string kModel = DQ_SHIPPED_MODEL_DIR;

CalibrationData smallCalibrationSet(LoadedModel& m) {
    CalibrationDataSettings s;
    s.samples = 8;
    s.steps = 3;
    s.batchSize = 8;
    s.trajectory.steps = 6;
    s.trajectory.seed = 11;
    return collectCalibrationData(m.unet, m.scheduler, s);
}

// ||ε̂ − ε||² / ||ε||² per step, averaged, with `q` installed, over the same
// strided evaluation rows the sweep uses.
double meanNmseWith(LoadedModel& m, Interceptor* q, const CalibrationData& data, int rowsPerStep) {
    const int64_t steps = std::get<0>(torch::_unique(data.stepIndex)).size(0);
    const auto batches = calibrationBatchRows(data, 128, rowsPerStep * steps);
    std::map<int, std::pair<double, double>> perStep;
    forEachCalibrationBatch(m.unet, data, batches,
                            [&](const CalibrationBatch& b) {
                                m.unet.setInterceptor(nullptr);
                                const torch::Tensor ref = m.unet.forward(b.x, b.t, b.condition).to(torch::kFloat64);
                                m.unet.setInterceptor(q);
                                const torch::Tensor out = m.unet.forward(b.x, b.t, b.condition).to(torch::kFloat64);
                                m.unet.setInterceptor(nullptr);
                                perStep[b.stepIndex].first += (out - ref).pow(2).sum().item<double>();
                                perStep[b.stepIndex].second += ref.pow(2).sum().item<double>();
                            },
                            {});
    double sum = 0;
    for (const auto& [step, e] : perStep) sum += e.first / e.second;
    return sum / static_cast<double>(perStep.size());
}

// A plan with only `site` quantized: its weight at `weightBits`, its activation at `activationBits` (0: FP).
QuantPlan onlySite(const QuantPlan& base, const std::string& site, int weightBits, int activationBits) {
    QuantPlan plan = base;
    for (auto& [name, p] : plan.sites) {
        p.enabled = name == site;
        p.weightBits = name == site ? weightBits : 0;
        p.activationBits = name == site ? activationBits : 0;
    }
    return plan;
}

// Relative agreement of two computations of the same error through different batching.
constexpr double kPathTolerance = 1e-4;

bool close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)) + 1e-15; }

// A small synthetic report: sites with weights only, for the knapsack tests.
SensitivityReport syntheticReport(const std::vector<int64_t>& counts, const std::vector<std::map<int, double>>& errors) {
    SensitivityReport r;
    r.weightWidths = {2, 4, 8};
    r.activationWidths = {8};
    r.timesteps.assign(1, 10);
    r.inputs = 1;
    r.allWeights.perStepNmse.assign(1, 0.0);
    r.allActivations.perStepNmse.assign(1, 0.0);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        SiteSensitivity s;
        s.name = "site" + std::to_string(i);
        s.kind = "Linear";
        s.weightCount = counts[i];
        s.outputChannels = 4;
        s.weightParts = 1;
        OperandSensitivity w;
        for (const auto& [bits, e] : errors[i]) {
            ErrorMeasure m;
            m.meanNmse = e;
            m.perStepNmse.assign(1, e);
            w.alone[bits] = m;
        }
        s.weight = w;
        ErrorMeasure a;
        a.meanNmse = 0.001;
        a.perStepNmse.assign(1, 0.001);
        s.activation.alone[8] = a;
        r.sites.push_back(s);
        SitePlan p;
        p.weightBits = 8;
        p.activationBits = 8;
        r.basePlan.sites.emplace_back(s.name, p);
    }
    return r;
}

}  // namespace

class SensitivityTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sweepMatchesTheOrdinaryQuantizationPath() {
        c10::InferenceMode inference;
        LoadedModel m = loadModelFolder(kModel);
        const CalibrationData data = smallCalibrationSet(m);
        const QuantPlan base = makePresetPlan("W4A8", m.unet.sites());
        SensitivityOptions options;
        options.weightWidths = {2, 8};
        options.activationWidths = {4, 8};
        options.rowsPerStep = 2;
        int stages = 0, lastProgress = 0, total = 0;
        ProgressCallbacks callbacks;
        callbacks.stage = [&](const std::string&) { ++stages; };
        callbacks.progress = [&](int done, int of) { lastProgress = done, total = of; };
        const SensitivityReport report = measureSensitivity(m.unet, m.scheduler, base, data, options, callbacks);
        QCOMPARE(stages, 2);
        QCOMPARE(lastProgress, total);
        QVERIFY(m.unet.interceptor() == nullptr);
        QCOMPARE(report.sites.size(), m.unet.sites().size());
        QCOMPARE(report.baseWeightBits, 4);
        QCOMPARE(report.baseActivationBits, 8);
        QCOMPARE(report.timesteps.size(), std::size_t(3));

        // Every weight loses more at 2 bits than at 8, and 8-bit weights are nearly lossless.
        for (const SiteSensitivity& s : report.sites) {
            QCOMPARE(s.weight.has_value(), s.weightCount > 0);
            if (!s.weight) continue;
            QVERIFY2(s.weight->alone.at(2).meanNmse > s.weight->alone.at(8).meanNmse, s.name.c_str());
            QVERIFY2(s.weight->alone.at(8).sqnrDb() > 25, s.name.c_str());
            QVERIFY(s.weight->allBut.has_value());
        }

        // "Alone" equals quantizing that site by the ordinary path (quantizeWeights,
        // calibrateActivations) and measuring the same inputs. Equal up to float32
        // rounding: the two paths batch their inputs differently, BLAS may pick other
        // kernels for other shapes, and an NMSE of 1e-5 is the difference of nearly
        // equal outputs, which amplifies that rounding (1.2e-5 relative was seen with
        // Debian's packages of 2026-12-01). A different grid or site moves it by far more.
        for (const std::string site : {"conv_in", "up_blocks.1.resnets.0.conv1", "mid_block.attentions.0.to_q"}) {
            const SiteSensitivity* s = report.find(site);
            QVERIFY(s != nullptr);
            QuantizedUNet w = quantizeWeights(m.unet, onlySite(base, site, 2, 0));
            const double expectedW = meanNmseWith(m, &w, data, options.rowsPerStep);
            QVERIFY2(close(s->weight->alone.at(2).meanNmse, expectedW, kPathTolerance),
                     qPrintable(QString("%1: sweep %2, direct %3").arg(site.c_str()).arg(s->weight->alone.at(2).meanNmse).arg(expectedW)));
            QuantizedUNet a = quantizeWeights(m.unet, onlySite(base, site, 0, 4));
            calibrateActivations(m.unet, a, data, {});
            const double expectedA = meanNmseWith(m, &a, data, options.rowsPerStep);
            QVERIFY2(close(s->activation.alone.at(4).meanNmse, expectedA, kPathTolerance),
                     qPrintable(QString("%1: sweep %2, direct %3").arg(site.c_str()).arg(s->activation.alone.at(4).meanNmse).arg(expectedA)));
        }
        // "All but one" equals the base plan's weights with that one left FP.
        QuantPlan allBut = base;
        for (auto& [name, p] : allBut.sites) p.activationBits = 0;
        allBut.find("conv_in")->weightBits = 0;
        QuantizedUNet allButQ = quantizeWeights(m.unet, allBut);
        QVERIFY(close(report.find("conv_in")->weight->allBut->meanNmse, meanNmseWith(m, &allButQ, data, 2), kPathTolerance));

        // The JSON form round-trips.
        const SensitivityReport back = SensitivityReport::fromJson(report.toJson(), "report.json");
        QCOMPARE(back.sites.size(), report.sites.size());
        QVERIFY(back.basePlan == report.basePlan);
        QCOMPARE(back.find("conv_in")->weight->alone.at(2).meanNmse, report.find("conv_in")->weight->alone.at(2).meanNmse);
        QCOMPARE(back.allActivations.perStepNmse, report.allActivations.perStepNmse);
        QCOMPARE(back.toJson(), report.toJson());

        // An allocation from the real report fits its budget and calibrates.
        AllocationBudget budget;
        budget.averageWeightBits = 5.0;
        AllocationOptions ao;
        ao.allowFullPrecision = false;
        const Allocation a = allocateBits(report, budget, ao);
        QVERIFY(a.averageWeightBits <= 5.0 + 1e-9);
        QVERIFY(a.averageWeightBits > 4.0);  // the budget is used, not wasted
        QVERIFY(a.weightWidthCounts.count(2) + a.weightWidthCounts.count(8) > 0);
        a.plan.validateAgainst(m.unet.sites(), "allocated plan");
        const QuantizedUNet calibrated = calibrate(m.unet, a.plan, data);
        QCOMPARE(calibrated.find("conv_in")->weightParts.front().bits, a.plan.find("conv_in")->weightBits);

        // By its own objective the allocation is never worse than the best
        // uniform plan within the same budget, and it meets the budget.
        const AllocationTable table(report, 8.0, ao);
        for (double b : {2.0, 3.0, 5.0, 8.0}) {
            AllocationBudget bb;
            bb.averageWeightBits = b;
            AllocationOptions o = ao;
            const Allocation best = allocateBits(report, bb, o);
            o.strategy = AllocationStrategy::Uniform;
            const Allocation uniform = allocateBits(report, bb, o);
            QVERIFY(best.averageWeightBits <= b + 1e-9);
            // The explorer's table agrees to within its rounding of costs
            // (the real report's weight counts need it: their gcd is small).
            const Allocation fromTable = table.allocate(b);
            QVERIFY(fromTable.averageWeightBits <= b + 1e-9);
            QVERIFY2(std::abs(fromTable.predictedNmse - best.predictedNmse) <= 1e-3 * best.predictedNmse,
                     qPrintable(QString("%1 bits: table %2 vs %3").arg(b).arg(fromTable.predictedNmse).arg(best.predictedNmse)));
            QVERIFY2(best.predictedNmse <= uniform.predictedNmse * (1 + 1e-12),
                     qPrintable(QString("%1 bits: %2 vs uniform %3").arg(b).arg(best.predictedNmse).arg(uniform.predictedNmse)));
        }
    }

    void aSiteGivenTwoBitsRanksAsTheMostHarmful() {
        c10::InferenceMode inference;
        LoadedModel m = loadModelFolder(kModel);
        const CalibrationData data = smallCalibrationSet(m);
        QuantPlan base = makePresetPlan("W8A8", m.unet.sites());
        // Harmless at 8 bits (68 dB alone on the shipped model), 18 dB at 2 bits.
        const std::string victim = "time_embedding.linear_1";
        base.find(victim)->weightBits = 2;
        SensitivityOptions options;
        options.weightWidths = {8};
        options.activationWidths = {8};
        options.rowsPerStep = 2;
        const SensitivityReport report = measureSensitivity(m.unet, m.scheduler, base, data, options);
        // Leaving it in FP helps most: its "all but it" error is the lowest.
        const SiteSensitivity* best = nullptr;
        for (const SiteSensitivity& s : report.sites)
            if (s.weight && (!best || s.weight->allBut->meanNmse < best->weight->allBut->meanNmse)) best = &s;
        QCOMPARE(QString::fromStdString(best->name), QString::fromStdString(victim));
        QVERIFY(best->weight->allBut->sqnrDb() > report.allWeights.sqnrDb() + 6);
    }

    void cancellingTheSweepLeavesTheModelAsItWas() {
        c10::InferenceMode inference;
        LoadedModel m = loadModelFolder(kModel);
        const CalibrationData data = smallCalibrationSet(m);
        SensitivityOptions options;
        options.weightWidths = {4};
        options.activationWidths = {8};
        options.rowsPerStep = 1;
        int polls = 0;
        ProgressCallbacks callbacks;
        callbacks.cancelled = [&] { return ++polls > 40; };
        bool cancelled = false;
        try {
            measureSensitivity(m.unet, m.scheduler, makePresetPlan("W8A8", m.unet.sites()), data, options, callbacks);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY(m.unet.interceptor() == nullptr);
    }

    void optimalAllocationMatchesBruteForce() {
        // Four sites of different sizes and sensitivities.
        const std::vector<int64_t> counts = {1000, 4000, 250, 9000};
        const std::vector<std::map<int, double>> errors = {
            {{2, 0.30}, {4, 0.02}, {8, 0.0001}},
            {{2, 0.05}, {4, 0.004}, {8, 0.00002}},
            {{2, 0.90}, {4, 0.10}, {8, 0.001}},
            {{2, 0.02}, {4, 0.001}, {8, 0.00001}},
        };
        const SensitivityReport report = syntheticReport(counts, errors);
        const double total = 1000 + 4000 + 250 + 9000;
        // One table, built for the widest budget, answers every smaller one.
        const AllocationTable table(report, 12.0);
        for (double budgetBits : {2.0, 2.5, 3.0, 3.7, 4.0, 5.5, 8.0, 12.0}) {
            AllocationBudget budget;
            budget.averageWeightBits = budgetBits;
            const Allocation a = allocateBits(report, budget);
            const Allocation fromTable = table.allocate(budgetBits);
            QVERIFY(fromTable.plan == a.plan);
            QCOMPARE(fromTable.predictedNmse, a.predictedNmse);
            QCOMPARE(fromTable.averageWeightBits, a.averageWeightBits);
            // Brute force over 4^4 choices (2, 4, 8 bits or FP at 32).
            double best = 1e30;
            const int widths[] = {2, 4, 8, 0};
            for (int code = 0; code < 256; ++code) {
                double bits = 0, err = 0;
                for (int i = 0, c = code; i < 4; ++i, c /= 4) {
                    const int w = widths[c % 4];
                    bits += counts[i] * (w == 0 ? 32 : w);
                    err += w == 0 ? 0 : errors[i].at(w);
                }
                if (bits <= budgetBits * total) best = std::min(best, err);
            }
            QVERIFY2(a.averageWeightBits <= budgetBits + 1e-9, qPrintable(QString::number(budgetBits)));
            QVERIFY2(close(a.predictedNmse - 4 * 0.001, best, 1e-9),
                     qPrintable(QString("budget %1: dp %2, brute force %3").arg(budgetBits).arg(a.predictedNmse - 0.004).arg(best)));
        }
    }

    void baselinesAndBudgetErrors() {
        const SensitivityReport report =
            syntheticReport({1000, 3000}, {{{2, 0.3}, {4, 0.02}, {8, 0.001}}, {{2, 0.05}, {4, 0.004}, {8, 0.0002}}});
        AllocationBudget budget;
        budget.averageWeightBits = 5;
        AllocationOptions o;
        o.strategy = AllocationStrategy::Uniform;
        const Allocation u = allocateBits(report, budget, o);
        QCOMPARE(u.weightWidthCounts, (std::map<int, int>{{4, 2}}));
        o.strategy = AllocationStrategy::Random;
        for (uint64_t seed = 0; seed < 20; ++seed) {
            o.seed = seed;
            QVERIFY(allocateBits(report, budget, o).averageWeightBits <= 5.0 + 1e-9);
        }
        // The size budget counts packed codes and scales.
        AllocationBudget size;
        size.sizeKiB = (1000 * 4 / 8 + 32 + 3000 * 4 / 8 + 32) / 1024.0;
        o.strategy = AllocationStrategy::Optimal;
        o.allowFullPrecision = false;
        const Allocation s = allocateBits(report, size, o);
        QVERIFY(s.weightKiB <= *size.sizeKiB + 1e-9);
        QVERIFY(s.predictedNmse <= 0.02 + 0.004 + 2 * 0.001 + 1e-12);
        // Budgets nothing fits, and widths the report lacks, are named.
        AllocationBudget tiny;
        tiny.averageWeightBits = 1.5;
        QVERIFY(test::errorOf([&] { allocateBits(report, tiny, o); }).contains("need 2 bits"));
        o.weightCandidates = {3};
        QVERIFY(test::errorOf([&] { allocateBits(report, budget, o); }).contains("at 3 bits"));
        QVERIFY(test::errorOf([&] { allocateBits(report, AllocationBudget{}, {}); }).contains("exactly one weight budget"));
        // A table answers only within its range, and names budgets nothing fits.
        const AllocationTable table(report, 6.0, AllocationOptions{});
        QVERIFY(test::errorOf([&] { table.allocate(7.0); }).contains("beyond this table's 6 bits"));
        QVERIFY(test::errorOf([&] { table.allocate(1.5); }).contains("need 2 bits"));
    }

    void damagedReportsAreNamed() {
        const SensitivityReport report =
            syntheticReport({1000}, {{{2, 0.3}, {4, 0.02}, {8, 0.001}}});
        const std::string text = report.toJson();
        QCOMPARE(SensitivityReport::fromJson(text, "s.json").toJson(), text);
        auto damaged = [&](const std::function<void(nlohmann::ordered_json&)>& edit) {
            nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
            edit(j);
            return test::errorOf([&] { SensitivityReport::fromJson(j.dump(), "s.json"); });
        };
        QVERIFY(damaged([](auto& j) { j["format"] = "diffquant-plan"; }).contains("is not a sensitivity report"));
        QVERIFY(damaged([](auto& j) { j["sites"][0]["weight"]["alone"]["5"] = j["sites"][0]["weight"]["alone"]["4"]; })
                    .contains("sites[0].weight.alone.5"));
        QVERIFY(damaged([](auto& j) { j["sites"][0]["weight"]["alone"]["4"]["nmse"] = -1; })
                    .contains("sites[0].weight.alone.4.nmse"));
        QVERIFY(damaged([](auto& j) { j["sites"][0]["activation"]["alone"]["8"]["per_step_nmse"] = {1, 2}; })
                    .contains("per_step_nmse"));
        QVERIFY(damaged([](auto& j) { j["sites"][0]["name"] = "elsewhere"; }).contains("missing from base_plan"));
        QVERIFY(damaged([](auto& j) { j.erase("base_plan"); }).contains("base_plan"));
    }

    void cliChainsSensitivityAllocateAndCalibrate() {
        QTemporaryDir dir;
        const QString d = dir.path();
        test::CliResult r = test::runCli({"-q", "sensitivity", "--preset", "W4A8", "--cali-n", "4", "--cali-st", "2",
                                          "--steps", "4", "--rows-per-step", "1", "--weight-bits", "3,4,8",
                                          "--activation-bits", "8", "--no-all-but", "--top", "3", "--out", d + "/sens.json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("Most sensitive weights at 4 bits") && r.out.contains("rank"), qPrintable(r.out));
        const SensitivityReport report = SensitivityReport::fromJson(readTextFile((d + "/sens.json").toStdString()), "sens.json");
        QCOMPARE(report.weightWidths, (std::vector<int>{3, 4, 8}));
        QVERIFY(!report.sites.front().weight->allBut.has_value());

        r = test::runCli({"-q", "allocate", "--sens", d + "/sens.json", "--avg-weight-bits", "4", "--no-fp",
                          "--out", d + "/plan.json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("average weight bits"), qPrintable(r.out));
        const QuantPlan plan = QuantPlan::fromJson(readTextFile((d + "/plan.json").toStdString()), "plan.json");
        QCOMPARE(plan.preset, std::string("mixed"));

        r = test::runCli({"-q", "calibrate", "--plan", d + "/plan.json", "--cali-n", "4", "--cali-st", "2", "--steps",
                          "4", "--out", d + "/q"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(std::filesystem::exists((d + "/q/quantized_model.json").toStdString()));

        // A budget below the narrowest candidates fails with one line and writes nothing.
        r = test::runCli({"-q", "allocate", "--sens", d + "/sens.json", "--avg-weight-bits", "2", "--no-fp", "--out",
                          d + "/none.json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("need 3 bits"), qPrintable(r.err));
        QVERIFY(!std::filesystem::exists((d + "/none.json").toStdString()));
        r = test::runCli({"-q", "allocate", "--sens", d + "/sens.json", "--out", d + "/none.json"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--avg-weight-bits or --size-kib"), qPrintable(r.err));
    }
};

QObject* makeSensitivityTest() { return new SensitivityTest; }
#include "test_sensitivity.moc"
