// The reusable calibration pieces and the rounding strategies beyond nearest:
// the straight-through quantizer, GPTQ on real layers of the shipped model,
// the engine session, relaxed-plan checks and cancellation.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include "core/engine/quant_session.h"
#include "core/errors.h"
#include "core/model/model_folder.h"
#include "core/model/unet2d.h"
#include "core/quant/calibration_batches.h"
#include "core/quant/calibrator.h"
#include "core/quant/progressive_calibration.h"
#include "core/quant/quant_artifact.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

CalibrationData calibrationSet(LoadedModel& m, int samples, int caliSteps, int steps, uint64_t seed) {
    c10::InferenceMode guard;
    CalibrationDataSettings s;
    s.samples = samples;
    s.steps = caliSteps;
    s.batchSize = samples;
    s.trajectory.steps = steps;
    s.trajectory.seed = seed;
    return collectCalibrationData(m.unet, m.scheduler, s);
}

// Records the FP inputs of some sites.
struct InputRecorder : Interceptor {
    std::map<std::string, std::vector<torch::Tensor>> inputs;
    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& x, const StepContext&) override {
        auto it = inputs.find(site.name);
        if (it != inputs.end()) it->second.push_back(x.clone());
        return x;
    }
};

// Relative output error ||X·Ŵ − X·W||² / ||X·W||² of a layer on recorded inputs.
double layerError(const SiteInfo& site, const std::vector<torch::Tensor>& inputs, const torch::Tensor& w,
                  const torch::Tensor& wq) {
    double err = 0, power = 0;
    for (const torch::Tensor& x : inputs) {
        const torch::Tensor cols = layerInputColumns(site, x);
        const torch::Tensor ref = torch::matmul(cols, w.reshape({w.size(0), -1}).t());
        const torch::Tensor out = torch::matmul(cols, wq.reshape({wq.size(0), -1}).t());
        err += (out - ref).pow(2).sum().item<double>();
        power += ref.pow(2).sum().item<double>();
    }
    return err / power;
}

double outputSqnr(LoadedModel& m, QuantizedUNet& q, const CalibrationData& data) {
    c10::InferenceMode guard;
    double err = 0, power = 0;
    for (const auto& [step, rows] : calibrationBatchRows(data, 64)) {
        const CalibrationBatch b = makeCalibrationBatch(m.unet, data, step, rows);
        m.unet.setStep({step, static_cast<int>(data.trajectoryTimesteps.size()), data.trajectoryTimesteps[step]});
        m.unet.setInterceptor(nullptr);
        const torch::Tensor fp = m.unet.forward(b.x, b.t, b.condition);
        m.unet.setInterceptor(&q);
        const torch::Tensor out = m.unet.forward(b.x, b.t, b.condition);
        m.unet.setInterceptor(nullptr);
        err += (out - fp).pow(2).sum().item<double>();
        power += fp.pow(2).sum().item<double>();
    }
    m.unet.setStep({});
    return 10 * std::log10(power / err);
}

// Keeps conv_in's input at every sampling step (the x_t the model sees).
struct StepInputs : UnitObserver {
    std::map<int, torch::Tensor> x;
    void onUnitInput(const UnitInfo& unit, const UnitInputs& in, const StepContext& step) override {
        if (unit.name == "conv_in") x[step.stepIndex] = in.x.clone();
    }
};

}  // namespace

class ReconstructionTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string shipped_ = DQ_SHIPPED_MODEL_DIR;

