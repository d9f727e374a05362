// The shipped text-to-image pipeline (resources/models/fashion-mnist-t2i):
// it loads as a Stable Diffusion-layout folder, its guided samples from
// prompts naming a class are garments of that class, and it is calibrated,
// compared and evaluated (QDiffBench: calibration and held-out prompts
// separately) through the engine and through the real executable.
#include <filesystem>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/engine/prompt_evaluation.h"
#include "core/engine/quant_session.h"
#include "core/metrics/evaluation.h"
#include "core/metrics/feature_net.h"
#include "core/model/denoiser.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/pipeline/prompt_list.h"
#include "core/runtime/install_layout.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

// The guidance the model card reports results at.
constexpr double kGuidance = 3.0;

SampleRequest guidedRequest(const DiffusionPipeline& pipeline, int steps) {
    SampleRequest r;
    r.sampler = SamplerKind::DDIM;
    r.steps = steps;
    r.spacing = pipeline.scheduler().spacing;
    r.guidanceScale = kGuidance;
    r.seed = 3;
    return r;
}

}  // namespace

class ShippedTextToImageTest : public QObject {
    Q_OBJECT
    std::string folder_;
    std::string featureNet_;

private Q_SLOTS:
    void initTestCase() {
        folder_ = DQ_SHIPPED_T2I_DIR;
        QVERIFY2(QFile::exists(QString::fromStdString(folder_ + "/model_index.json")), folder_.c_str());
        featureNet_ = std::string(DQ_SHIPPED_MODEL_DIR) + "/feature_net.safetensors";
    }

    // The pipeline's parts and lists: every class named by the calibration
    // prompts, held-out prompts that are not calibration prompts, a 16-token
    // tokenizer, and the installation finds it as a shipped model.
    void loadsWithItsPromptLists() {
        DiffusionPipeline p = DiffusionPipeline::load(folder_);
        QVERIFY(p.isTextToImage());
        const std::vector<std::string> classes = readClassNames(folder_);
        QCOMPARE(classes.size(), std::size_t(10));
        const std::vector<std::string> calibration = readPromptList(defaultPromptListFile(folder_));
        const std::vector<std::string> heldOut = readPromptList(heldOutPromptListFile(folder_));
        std::vector<int> perClass(10, 0);
        for (const std::string& prompt : calibration) {
            const int c = promptClass(prompt, classes);
            QVERIFY2(c >= 0, prompt.c_str());
            ++perClass[static_cast<std::size_t>(c)];
        }
        for (int n : perClass) QVERIFY(n > 0);
        for (const std::string& prompt : heldOut) {
            QVERIFY2(std::find(calibration.begin(), calibration.end(), prompt) == calibration.end(), prompt.c_str());
            QVERIFY2(promptClass(prompt, classes) >= 0, prompt.c_str());
        }
        const PromptStates states = p.encodePrompts({calibration.front()});
        QCOMPARE(states.prompts.size(1), int64_t(16));
        const std::vector<SiteInfo>& sites = p.denoiser().sites();
        QVERIFY(std::any_of(sites.begin(), sites.end(), [](const SiteInfo& s) {
            return s.name.find("attn2.to_k") != std::string::npos;
        }));
    }

    // Prompts naming a class give that class: the feature network classifies
    // 40 guided samples (four per class) as asked in a clear majority.
    void promptsGiveTheirClass() {
        DiffusionPipeline p = DiffusionPipeline::load(folder_);
        const std::vector<std::string> classes = readClassNames(folder_);
        std::vector<std::string> prompts;
        std::vector<int64_t> labels;
        for (int repeat = 0; repeat < 4; ++repeat)
            for (std::size_t c = 0; c < classes.size(); ++c) {
                prompts.push_back("a photo of a " + classes[c]);
                labels.push_back(static_cast<int64_t>(c));
            }
        SampleRequest r = guidedRequest(p, 20);
        r.batch = static_cast<int>(prompts.size());
        r = withPrompts(r, p.encodePrompts(prompts), 0, r.batch);
        const SampleResult result = runSampler(p.denoiser(), p.scheduler(), r);
        const torch::Tensor images = p.toImages(result.samples).clamp(-1, 1);
        QCOMPARE(images.sizes().vec(), (std::vector<int64_t>{40, 1, 32, 32}));
        QVERIFY(torch::isfinite(images).all().item<bool>());
        FeatureNet net = loadFeatureNet(featureNet_, torch::kCPU);
        const double onClass = classifierAccuracy(net, images, torch::tensor(labels));
        QVERIFY2(onClass >= 0.6, std::to_string(onClass).c_str());
    }

