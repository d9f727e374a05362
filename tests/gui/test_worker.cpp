// The real worker on its own thread with the shipped model: progress arrives
// in order, cancelling ends a run early and leaves the worker usable, queued
// jobs are skipped on cancel, errors come back as signals, and calibration
// produces grids and statistics with SQNR.
#include <random>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/worker_controller.h"
#include "tests/core/test_support.h"

using namespace dq;
using namespace dq::gui;

// QSignalSpy appends on the emitting thread; spying on the worker directly
// would race with the test reading the spy. The relay lives on the test's
// thread and re-emits the worker's signals through queued connections.
class Relay : public QObject {
    Q_OBJECT
public:
    explicit Relay(Worker* w) {
        connect(w, &Worker::progress, this, &Relay::progress, Qt::QueuedConnection);
        connect(w, &Worker::preview, this, &Relay::preview, Qt::QueuedConnection);
        connect(w, &Worker::modelLoaded, this, &Relay::modelLoaded, Qt::QueuedConnection);
        connect(w, &Worker::quantizedModelReady, this, &Relay::quantizedModelReady, Qt::QueuedConnection);
        connect(w, &Worker::statisticsReady, this, &Relay::statisticsReady, Qt::QueuedConnection);
        connect(w, &Worker::comparisonReady, this, &Relay::comparisonReady, Qt::QueuedConnection);
        connect(w, &Worker::trajectoryFrameReady, this, &Relay::trajectoryFrameReady, Qt::QueuedConnection);
    }
Q_SIGNALS:
    void progress(quint64 id, int done, int total, const QString& stage);
    void preview(quint64 id, const QImage& image, int step, int steps);
    void modelLoaded(dq::gui::ModelInfoPtr model);
    void quantizedModelReady(dq::gui::QuantizedModelPtr quantized);
    void statisticsReady(dq::gui::StatisticsPtr statistics);
    void comparisonReady(dq::gui::ComparisonPtr comparison);
    void trajectoryFrameReady(quint64 comparisonId, int step, const dq::gui::TrajectoryImages& frame);
};

namespace {
// Threads of this process (Linux): a leaked worker or pool thread shows here.
int threadCount() { return static_cast<int>(QDir("/proc/self/task").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size()); }

struct Finished {
    quint64 id;
    JobOutcome outcome;
    QString message;
};

// Waits for job `id` to finish and returns how.
Finished waitFor(QSignalSpy& finished, quint64 id, int timeoutMs = 240000) {
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        for (const QList<QVariant>& args : finished)
            if (args[0].toULongLong() == id)
                return {id, args[1].value<JobOutcome>(), args[2].toString()};
        finished.wait(200);
    }
    return {id, JobOutcome::Failed, "timed out waiting for the job"};
}

SamplingSettings small(int steps, int count) {
    SamplingSettings s;
    s.steps = steps;
    s.count = count;
    s.seed = 3;
    return s;
}
}  // namespace

class WorkerTest : public QObject {
    Q_OBJECT
    WorkerController* controller_ = nullptr;
    Worker* worker_ = nullptr;
    Relay* relay_ = nullptr;
    std::unique_ptr<QSignalSpy> finished_;

private Q_SLOTS:
    void initTestCase() {
        controller_ = new WorkerController;
        worker_ = controller_->worker();
        relay_ = new Relay(worker_);
        finished_ = std::make_unique<QSignalSpy>(controller_, &WorkerController::jobFinished);
    }
    void cleanupTestCase() {
        finished_.reset();
        delete controller_;
        delete relay_;
    }

