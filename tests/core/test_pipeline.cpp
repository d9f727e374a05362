// The sampling pipeline on a real (small) model folder, and the `diffquant`
// executable driven as users drive it.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/safetensors.h"
#include "core/model/model_folder.h"
#include "core/sampling/pipeline.h"
#include "tests/core/test_support.h"

using namespace dq;

using test::CliResult;
using test::runCli;

class PipelineTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string model_;

    SampleRequest request(int steps = 5) {
        SampleRequest r;
        r.batch = 3;
        r.seed = 42;
        r.steps = steps;
        return r;
    }

private Q_SLOTS:
    void initTestCase() {
        model_ = (dir_.path() + "/model").toStdString();
        test::writeModelFolder(model_, test::tinyConfig(), 9);
    }

    void deterministicForSeedAndNoise() {
        LoadedModel m = loadModelFolder(model_);
        SampleResult a = runSampler(m.unet, m.scheduler, request());
        SampleResult b = runSampler(m.unet, m.scheduler, request());
        QVERIFY(torch::equal(a.samples, b.samples));
        QCOMPARE(a.samples.sizes().vec(), std::vector<int64_t>({3, 1, 16, 16}));
        QVERIFY(torch::isfinite(a.samples).all().item<bool>());
        // Mixed classes by default: 0, 1, 2.
        QVERIFY(torch::equal(a.classLabels, torch::tensor({0, 1, 2})));
        SampleRequest other = request();
        other.seed = 43;
        QVERIFY(!torch::equal(runSampler(m.unet, m.scheduler, other).samples, a.samples));
        // Explicit noise equal to the seed's draw reproduces the run.
        SampleRequest explicitNoise = request();
        explicitNoise.initialNoise = makeInitialNoise(m.unet, 3, 42);
        QVERIFY(torch::equal(runSampler(m.unet, m.scheduler, explicitNoise).samples, a.samples));
        QVERIFY(torch::equal(explicitNoise.initialNoise, a.initialNoise));
    }

    void guidanceAndClassesChangeSamples() {
        LoadedModel m = loadModelFolder(model_);
        SampleRequest base = request();
        base.classLabels = torch::tensor({4});
        SampleResult plain = runSampler(m.unet, m.scheduler, base);
        QVERIFY(torch::equal(plain.classLabels, torch::tensor({4, 4, 4})));
        SampleRequest guided = base;
        guided.guidanceScale = 3.0;
        QVERIFY(!torch::allclose(runSampler(m.unet, m.scheduler, guided).samples, plain.samples));
        SampleRequest bad = base;
        bad.classLabels = torch::tensor({1, 2});
        QVERIFY(test::errorOf([&] { runSampler(m.unet, m.scheduler, bad); }).contains("2 class labels for 3"));
    }

    void progressStepsAndPreview() {
        LoadedModel m = loadModelFolder(model_);
        std::vector<int> progress, indices;
        std::vector<int64_t> timesteps;
        SampleCallbacks callbacks;
        callbacks.progress = [&](int step, int total) {
            QCOMPARE(total, 5);
            progress.push_back(step);
        };
        callbacks.onStep = [&](const StepEvent& e) {
            indices.push_back(e.index);
            timesteps.push_back(e.timestep);
            QCOMPARE(e.predictedX0->sizes().vec(), std::vector<int64_t>({3, 1, 16, 16}));
            QCOMPARE(m.unet.step().stepIndex, e.index);  // interceptors see the same index
        };
        SampleRequest r = request();
        r.spacing = TimestepSpacing::Trailing;
        runSampler(m.unet, m.scheduler, r, callbacks);
        QCOMPARE(progress, std::vector<int>({1, 2, 3, 4, 5}));
        QCOMPARE(indices, std::vector<int>({0, 1, 2, 3, 4}));
        QCOMPARE(timesteps, std::vector<int64_t>({999, 799, 599, 399, 199}));
        QCOMPARE(m.unet.step().stepIndex, -1);  // reset after sampling
    }

    void ddimEtaZeroDependsOnlyOnTheNoise() {
        LoadedModel m = loadModelFolder(model_);
        SampleRequest a = request();
        a.initialNoise = makeInitialNoise(m.unet, 3, 5);
        SampleRequest b = a;
        b.seed = 999;  // different generator for the (unused) step noise
        QVERIFY(torch::equal(runSampler(m.unet, m.scheduler, a).samples, runSampler(m.unet, m.scheduler, b).samples));
        a.eta = b.eta = 1.0;
        QVERIFY(!torch::equal(runSampler(m.unet, m.scheduler, a).samples, runSampler(m.unet, m.scheduler, b).samples));
        // DDPM is stochastic too, but reproducible for a seed.
        a.sampler = b.sampler = SamplerKind::DDPM;
        b.seed = a.seed;
        QVERIFY(torch::equal(runSampler(m.unet, m.scheduler, a).samples, runSampler(m.unet, m.scheduler, b).samples));
    }

    void rejectsBadRequests() {
        LoadedModel m = loadModelFolder(model_);
        SampleRequest r = request();
        r.classLabels = torch::tensor({1.5f});
        QVERIFY(test::errorOf([&] { runSampler(m.unet, m.scheduler, r); }).contains("integers"));
        r = request();
        r.initialNoise = torch::zeros({0, 1, 16, 16});
        QVERIFY(test::errorOf([&] { runSampler(m.unet, m.scheduler, r); }).contains("non-empty"));
        UNetConfig unconditional = test::tinyConfig();
        unconditional.numClassEmbeds.reset();
        unconditional.classEmbedType = ClassEmbedType::None;
        unconditional.nullClassLabel.reset();
        UNet2DModel plain(unconditional);
        r = request();
        r.guidanceScale = 2.0;
        QVERIFY(test::errorOf([&] { runSampler(plain, m.scheduler, r); }).contains("class-conditional"));
    }

    void cancelStopsWithinAStep() {
        LoadedModel m = loadModelFolder(model_);
        int steps = 0;
        SampleCallbacks callbacks;
        callbacks.progress = [&](int step, int) { steps = step; };
        callbacks.cancelled = [&] { return steps >= 2; };
        bool cancelled = false;
        try {
            runSampler(m.unet, m.scheduler, request(10), callbacks);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(steps, 2);
        // The model is still usable afterwards.
        QVERIFY(runSampler(m.unet, m.scheduler, request(2)).samples.defined());
    }

    void cliSampleInfoAndUnet() {
        const QString model = QString::fromStdString(model_);
        const QString png = dir_.path() + "/grid.png", raw = dir_.path() + "/raw.safetensors";
        CliResult sample = runCli({"-q", "sample", "--model", model, "--steps", "4", "--num", "3", "--seed", "42",
                                   "--device", "cpu", "--out", png, "--raw", raw});
        QVERIFY2(sample.exitCode == 0, qPrintable(sample.err));
        QFile grid(png);
        QVERIFY(grid.open(QIODevice::ReadOnly));
        QCOMPARE(grid.read(4), QByteArray("\x89PNG"));
        // The CLI's raw samples equal the library's for the same request.
        LoadedModel m = loadModelFolder(model_);
        TensorFile written = loadSafetensors(raw.toStdString());
        QVERIFY(torch::equal(written.at("sample", "raw"), runSampler(m.unet, m.scheduler, request(4)).samples));

        // unet: one forward pass equals the library's forward.
        const QString in = dir_.path() + "/in.safetensors", out = dir_.path() + "/out.safetensors";
        torch::Tensor x = torch::randn({2, 1, 16, 16});
        saveSafetensors(in.toStdString(), {{"sample", x}, {"timestep", torch::tensor({5.0f, 900.0f})},
                                           {"class_labels", torch::tensor({1, 10})}});
        CliResult unet = runCli({"-q", "unet", "--model", model, "--device", "cpu", "--input", in, "--output", out});
        QVERIFY2(unet.exitCode == 0, qPrintable(unet.err));
        torch::NoGradGuard guard;
        torch::Tensor expected = m.unet.forward(x, torch::tensor({5.0f, 900.0f}), torch::tensor({1, 10}));
        QVERIFY(torch::equal(loadSafetensors(out.toStdString()).at("sample", "out"), expected));

        CliResult info = runCli({"-q", "info", "--model", model, "--device", "cpu"});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(info.out.contains("up_blocks.0.resnets.0.conv_shortcut"));
        QVERIFY(info.out.contains("shortcut split 32+32"));
        QVERIFY(info.out.contains("Parameters: 177553"));
    }

    void cliErrorsAreOneLineWithNonZeroExit() {
        const QString model = QString::fromStdString(model_);
        auto checkError = [](const CliResult& r, const QString& expected) {
            QVERIFY2(r.exitCode != 0, qPrintable(r.err));
            QVERIFY2(r.err.contains(expected), qPrintable(r.err));
            QCOMPARE(r.err.trimmed().count('\n'), 0);
        };
        checkError(runCli({"sample", "--model", dir_.path() + "/missing", "--out", dir_.path() + "/x.png"}),
                   "does not exist");
        checkError(runCli({"-q", "sample", "--model", model, "--class", "12", "--out", dir_.path() + "/x.png"}),
                   "--class 12");
        const QString bad = dir_.path() + "/bad.safetensors";
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x10\0\0\0\0\0\0\0{not json}      ", 24);
        f.close();
        checkError(runCli({"-q", "unet", "--model", model, "--input", bad, "--output", dir_.path() + "/o.safetensors"}),
                   "not valid JSON");
        if (!torch::cuda::is_available())
            checkError(runCli({"-q", "sample", "--model", model, "--device", "cuda", "--out", dir_.path() + "/x.png"}),
                       "cuda");
        checkError(runCli({"-q", "sample", "--model", model, "--guidance", "2", "--class", "1", "--steps", "2",
                           "--out", dir_.path() + "/x.png", "--seed", "1", "--num", "2", "--device", "cpu",
                           "--noise", dir_.path() + "/missing.safetensors"}),
                   "missing.safetensors");
    }
};

QObject* makePipelineTest() { return new PipelineTest; }
#include "test_pipeline.moc"