private Q_SLOTS:
    void straightThroughQuantizerPassesGradients() {
        torch::Tensor x = torch::tensor({-3.0f, -0.26f, 0.1f, 0.74f, 5.0f}).requires_grad_(true);
        torch::Tensor scale = torch::tensor(0.5f).requires_grad_(true);
        const torch::Tensor zero = torch::tensor(0.0f);
        const torch::Tensor y = fakeQuantizeSte(x, scale, zero, 3, true);  // levels −4..3 → [−2, 1.5]
        // Forward: the same values as the inference quantizer.
        QVERIFY(torch::equal(y.detach(), fakeQuantize(x.detach(), AffineParams{0.5f, 0}, 3, true)));
        y.sum().backward();
        // x: identity inside the grid, zero where clamped.
        QVERIFY(torch::equal(x.grad(), torch::tensor({0.0f, 1.0f, 1.0f, 1.0f, 0.0f})));
        // The step size learns: d/dΔ of (q·Δ) is q − x/Δ inside, qmin/qmax outside.
        const double expected = (-4) + (-1 + 0.52) + (0 - 0.2) + (1 - 1.48) + 3;
        QVERIFY2(std::abs(scale.grad().item<double>() - expected) < 1e-5,
                 qPrintable(QString::number(scale.grad().item<double>())));
    }

    void gptqLowersLayerErrorOnRealLayers() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData fit = calibrationSet(m, 16, 4, 10, 11);
        const CalibrationData heldOut = calibrationSet(m, 8, 4, 10, 99);
        PresetOptions o;
        o.rangeMethod = RangeMethod::Mse;
        o.splitShortcuts = true;
        o.splitScope = SplitScope::ShortcutAndConv1;  // so that conv1, checked below, is a split site
        const QuantPlan plan = makePresetPlan("W4A16", m.unet.sites(), o);
        QuantizedUNet nearest = quantizeWeights(m.unet, plan);
        QuantizedUNet gptq = quantizeWeights(m.unet, plan);
        {
            c10::InferenceMode guard;
            GptqOptions g;
            g.maxPairs = 64;
            roundWeightsGptq(m.unet, gptq, fit, g);
        }
        // Held-out FP inputs of a plain conv, a split decoder conv and an attention projection.
        const std::vector<std::string> layers = {"down_blocks.1.resnets.0.conv2", "up_blocks.1.resnets.0.conv1",
                                                 "mid_block.attentions.0.to_q"};
        InputRecorder recorder;
        for (const auto& l : layers) recorder.inputs[l] = {};
        {
            c10::InferenceMode guard;
            m.unet.setInterceptor(&recorder);
            for (const auto& [step, rows] : calibrationBatchRows(heldOut, 32)) {
                const CalibrationBatch b = makeCalibrationBatch(m.unet, heldOut, step, rows);
                m.unet.forward(b.x, b.t, b.condition);
            }
            m.unet.setInterceptor(nullptr);
        }
        const auto weights = m.unet.stateDict();
        for (const auto& l : layers) {
            const SiteQuantState& n = *nearest.find(l);
            const SiteQuantState& g = *gptq.find(l);
            const torch::Tensor w = weights.at(l + ".weight");
            const double en = layerError(n.site, recorder.inputs[l], w, n.effectiveWeight);
            const double eg = layerError(g.site, recorder.inputs[l], w, g.effectiveWeight);
            QVERIFY2(eg < en / 1.5, qPrintable(QString("%1: nearest %2, gptq %3").arg(l.c_str()).arg(en).arg(eg)));
            // Same grids, integer codes inside them.
            for (std::size_t p = 0; p < g.weightParts.size(); ++p) {
                QVERIFY(torch::equal(g.weightParts[p].scale, n.weightParts[p].scale));
                QVERIFY(g.weightParts[p].q.min().item<int>() >= -8 && g.weightParts[p].q.max().item<int>() <= 7);
            }
        }
        // Split sites keep two parts, each re-rounded.
        QCOMPARE(gptq.find("up_blocks.1.resnets.0.conv1")->weightParts.size(), std::size_t(2));
        QVERIFY(!torch::equal(gptq.find("up_blocks.1.resnets.0.conv1")->weightParts[1].q,
                              nearest.find("up_blocks.1.resnets.0.conv1")->weightParts[1].q));

        // The whole network's output moves closer to FP on held-out inputs.
        const double sqnrNearest = outputSqnr(m, nearest, heldOut), sqnrGptq = outputSqnr(m, gptq, heldOut);
        QVERIFY2(sqnrGptq > sqnrNearest + 2.0, qPrintable(QString("nearest %1 dB, gptq %2 dB").arg(sqnrNearest).arg(sqnrGptq)));
    }

    void adaRoundLowersARealUnitsErrorAndHardensToFloorOrCeiling() {
        LoadedModel m = loadModelFolder(shipped_);
        const CalibrationData data = calibrationSet(m, 16, 4, 10, 21);
        PresetOptions o;
        o.rangeMethod = RangeMethod::Mse;
        QuantPlan plan = makePresetPlan("W4A16", m.unet.sites(), o);
        // Only one resnet's weights are quantized: one unit to reconstruct.
        const std::string unit = "down_blocks.1.resnets.0";
        for (auto& [name, site] : plan.sites)
            if (name.rfind(unit + ".", 0) != 0) site.weightBits = 0;
        c10::optional<c10::InferenceMode> callerMode;
        callerMode.emplace();  // the caller's mode must not stop learning, nor the grids it made
        QuantizedUNet nearest = quantizeWeights(m.unet, plan);
        QuantizedUNet learned = quantizeWeights(m.unet, plan);
        ReconstructionOptions r;
        r.weightIterations = 400;
        r.maxPairs = 32;
        r.batchSize = 16;
        r.weightLearningRate = 1e-2;
        const std::vector<UnitReport> reports = reconstructWeights(m.unet, learned, data, r);
        callerMode.reset();
        QCOMPARE(reports.size(), std::size_t(1));
        QCOMPARE(reports[0].unit, unit);
        QVERIFY2(reports[0].after < reports[0].before / 1.5,
                 qPrintable(QString("before %1, after %2").arg(reports[0].before).arg(reports[0].after)));
        const auto weights = m.unet.stateDict();
        int changed = 0;
        for (const std::string& site : {unit + ".conv1", unit + ".conv2", unit + ".time_emb_proj", unit + ".conv_shortcut"}) {
            const SiteQuantState* st = learned.find(site);
            if (!st) continue;
            const ChannelQuantized& q = st->weightParts.at(0);
            const torch::Tensor w = weights.at(site + ".weight");
            std::vector<int64_t> shape(static_cast<std::size_t>(w.dim()), 1);
            shape[0] = w.size(0);
            const torch::Tensor floor = torch::floor(w / q.scale.reshape(shape));
            const torch::Tensor offset = (q.q - q.zeroPoint.reshape(shape)).to(torch::kFloat32) - floor;
            const IntegerRange range = integerRange(q.bits, q.symmetric);
            const torch::Tensor inside = q.q.gt(range.qmin) & q.q.lt(range.qmax);
            QVERIFY2((offset.eq(0) | offset.eq(1) | ~inside).all().item<bool>(), site.c_str());
            changed += q.q.ne(nearest.find(site)->weightParts[0].q).sum().item<int>();
        }
        QVERIFY(changed > 0);  // learning moved some weights off their nearest level
        // Sites outside the unit are untouched.
        QVERIFY(learned.find("conv_in")->weightParts.empty());
    }

    void progressiveCalibrationSeesTheQuantizedTrajectory() {
        LoadedModel m = loadModelFolder(shipped_);
        c10::InferenceMode guard;
        PresetOptions o;
        o.perStepActivation = true;
        QuantizedUNet quantized = quantizeWeights(m.unet, makePresetPlan("W4A8", m.unet.sites(), o));
        SampleRequest trajectory;
        trajectory.batch = 6;
        trajectory.steps = 8;
        trajectory.seed = 4;
        StepInputs seen;
        m.unet.setUnitObserver(&seen);
        ProgressiveOptions options;
        calibrateProgressively(m.unet, m.scheduler, quantized, trajectory, options);
        StepInputs fp;
        m.unet.setUnitObserver(&fp);
        runSampler(m.unet, m.scheduler, trajectory);
        m.unet.setUnitObserver(nullptr);
        QCOMPARE(seen.x.size(), std::size_t(8));
        QVERIFY(torch::equal(seen.x.at(0), fp.x.at(0)));  // the same initial noise
        for (int s = 1; s < 8; ++s) QVERIFY(!torch::equal(seen.x.at(s), fp.x.at(s)));  // the quantized model's own x_t
        // One grid per step, at the step's timestep, for every activation site.
        const ActivationQuantizer& in = quantized.find("conv_in")->activationParts.at(0);
        QCOMPARE(in.grids.size(), std::size_t(8));
        const auto [lo, hi] = torch::aminmax(seen.x.at(7));
        const ActivationGrid& last = in.gridFor(in.grids.front().timestep);  // the last step has the smallest t
        QCOMPARE(last.lo, lo.item<float>());  // min/max of what that step really saw
        QCOMPARE(last.hi, hi.item<float>());
        QCOMPARE(quantized.find("mid_block.attentions.0.softmax")->activationParts.at(0).grids.size(), std::size_t(8));
    }

    void learnedArtifactsRoundTripAndRecordTheMethod_data() {
        QTest::addColumn<QString>("rounding");
        QTest::addColumn<int>("actIterations");
        QTest::newRow("gptq") << "gptq" << 0;
        QTest::newRow("adaround+lsq") << "adaround" << 15;
    }
    void learnedArtifactsRoundTripAndRecordTheMethod() {
        QFETCH(QString, rounding);
        QFETCH(int, actIterations);
        QuantSession session;
        c10::InferenceMode guard;
        session.openModel(shipped_, "cpu");
        CalibrationRecipe recipe;
        PlanRecipe planRecipe;
        planRecipe.preset = "W4A8";
        planRecipe.options.splitShortcuts = true;
        recipe.plan = session.makePlan(planRecipe, 10);
        recipe.data.samples = 8;
        recipe.data.steps = 4;
        recipe.data.trajectory.steps = 10;
        recipe.options.rounding = parseWeightRounding(rounding.toStdString());
        recipe.options.gptq.maxPairs = 32;
        recipe.options.reconstruction.weightIterations = 15;
        recipe.options.reconstruction.activationIterations = actIterations;
        recipe.options.reconstruction.maxPairs = 8;
        const CalibrationSummary summary = session.calibrate(recipe);
        if (actIterations > 0) {  // both phases report every unit they worked on
            QVERIFY(std::any_of(summary.units.begin(), summary.units.end(), [](const UnitReport& u) { return u.phase == "activations"; }));
            QVERIFY(std::any_of(summary.units.begin(), summary.units.end(), [](const UnitReport& u) { return u.phase == "weights"; }));
        }
        const QString out = dir_.path() + "/learned-" + rounding;
        session.saveQuantized(out.toStdString());
        QFile json(out + "/quantized_model.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject calibration = QJsonDocument::fromJson(json.readAll()).object()["calibration"].toObject();
        QCOMPARE(calibration["options"].toObject()["rounding"].toString(), rounding);
        QCOMPARE(calibration.contains("units"), !summary.units.empty());
        const QuantizedUNet reloaded = loadQuantizedState(out.toStdString(), session.model().requirePixelModel("test"));
        for (const SiteQuantState& st : session.quantized()->sites()) {
            const SiteQuantState& r = *reloaded.find(st.site.name);
            QCOMPARE(r.weightParts.size(), st.weightParts.size());
            for (std::size_t p = 0; p < st.weightParts.size(); ++p)
                QVERIFY2(torch::equal(r.weightParts[p].q, st.weightParts[p].q), st.site.name.c_str());
            if (st.effectiveWeight.defined()) QVERIFY(torch::equal(r.effectiveWeight, st.effectiveWeight));
            QCOMPARE(r.activationParts.size(), st.activationParts.size());
            for (std::size_t p = 0; p < st.activationParts.size(); ++p)
                for (std::size_t g = 0; g < st.activationParts[p].grids.size(); ++g) {  // learned steps, bit for bit
                    QCOMPARE(r.activationParts[p].grids[g].params.scale, st.activationParts[p].grids[g].params.scale);
                    QCOMPARE(r.activationParts[p].grids[g].params.zeroPoint, st.activationParts[p].grids[g].params.zeroPoint);
                }
        }
    }

    void sessionReusesDataAndRejectsPlansRelaxedForOtherStepCounts() {
        QuantSession session;
        c10::InferenceMode guard;
        QVERIFY(test::errorOf([&] { session.model(); }).contains("Open a model"));
        session.openModel(shipped_, "cpu");
        PlanRecipe relaxed;
        relaxed.relaxFraction = 0.2;
        relaxed.relaxBits = 10;
        CalibrationRecipe recipe;
        recipe.plan = session.makePlan(relaxed, 20);  // relaxed for 20 steps...
        QCOMPARE(recipe.plan.relaxedForSteps, 20);
        QCOMPARE(QuantPlan::fromJson(recipe.plan.toJson(), "p").relaxedForSteps, 20);
        recipe.data.samples = 4;
        recipe.data.steps = 2;
        recipe.data.trajectory.steps = 10;  // ...calibrated on a 10-step trajectory
        const QString error = test::errorOf([&] { session.calibrate(recipe); });
        QVERIFY2(error.contains("made for 20 sampling steps") && error.contains("10"), qPrintable(error));
        QVERIFY(session.quantized() == nullptr);

        recipe.plan = session.makePlan(relaxed, 10);
        recipe.dataFile = (dir_.path() + "/session-cali.safetensors").toStdString();
        const CalibrationSummary first = session.calibrate(recipe);
        QVERIFY(session.quantized() != nullptr);
        QVERIFY(QFile::exists(QString::fromStdString(recipe.dataFile)));
        const CalibrationSummary second = session.calibrate(recipe);
        QVERIFY(second.reusedData);
        QCOMPARE(second.pairs, first.pairs);
    }

    void cancellingReconstructionLeavesTheModelUsable() {
        QuantSession session;
        c10::InferenceMode guard;
        session.openModel(shipped_, "cpu");
        CalibrationRecipe recipe;
        recipe.plan = session.makePlan(PlanRecipe{"W4A8", {}}, 10);
        recipe.data.samples = 4;
        recipe.data.steps = 2;
        recipe.data.trajectory.steps = 10;
        recipe.options.rounding = WeightRounding::AdaRound;
        recipe.options.reconstruction.weightIterations = 20;
        recipe.options.reconstruction.maxPairs = 8;
        int unitsDone = 0;
        std::string lastDetail;
        ProgressCallbacks cb;
        std::string stage;
        cb.stage = [&](const std::string& s) { stage = s; };
        cb.progress = [&](int done, int) {
            if (stage == "adaround") unitsDone = done;
        };
        cb.detail = [&](const std::string& d) { lastDetail = d; };
        cb.cancelled = [&] { return unitsDone >= 3; };  // mid-way through the units
        bool cancelled = false;
        try {
            session.calibrate(recipe, cb);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY2(lastDetail.find("loss") != std::string::npos, lastDetail.c_str());
        QVERIFY(session.quantized() == nullptr);  // no partial result
        UNet2DModel& unet = session.model().requirePixelModel("test");
        QVERIFY(unet.interceptor() == nullptr && unet.unitObserver() == nullptr);
        const torch::Tensor out = unet.forward(torch::zeros({1, 1, 32, 32}), torch::tensor({10}), torch::tensor({1}));
        QVERIFY(torch::isfinite(out).all().item<bool>());
        // And the session still calibrates.
        recipe.options.rounding = WeightRounding::Nearest;
        session.calibrate(recipe);
        QVERIFY(session.quantized() != nullptr);
    }

    void cancellingGptqLeavesTheModelUsable() {
        QuantSession session;
        c10::InferenceMode guard;
        session.openModel(shipped_, "cpu");
        CalibrationRecipe recipe;
        recipe.plan = session.makePlan(PlanRecipe{"W4A8", {}}, 10);
        recipe.data.samples = 4;
        recipe.data.steps = 2;
        recipe.data.trajectory.steps = 10;
        recipe.options.rounding = WeightRounding::Gptq;
        session.calibrate(recipe);  // a quantized model to keep
        const QuantizedUNet* before = session.quantized();
        std::map<std::string, torch::Tensor> weightsBefore;
        for (const SiteQuantState& st : before->sites())
            if (st.effectiveWeight.defined()) weightsBefore[st.site.name] = st.effectiveWeight.clone();
        QVERIFY(weightsBefore.size() > 20);
        ProgressCallbacks cb;
        std::string stage;
        bool releasedMeanwhile = false;
        cb.stage = [&](const std::string& s) { stage = s; };
        cb.cancelled = [&] {  // cancel mid-way, and look at the model being replaced
            if (stage != "gptq-rounding") return false;
            releasedMeanwhile = before->weightsReleased() &&
                                std::none_of(before->sites().begin(), before->sites().end(),
                                             [](const SiteQuantState& st) { return st.effectiveWeight.defined(); });
            return true;
        };
        bool cancelled = false;
        try {
            session.calibrate(recipe, cb);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(session.quantized(), before);  // the previous result stays
        // While the new model was calibrated, the old one held only its codes
        // (one dequantized copy in memory at a time); afterwards its weights are
        // back, bit for bit.
        QVERIFY(releasedMeanwhile);
        QVERIFY(!before->weightsReleased());
        for (const auto& [name, weight] : weightsBefore)
            QVERIFY2(torch::equal(before->find(name)->effectiveWeight, weight), name.c_str());
        UNet2DModel& unet = session.model().requirePixelModel("test");
        QVERIFY(unet.interceptor() == nullptr);
        const torch::Tensor out = unet.forward(torch::zeros({1, 1, 32, 32}), torch::tensor({10}), torch::tensor({1}));
        QVERIFY(torch::isfinite(out).all().item<bool>());
    }
};

QObject* makeReconstructionTest() { return new ReconstructionTest; }
#include "test_reconstruction.moc"