    void errorsComeBackAsSignals() {
        // Nothing loaded yet.
        const quint64 generate = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(5, 2), 4); });
        Finished f = waitFor(*finished_, generate);
        QCOMPARE(f.outcome, JobOutcome::Failed);
        QVERIFY2(f.message.contains("Open a model"), qPrintable(f.message));
        const quint64 load = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, "/nonexistent/model-folder", "cpu"); });
        f = waitFor(*finished_, load);
        QCOMPARE(f.outcome, JobOutcome::Failed);
        QVERIFY2(f.message.contains("/nonexistent/model-folder"), qPrintable(f.message));
    }

    void loadsTheShippedModel() {
        QSignalSpy loaded(relay_, &Relay::modelLoaded);
        const quint64 id = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_MODEL_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, id).outcome, JobOutcome::Finished);
        QCOMPARE(loaded.count(), 1);
        const ModelInfoPtr info = loaded.first()[0].value<ModelInfoPtr>();
        QCOMPARE(info->classCount, 10);
        QCOMPARE(info->classNames.value(9), QString("Ankle boot"));
        QVERIFY(info->supportsGuidance);
        QVERIFY(info->summary.sites.size() > 40);
    }

    void progressIsMonotonicAndComplete() {
        QSignalSpy progress(relay_, &Relay::progress);
        QSignalSpy ready(relay_, &Relay::comparisonReady);
        QSignalSpy previews(relay_, &Relay::preview);
        const quint64 id = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(12, 3), 4); });
        QCOMPARE(waitFor(*finished_, id).outcome, JobOutcome::Finished);
        QVERIFY(progress.count() >= 12);
        int last = 0;
        for (const QList<QVariant>& args : progress) {
            QCOMPARE(args[0].toULongLong(), id);
            QVERIFY(args[1].toInt() >= last);
            QCOMPARE(args[2].toInt(), 12);  // FP only: no quantized model yet
            last = args[1].toInt();
        }
        QCOMPARE(last, 12);
        QVERIFY(previews.count() >= 1);
        QCOMPARE(ready.count(), 1);
        const ComparisonPtr c = ready.first()[0].value<ComparisonPtr>();
        QVERIFY(!c->hasQuantized);
        QCOMPARE(c->trajectory.size(), 12);
        QVERIFY(!c->fp.isNull());
    }

    void cancelEndsEarlyAndSkipsQueuedWork() {
        QSignalSpy progress(relay_, &Relay::progress);
        const quint64 longRun = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(400, 8), 4); });
        const quint64 queued = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(5, 2), 4); });
        QVERIFY(progress.wait(60000));
        controller_->cancelAll();
        const Finished f = waitFor(*finished_, longRun);
        QCOMPARE(f.outcome, JobOutcome::Cancelled);
        int last = 0;
        for (const QList<QVariant>& args : progress)
            if (args[0].toULongLong() == longRun) last = args[1].toInt();
        QVERIFY2(last < 400, qPrintable(QString::number(last)));
        QCOMPARE(waitFor(*finished_, queued).outcome, JobOutcome::Cancelled);
        // The worker and the model are still usable.
        QSignalSpy ready(relay_, &Relay::comparisonReady);
        const quint64 after = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(4, 2), 4); });
        QCOMPARE(waitFor(*finished_, after).outcome, JobOutcome::Finished);
        QCOMPARE(ready.count(), 1);
        QVERIFY(!controller_->busy());
    }

    void calibrationGivesGridsStatisticsAndComparisons() {
        QSignalSpy quantized(relay_, &Relay::quantizedModelReady);
        QSignalSpy stats(relay_, &Relay::statisticsReady);
        QSignalSpy ready(relay_, &Relay::comparisonReady);
        CalibrationRequest request;
        // The plan comes from the loaded model's sites, as the window builds it.
        QSignalSpy loaded(relay_, &Relay::modelLoaded);
        const quint64 load = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_MODEL_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, load).outcome, JobOutcome::Finished);
        const ModelInfoPtr info = loaded.first()[0].value<ModelInfoPtr>();
        PresetOptions options;
        options.splitShortcuts = true;
        request.plan = makePresetPlan("W8A8", info->summary.sites, options);
        request.caliSamples = 4;
        request.caliSteps = 4;
        request.trajectory = small(8, 4);
        const quint64 calibrate = controller_->submit([request](Worker* w, quint64 id) { w->calibrate(id, request); });
        QCOMPARE(waitFor(*finished_, calibrate).outcome, JobOutcome::Finished);
        QCOMPARE(quantized.count(), 1);
        QVERIFY(worker_->hasQuantizedModel());
        const QuantizedModelPtr q = quantized.first()[0].value<QuantizedModelPtr>();
        const SiteQuantData* shortcut = q->find("up_blocks.0.resnets.0.conv_shortcut");
        QVERIFY(shortcut);
        QCOMPARE(shortcut->activation.size(), 2);  // h and skip grids
        const GridData* grid = shortcut->activation[0].gridFor(500);
        QVERIFY(grid && grid->hi > grid->lo);
        QCOMPARE(grid->levels().size(), 256);

        StatisticsRequest sr;
        sr.quantized = true;
        sr.sampling = small(8, 2);
        const quint64 collect = controller_->submit([sr](Worker* w, quint64 id) { w->collectStatistics(id, sr); });
        QCOMPARE(waitFor(*finished_, collect).outcome, JobOutcome::Finished);
        QCOMPARE(stats.count(), 1);
        const StatisticsPtr s = stats.first()[0].value<StatisticsPtr>();
        QVERIFY(s->quantized);
        QCOMPARE(s->timesteps.size(), 8);
        const SiteStats* site = s->find("up_blocks.0.resnets.0.conv1");
        QVERIFY(site && site->parts.size() == 3 && site->sqnrDb.size() == 8);
        QVERIFY(site->sqnrDb[4] > 10);
        double total = 0;
        for (double c : site->parts[1].countsAt(3)) total += c;
        QVERIFY(total > 0);
        QVERIFY(s->findWeights("conv_in") != nullptr);

        const quint64 generate = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(8, 4), 4); });
        QCOMPARE(waitFor(*finished_, generate).outcome, JobOutcome::Finished);
        const ComparisonPtr c = ready.first()[0].value<ComparisonPtr>();
        QVERIFY(c->hasQuantized);
        QVERIFY(c->psnr > 15);
        QCOMPARE(c->fp.size(), c->quantized.size());
        QVERIFY(!c->trajectory.first().quantizedX0.isNull());
    }

    // A cancel storm: 100 jobs of every kind (calibration with and without
    // reconstruction, sampling, statistics, evaluation) cancelled at random
    // points. None may fail or crash, the worker must stay usable, and no
    // thread may be left behind.
    void cancelStormLeavesTheWorkerUsable() {
        QSignalSpy loaded(relay_, &Relay::modelLoaded);
        const quint64 load = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_MODEL_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, load).outcome, JobOutcome::Finished);
        const ModelInfoPtr info = loaded.first()[0].value<ModelInfoPtr>();
        CalibrationRequest calibration;
        calibration.plan = makePresetPlan("W8A8", info->summary.sites);
        calibration.caliSamples = 4;
        calibration.caliSteps = 4;
        calibration.trajectory = small(8, 4);
        // One complete calibration first, so that statistics and sampling
        // below also run the quantized model.
        const quint64 first = controller_->submit([calibration](Worker* w, quint64 id) { w->calibrate(id, calibration); });
        QCOMPARE(waitFor(*finished_, first).outcome, JobOutcome::Finished);
        CalibrationRequest reconstruction = calibration;
        reconstruction.plan = makePresetPlan("W4A16", info->summary.sites);
        reconstruction.rounding = "adaround";
        reconstruction.reconIterations = 20;
        StatisticsRequest statistics;
        statistics.quantized = true;
        statistics.sampling = small(10, 2);
        const int threadsBefore = threadCount();

        std::mt19937 random(14);
        int cancelled = 0;
        for (int i = 0; i < 100; ++i) {
            quint64 id = 0;
            switch (i % 5) {
                case 0: id = controller_->submit([calibration](Worker* w, quint64 id) { w->calibrate(id, calibration); }); break;
                case 1: id = controller_->submit([reconstruction](Worker* w, quint64 id) { w->calibrate(id, reconstruction); }); break;
                case 2: id = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(30, 2), 4); }); break;
                case 3: id = controller_->submit([statistics](Worker* w, quint64 id) { w->collectStatistics(id, statistics); }); break;
                default: id = controller_->submit([](Worker* w, quint64 id) { w->evaluate(id, small(10, 10), 20); }); break;
            }
            QTest::qWait(static_cast<int>(random() % 200));  // a random point of the run
            controller_->cancelAll();
            const Finished f = waitFor(*finished_, id, 120000);
            QVERIFY2(f.outcome != JobOutcome::Failed, qPrintable(QString("job %1: %2").arg(i).arg(f.message)));
            if (f.outcome == JobOutcome::Cancelled) ++cancelled;
        }
        QVERIFY2(cancelled >= 50, qPrintable(QString::number(cancelled)));
        // Still usable: a full sampling run completes with the quantized model.
        QSignalSpy ready(relay_, &Relay::comparisonReady);
        const quint64 after = controller_->submit([](Worker* w, quint64 id) { w->generate(id, small(6, 2), 4); });
        QCOMPARE(waitFor(*finished_, after).outcome, JobOutcome::Finished);
        QVERIFY(ready.count() == 1 && ready.first()[0].value<ComparisonPtr>()->hasQuantized);
        QVERIFY2(QTest::qWaitFor([&] { return threadCount() <= threadsBefore; }, 10000),
                 qPrintable(QString("threads: %1 before, %2 after").arg(threadsBefore).arg(threadCount())));
    }

    // Reconstruction in the explorer: the status shows the unit and its loss,
    // and every unit's error before and after comes back.
    void reconstructionReportsUnitsAndLoss() {
        QSignalSpy loaded(relay_, &Relay::modelLoaded);
        QSignalSpy progress(relay_, &Relay::progress);
        QSignalSpy quantized(relay_, &Relay::quantizedModelReady);
        const quint64 load = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_MODEL_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, load).outcome, JobOutcome::Finished);
        const ModelInfoPtr info = loaded.first()[0].value<ModelInfoPtr>();
        CalibrationRequest request;
        request.plan = makePresetPlan("W4A16", info->summary.sites);
        request.caliSamples = 2;
        request.caliSteps = 2;
        request.trajectory = small(4, 2);
        request.rounding = "adaround";
        request.reconIterations = 10;
        const quint64 calibrate = controller_->submit([request](Worker* w, quint64 id) { w->calibrate(id, request); });
        QCOMPARE(waitFor(*finished_, calibrate).outcome, JobOutcome::Finished);
        bool unitWithLoss = false;
        for (const QList<QVariant>& args : progress)
            if (args[0].toULongLong() == calibrate && args[3].toString().startsWith("AdaRound") &&
                args[3].toString().contains("loss"))
                unitWithLoss = true;
        QVERIFY(unitWithLoss);
        QCOMPARE(quantized.count(), 1);
        const QuantizedModelPtr q = quantized.first()[0].value<QuantizedModelPtr>();
        QVERIFY(q->units.size() > 20);
        // Even 10 iterations lower some units' errors (a unit that would get worse keeps its rounding).
        int lowered = 0;
        for (const UnitErrorData& u : q->units) lowered += u.after < u.before;
        QVERIFY2(lowered > 0, qPrintable(QString::number(lowered)));
    }

    // The CLI and the explorer drive the same engine session: identical
    // settings give identical artifacts (the calibration time aside).
    void cliAndWorkerWriteIdenticalArtifacts() {
        QTemporaryDir dir;
        QSignalSpy loaded(relay_, &Relay::modelLoaded);
        const quint64 load = controller_->submit(
            [](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_MODEL_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, load).outcome, JobOutcome::Finished);
        const ModelInfoPtr info = loaded.first()[0].value<ModelInfoPtr>();
        PresetOptions options;
        options.splitShortcuts = true;
        options.rangeMethod = RangeMethod::Mse;
        CalibrationRequest request;
        request.plan = makePresetPlan("W4A8", info->summary.sites, options);
        request.caliSamples = 4;
        request.caliSteps = 3;
        request.trajectory = small(6, 4);
        request.rounding = "gptq";
        const quint64 calibrate = controller_->submit([request](Worker* w, quint64 id) { w->calibrate(id, request); });
        QCOMPARE(waitFor(*finished_, calibrate).outcome, JobOutcome::Finished);
        const QString gui = dir.path() + "/gui", cli = dir.path() + "/cli";
        const quint64 save = controller_->submit([gui](Worker* w, quint64 id) { w->saveQuantizedModel(id, gui); });
        QCOMPARE(waitFor(*finished_, save).outcome, JobOutcome::Finished);

        const test::CliResult r = test::runCli({"-q", "calibrate", "--model", DQ_SHIPPED_MODEL_DIR, "--preset", "W4A8",
                                                "--split", "--method", "mse", "--cali-n", "4", "--cali-st", "3",
                                                "--steps", "6", "--seed", "3", "--rounding", "gptq", "--device", "cpu",
                                                "--out", cli});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto bytes = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray guiWeights = bytes(gui + "/quantized_weights.safetensors");
        QVERIFY(!guiWeights.isEmpty());
        QVERIFY(guiWeights == bytes(cli + "/quantized_weights.safetensors"));
        auto withoutTime = [&](const QString& path) {
            QJsonObject root = QJsonDocument::fromJson(bytes(path)).object();
            QJsonObject calibration = root["calibration"].toObject();
            calibration.remove("seconds");
            root["calibration"] = calibration;
            return root;
        };
        const QJsonObject a = withoutTime(gui + "/quantized_model.json"), b = withoutTime(cli + "/quantized_model.json");
        QVERIFY(!a.isEmpty());
        QVERIFY(QJsonDocument::fromJson(bytes(gui + "/quantized_model.json")).object()["calibration"].toObject().contains("seconds"));
        QCOMPARE(a, b);
        QCOMPARE(a["calibration"].toObject()["options"].toObject()["rounding"].toString(), QString("gptq"));
    }

    // A pipeline comparison carries its frames undecoded (timesteps only); a
    // frame is decoded through the VAE when asked for, by comparison id and
    // step, and a request naming an older comparison is dropped. (Last: it
    // leaves the text-to-image pipeline loaded.)
    void pipelineFramesAreDecodedOnRequest() {
        const quint64 load = controller_->submit([](Worker* w, quint64 id) { w->loadModel(id, DQ_SHIPPED_T2I_DIR, "cpu"); });
        QCOMPARE(waitFor(*finished_, load).outcome, JobOutcome::Finished);
        QSignalSpy comparisons(relay_, &Relay::comparisonReady);
        SamplingSettings settings = small(4, 2);
        settings.prompt = "a photo of a sneaker";
        const quint64 generate = controller_->submit([settings](Worker* w, quint64 id) { w->generate(id, settings, 4); });
        QCOMPARE(waitFor(*finished_, generate).outcome, JobOutcome::Finished);
        QTRY_COMPARE(comparisons.count(), 1);
        const ComparisonPtr c = comparisons.first()[0].value<ComparisonPtr>();
        QCOMPARE(c->id, generate);
        QVERIFY(c->framesOnDemand);
        QCOMPARE(c->trajectory.size(), 4);
        for (const TrajectoryImages& t : c->trajectory) QVERIFY(!t.decoded() && t.timestep > 0);

        QSignalSpy frames(relay_, &Relay::trajectoryFrameReady);
        const quint64 stale = controller_->submit(
            [older = c->id - 1](Worker* w, quint64 id) { w->decodeTrajectoryFrame(id, older, 0); });
        const quint64 decode = controller_->submit(
            [cid = c->id](Worker* w, quint64 id) { w->decodeTrajectoryFrame(id, cid, 1); });
        QCOMPARE(waitFor(*finished_, stale).outcome, JobOutcome::Finished);
        QCOMPARE(waitFor(*finished_, decode).outcome, JobOutcome::Finished);
        QTRY_COMPARE(frames.count(), 1);  // the stale request sent nothing
        QCOMPARE(frames.first()[0].toULongLong(), c->id);
        QCOMPARE(frames.first()[1].toInt(), 1);
        const TrajectoryImages frame = frames.first()[2].value<TrajectoryImages>();
        QVERIFY(frame.decoded());
        QCOMPARE(frame.timestep, c->trajectory[1].timestep);
        QCOMPARE(frame.fpX0.size(), c->fp.size());  // VAE-decoded grids, like the result
        QVERIFY(frame.fpSample != frame.fpX0);
        QVERIFY(frame.quantizedSample.isNull());  // no quantized model

        // Opening a model, even one that fails to load, drops the latents: a
        // later request is an error that says what to do, not a silent no-op.
        const quint64 bad = controller_->submit([](Worker* w, quint64 id) { w->loadModel(id, "/nonexistent/pipe", "cpu"); });
        QCOMPARE(waitFor(*finished_, bad).outcome, JobOutcome::Failed);
        const quint64 after = controller_->submit(
            [cid = c->id](Worker* w, quint64 id) { w->decodeTrajectoryFrame(id, cid, 2); });
        const Finished f = waitFor(*finished_, after);
        QCOMPARE(f.outcome, JobOutcome::Failed);
        QVERIFY2(f.message.contains("generate the comparison again"), qPrintable(f.message));
    }
};

QObject* makeWorkerTest() { return new WorkerTest; }
#include "test_worker.moc"