    // The engine: W8A8 from the shipped calibration prompts, then QDiffBench's
    // two prompt sets, each scored against FP from the same noise. W8A8 stays
    // close to FP on both; the prompt sets really differ.
    void calibratesAndEvaluatesOnBothPromptSets() {
        QuantSession session;
        session.openModel(folder_, "cpu");
        CalibrationRecipe recipe;
        recipe.data.steps = 4;
        recipe.data.samples = 16;
        recipe.data.trajectory.sampler = SamplerKind::DDIM;
        recipe.data.trajectory.steps = 10;
        recipe.data.trajectory.spacing = session.model().scheduler().spacing;
        recipe.data.trajectory.guidanceScale = kGuidance;
        recipe.data.prompts = readPromptList(defaultPromptListFile(folder_));
        recipe.plan = session.makePlan(PlanRecipe{"W8A8", {}, 0, 10, true}, recipe.data.trajectory.steps);
        session.calibrate(recipe);
        QVERIFY(session.quantized());

        const std::vector<PromptSet> sets = qdiffbenchPromptSets(session.model(), session.calibrationRecord());
        QCOMPARE(sets.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(sets[0].name), QStringLiteral("calibration"));
        QVERIFY(sets[0].prompts == recipe.data.prompts);  // from the calibration record
        QCOMPARE(QString::fromStdString(sets[1].name), QStringLiteral("held-out"));

        FeatureNet net = loadFeatureNet(featureNet_, torch::kCPU);
        const ReferenceStats reference =
            loadOrComputeTestStats(net, featureNet_, referenceStatsFolder(folder_, featureNet_));
        for (const PromptSet& set : sets) {
            EvalSettings settings;
            settings.numSamples = 20;
            settings.batchSize = 20;
            settings.sampling = guidedRequest(session.model(), 8);
            settings.quantized = session.quantized();
            conditionOnPrompts(settings, session.model(), set.prompts);
            QCOMPARE(settings.promptClasses.size(), set.prompts.size());
            const EvalResult r = evaluateModel(session.model().denoiser(), session.model().scheduler(), net, reference,
                                               settings);
            QCOMPARE(r.numSamples, 20);
            QVERIFY2(r.classAccuracy >= 0, set.name.c_str());  // every prompt names its class
            QVERIFY(r.fp.has_value());
            QVERIFY2(std::isfinite(r.fid) && std::isfinite(r.fp->fidToFp), set.name.c_str());
            QVERIFY2(r.fp->psnr > 20, std::to_string(r.fp->psnr).c_str());
            QVERIFY2(r.fp->fidToFp < r.fp->fpFid, std::to_string(r.fp->fidToFp).c_str());
        }
    }

    // The executable: W4A8 with GPTQ rounding, a comparison, and eval's JSON
    // with one entry per prompt set.
    void commandLineQuantizesAndEvaluates() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(folder_);
        const QString artifact = dir.path() + "/w4a8", json = dir.path() + "/eval.json";
        test::CliResult run = test::runCli(
            {"-q", "calibrate", "--model", model, "--device", "cpu", "--preset", "W4A8", "--rounding", "gptq",
             "--steps", "10", "--guidance", "3", "--cali-n", "16", "--cali-st", "4", "--out", artifact},
            300000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = test::runCli({"sample", "--quant", artifact, "--device", "cpu", "--compare", "--prompt", "a sneaker",
                            "--guidance", "3", "--steps", "10", "--num", "4", "--out", dir.path() + "/cmp.png"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("FP vs quantized over 4 images: PSNR"), qPrintable(run.out));
        run = test::runCli({"-q", "eval", "--quant", artifact, "--device", "cpu", "--guidance", "3", "--steps", "5",
                            "--num", "20", "--batch", "20", "--features", QString::fromStdString(featureNet_),
                            "--json", json},
                           300000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Prompt set: calibration") && run.out.contains("Prompt set: held-out"),
                 qPrintable(run.out));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonArray sets = root.value("prompt_sets").toArray();
        QCOMPARE(sets.size(), 2);
        for (const QJsonValue& set : sets) {
            const QJsonObject metrics = set.toObject().value("metrics").toObject();
            QVERIFY(metrics.contains("fid_to_fp") && metrics.value("class_accuracy").isDouble());
        }
        // A shard takes one prompt set, named by file.
        run = test::runCli({"-q", "eval", "--model", model, "--device", "cpu", "--num", "20", "--shard", "0/2",
                            "--partial", dir.path() + "/part.safetensors"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("--prompts-file"), qPrintable(run.err));
        // Two shards of the held-out set merge into one result; a part of another prompt set is refused.
        const QString heldOut = model + "/heldout_prompts.txt", calibration = model + "/calibration_prompts.txt";
        QStringList parts;
        for (int k = 0; k < 2; ++k) {
            parts << dir.path() + QStringLiteral("/part%1.safetensors").arg(k);
            run = test::runCli({"-q", "eval", "--model", model, "--device", "cpu", "--steps", "2", "--num", "20",
                                "--batch", "10", "--prompts-file", heldOut, "--shard", QStringLiteral("%1/2").arg(k),
                                "--partial", parts.back()});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        }
        run = test::runCli(QStringList{"-q", "eval-merge"} + parts + QStringList{"--model", model, "--json", json});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString other = dir.path() + "/other.safetensors";
        run = test::runCli({"-q", "eval", "--model", model, "--device", "cpu", "--steps", "2", "--num", "20", "--batch",
                            "10", "--prompts-file", calibration, "--shard", "1/2", "--partial", other});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = test::runCli({"-q", "eval-merge", parts.front(), other, "--model", model});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("prompts_hash differs"), qPrintable(run.err));
    }
};

QObject* makeShippedTextToImageTest() { return new ShippedTextToImageTest; }
#include "test_shipped_t2i.moc"
