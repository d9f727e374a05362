// The yardstick: the robustness report's perturbations on real test images,
// the shipped feature network's accuracy and robustness targets, the record
// of which network scored a result, and sharded evaluation that merges into
// exactly the metrics of one run.
#include <filesystem>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/io/fashion_mnist.h"
#include "core/io/file_stamp.h"
#include "core/io/safetensors.h"
#include "core/metrics/eval_partial.h"
#include "core/metrics/evaluation.h"
#include "core/metrics/robustness.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {
QJsonObject readJson(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}
}  // namespace

class YardstickTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string featuresPath_;
    ImageDataset test_;

private Q_SLOTS:
    void initTestCase() {
        featuresPath_ = std::string(DQ_SHIPPED_MODEL_DIR) + "/feature_net.safetensors";
        test_ = loadFashionMnist(DatasetSplit::Test, {}, true);
    }

    void perturbationsChangeWhatTheySay() {
        const torch::Tensor images = test_.images.narrow(0, 0, 200);
        const torch::Tensor background = images.le(-1 + 1.0 / 255);
        QVERIFY(background.any().item<bool>());
        // Background offset: only background pixels move, by exactly the offset.
        const torch::Tensor raised = raiseBackground(images, 0.04);
        QVERIFY(torch::allclose(raised.masked_select(background), torch::full({1}, -0.96), 1e-6, 1e-6));
        QVERIFY(torch::equal(raised.masked_select(~background), images.masked_select(~background)));
        // Noise: zero-mean where nothing clamps, the requested sigma, stays in range.
        const torch::Tensor noisy = addGaussianNoise(images, 0.04, 1);
        QVERIFY(noisy.min().item<float>() >= -1 && noisy.max().item<float>() <= 1);
        const torch::Tensor inside = images.gt(-0.8) & images.lt(0.8);
        const double sigma = (noisy - images).masked_select(inside).std().item<double>();
        QVERIFY2(std::abs(sigma - 0.04) < 0.002, std::to_string(sigma).c_str());
        // Blur keeps a constant image and the mean brightness, and smooths edges.
        QVERIFY(torch::allclose(boxBlur3x3(torch::full({1, 1, 32, 32}, 0.3)), torch::full({1, 1, 32, 32}, 0.3)));
        const torch::Tensor blurred = boxBlur3x3(images);
        QVERIFY(std::abs(blurred.mean().item<double>() - images.mean().item<double>()) < 0.01);
        QVERIFY(blurred.diff(1, 3).abs().mean().item<double>() < 0.8 * images.diff(1, 3).abs().mean().item<double>());
        // Class swap: the set keeps its size and pixels from its own classes 0-4 only.
        const torch::Tensor labels = test_.labels.narrow(0, 0, 200);
        const torch::Tensor swapped = swapClasses(images, labels, 3);
        QCOMPARE(swapped.sizes(), images.sizes());
        const torch::Tensor low = labels.lt(5).nonzero().flatten();
        QVERIFY(torch::equal(swapped.index_select(0, low), images.index_select(0, low)));
        QVERIFY(!torch::equal(swapped, images));
        // Each replaced image is one of the set's own images of class c-5.
        for (int64_t i = 0; i < 200; ++i) {
            const int64_t c = labels[i].item<int64_t>();
            if (c < 5) continue;
            const torch::Tensor donors = images.index_select(0, labels.eq(c - 5).nonzero().flatten());
            const bool found = (donors - swapped[i]).abs().flatten(1).amax(1).eq(0).any().item<bool>();
            QVERIFY2(found, ("image " + std::to_string(i) + " of class " + std::to_string(c)).c_str());
        }
    }

    void trainingAugmentationStaysImperceptible() {
        const torch::Tensor images = test_.images.narrow(0, 0, 64);
        const torch::Tensor background = images.le(-1 + 1.0 / 255);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
        // Background offsets only: garment pixels untouched, background raised by at most 0.1.
        ImperceptibleAugmentation onlyBackground{0.0, 0.0, 0.1, 0.0};
        const torch::Tensor raised = augmentImperceptibly(images, onlyBackground, gen);
        QVERIFY(torch::equal(raised.masked_select(~background), images.masked_select(~background)));
        const torch::Tensor lift = (raised - images).masked_select(background);
        QVERIFY(lift.min().item<double>() >= 0 && lift.max().item<double>() <= 0.1 + 1e-6);
        QVERIFY(lift.max().item<double>() > 0.05);  // some images drew a visible share of the range
        // Everything on: stays in range, moves pixels by a small amount, and with
        // roundShare 1 every value lies on the 8-bit grid.
        ImperceptibleAugmentation all;
        all.roundShare = 1.0;
        const torch::Tensor augmented = augmentImperceptibly(images, all, gen);
        QVERIFY(augmented.min().item<double>() >= -1 && augmented.max().item<double>() <= 1);
        const torch::Tensor levels = (augmented + 1) * 127.5;
        QVERIFY((levels - levels.round()).abs().max().item<double>() < 1e-3);
        const double moved = (augmented - images).abs().mean().item<double>();
        QVERIFY2(moved > 0.005 && moved < 0.15, std::to_string(moved).c_str());
    }

    void shippedFeatureNetworkIsAccurate() {
        FeatureNet net = loadFeatureNet(featuresPath_, torch::kCPU);
        const double accuracy = classifierAccuracy(net, test_.images, test_.labels);
        QVERIFY2(accuracy >= 0.92, std::to_string(accuracy).c_str());
    }

    void shippedFeatureNetworkTellsDamageFromNoise() {
        // 5,000 vs 5,000 real test images, the targets of the yardstick.
        FeatureNet net = loadFeatureNet(featuresPath_, torch::kCPU);
        const RobustnessReport report = measureRobustness(net, test_, 5000, 0);
        QCOMPARE(static_cast<int>(report.rows.size()), 8);
        QString table;
        for (const RobustnessRow& row : report.rows)
            table += QString("%1: FID %2, delta %3\n").arg(row.name.c_str()).arg(row.fid).arg(row.deltaFid);
        // Directions: more noise or a larger offset never helps; damage moves FID clearly.
        // (Only the extremes are ordered: a network that ignores small noise may
        // swap neighbouring rows within their seeds' scatter.)
        QVERIFY2(report.rows[3].fid >= report.rows[1].fid - 0.2, qPrintable(table));
        QVERIFY2(report.rows[5].fid >= report.rows[4].fid - 0.2, qPrintable(table));
        QVERIFY2(report.rows[6].deltaFid >= kMinDamageDelta, qPrintable(table));
        QVERIFY2(report.rows[7].deltaFid >= kMinDamageDelta, qPrintable(table));
        // The imperceptible changes stay within the budget.
        QVERIFY2(report.rows[2].deltaFid <= kMaxImperceptibleDelta, qPrintable(table));
        QVERIFY2(report.rows[4].deltaFid <= kMaxImperceptibleDelta, qPrintable(table));
        QVERIFY(report.allTargetsMet());
    }

    void referenceCacheFollowsTheNetworkByContent() {
        // A copy of the shipped model folder with its cached statistics, then a
        // different network: the cache must be recomputed, not reused.
        const std::string folder = (dir_.path() + "/model").toStdString();
        std::filesystem::create_directories(folder);
        FeatureNet a = loadFeatureNet(featuresPath_, torch::kCPU);
        saveFeatureNet(a, folder + "/feature_net.safetensors");
        const ReferenceStats first = loadOrComputeTestStats(a, folder + "/feature_net.safetensors", folder);
        const std::string stats = folder + "/reference_stats.safetensors";
        QCOMPARE(loadSafetensors(stats).metadata.at("feature_net"), fileStamp(folder + "/feature_net.safetensors"));

        torch::manual_seed(5);
        FeatureNet b;  // freshly initialised: other weights, other features
        b->eval();
        saveFeatureNet(b, folder + "/feature_net.safetensors");
        const ReferenceStats second = loadOrComputeTestStats(b, folder + "/feature_net.safetensors", folder);
        QVERIFY(!torch::allclose(first.pooled.mean, second.pooled.mean));
        QCOMPARE(loadSafetensors(stats).metadata.at("feature_net"), fileStamp(folder + "/feature_net.safetensors"));
    }

    void partialSumsGiveTheWholeSetMetrics() {
        // Uneven batches (73 = 8 x 9 + 1) whose edges cut through the IS
        // splits, against the whole-set functions scoreImages uses.
        torch::manual_seed(2);
        FeatureNet net;
        net->eval();
        const torch::Tensor images = test_.images.narrow(0, 0, 73);
        const torch::Tensor labels = test_.labels.narrow(0, 0, 73);
        const ReferenceStats reference = computeReferenceStats(net, test_.images.narrow(0, 100, 400));
        const EvalResult whole = scoreImages(net, reference, images, labels);
        EvalPartial parts[2];
        for (int b = 0; b * 9 < 73; ++b) {
            const int64_t n = std::min<int64_t>(9, 73 - b * 9);
            EvalPartial& part = parts[b % 2];
            part.totalSamples = 73;
            part.batchSize = 9;
            part.addBatch(b, extractFeatures(net, images.narrow(0, b * 9, n)), labels.narrow(0, b * 9, n));
        }
        EvalPartial merged;
        merged.merge(parts[0], "part 0");
        merged.merge(parts[1], "part 1");
        const EvalResult summed = merged.finish(reference);
        QVERIFY2(std::abs(summed.isMean - whole.isMean) < 1e-9 && std::abs(summed.isStd - whole.isStd) < 1e-9,
                 qPrintable(QString("IS %1 vs %2").arg(summed.isMean, 0, 'g', 15).arg(whole.isMean, 0, 'g', 15)));
        QCOMPARE(summed.classAccuracy, whole.classAccuracy);
        QVERIFY2(std::abs(summed.fid - whole.fid) < 1e-3 + 1e-6 * whole.fid,
                 qPrintable(QString("FID %1 vs %2").arg(summed.fid, 0, 'g', 15).arg(whole.fid, 0, 'g', 15)));
        QVERIFY(std::abs(summed.sfid - whole.sfid) < 1e-3 + 1e-6 * whole.sfid);
        // The first part is unchanged by merging (no shared tensors).
        QCOMPARE(parts[0].pooled.count, int64_t(37));  // batches 0, 2, 4, 6 (9 each) and 8 (1)
        const torch::Tensor before = parts[0].pooled.sum.clone();
        EvalPartial again;
        again.merge(parts[0], "part 0");
        again.merge(parts[1], "part 1");
        QVERIFY(torch::equal(parts[0].pooled.sum, before));
    }

    void fourShardsMergeIntoOneRun() {
        // The real CLI on the shipped model, quantized so that FID-to-FP and the
        // paired metrics are merged too: one run against four shards.
        const QString q = dir_.path() + "/w8a8";
        test::CliResult r = test::runCli({"-q", "calibrate", "--preset", "W8A8", "--cali-st", "2", "--cali-n", "2",
                                          "--steps", "3", "--out", q, "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // 73 samples in batches of 9: uneven batches whose edges cut the IS splits.
        const QStringList common = {"--quant", q, "--num", "73", "--batch", "9", "--steps", "3", "--seed", "4",
                                    "--device", "cpu"};
        const QString wholeJson = dir_.path() + "/whole.json";
        r = test::runCli(QStringList{"-q", "eval", "--json", wholeJson} + common);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList parts;
        for (int k = 0; k < 4; ++k) {
            parts << dir_.path() + QString("/part-%1.safetensors").arg(k);
            r = test::runCli(QStringList{"-q", "eval", "--shard", QString("%1/4").arg(k), "--partial", parts.last()} +
                             common);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const QString mergedJson = dir_.path() + "/merged.json";
        r = test::runCli(QStringList{"-q", "eval-merge", "--json", mergedJson} + parts);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const QJsonObject whole = readJson(wholeJson), merged = readJson(mergedJson);
        QCOMPARE(whole["feature_net_hash"].toString(), QString::fromStdString(fileStamp(featuresPath_)));
        QCOMPARE(merged["feature_net_hash"].toString(), whole["feature_net_hash"].toString());
        const QJsonObject a = whole["metrics"].toObject(), b = merged["metrics"].toObject();
        for (const char* key : {"fid", "sfid", "is_mean", "is_std", "class_accuracy", "fid_to_fp", "sfid_to_fp",
                                "psnr_vs_fp", "ssim_vs_fp", "mse_vs_fp", "fp_fid", "fp_class_accuracy"}) {
            const double x = a[key].toDouble(), y = b[key].toDouble();
            QVERIFY2(a.contains(key) && b.contains(key), key);
            // Fréchet distances of 73 samples have singular covariances, where
            // summation order moves the square root's null eigenvalues slightly.
            const bool frechet = QString(key).contains("fid");
            QVERIFY2(std::abs(x - y) <= (frechet ? 1e-3 : 0.0) + 1e-6 * std::max(1.0, std::abs(x)),
                     qPrintable(QString("%1: one run %2, merged %3").arg(key).arg(x, 0, 'g', 17).arg(y, 0, 'g', 17)));
        }

        // Missing or repeated shards are refused with a message, not merged.
        r = test::runCli({"-q", "eval-merge", parts[0], parts[1], parts[2]});
        QVERIFY2(r.exitCode != 0 && r.err.contains("incomplete") && r.err.contains("missing batches 3,7") &&
                     r.err.contains("rerun shard(s) 3/4"),
                 qPrintable(r.err));
        r = test::runCli({"-q", "eval-merge", parts[0], parts[1], parts[2], parts[3], parts[1]});
        QVERIFY(r.exitCode != 0 && r.err.contains("repeats batch"));
        r = test::runCli(QStringList{"-q", "eval", "--shard", "4/4", "--partial", parts[0]} + common);
        QVERIFY(r.exitCode != 0 && r.err.contains("--shard '4/4'"));
        // A part of another run (another seed) is refused by name.
        QStringList otherSeed = common;
        otherSeed[otherSeed.indexOf("--seed") + 1] = "5";
        const QString foreign = dir_.path() + "/foreign.safetensors";
        r = test::runCli(QStringList{"-q", "eval", "--shard", "3/4", "--partial", foreign} + otherSeed);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = test::runCli({"-q", "eval-merge", parts[0], parts[1], parts[2], foreign});
        QVERIFY2(r.exitCode != 0 && r.err.contains("foreign.safetensors") && r.err.contains("another evaluation run"),
                 qPrintable(r.err));
    }

    void fpCacheReusesFpSamplesWithoutChangingAMetric() {
        const QString q = dir_.path() + "/w8a8-for-cache";
        test::CliResult r = test::runCli({"-q", "calibrate", "--preset", "W8A8", "--cali-st", "2", "--cali-n", "2",
                                          "--steps", "3", "--out", q, "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList common = {"--num", "30", "--batch", "10", "--steps", "3", "--seed", "6", "--device", "cpu"};
        const QString cache = dir_.path() + "/fp-cache.safetensors";
        auto eval = [&](const QString& json, const QStringList& extra, QStringList settings = {}) {
            if (settings.isEmpty()) settings = common;
            const test::CliResult run = test::runCli(QStringList{"-q", "eval", "--json", json} + extra + settings);
            if (run.exitCode != 0) qWarning("%s", qPrintable(run.err));
            return readJson(json);
        };
        auto cacheUse = [](const QJsonObject& j, const char* key) { return j["fp_cache"].toObject()[key].toInt(-1); };
        const QJsonObject plain = eval(dir_.path() + "/plain.json", {"--quant", q});
        const QJsonObject fill = eval(dir_.path() + "/fill.json", {"--quant", q, "--fp-cache", cache});
        const QJsonObject reuse = eval(dir_.path() + "/reuse.json", {"--quant", q, "--fp-cache", cache});
        QVERIFY(plain.contains("metrics") && !plain.contains("fp_cache"));
        QCOMPARE(cacheUse(fill, "batches_stored"), 3);
        QCOMPARE(cacheUse(fill, "batches_reused"), 0);
        QCOMPARE(cacheUse(reuse, "batches_reused"), 3);
        QCOMPARE(cacheUse(reuse, "batches_stored"), 0);
        // The FP pass sampled again, stored, or read back: the same images, so every metric is the same.
        const QJsonObject m = plain["metrics"].toObject();
        QVERIFY(m["psnr_vs_fp"].toDouble() > 10 && m["psnr_vs_fp"].toDouble() < 100);  // quantized differs from FP
        for (const QJsonObject& other : {fill["metrics"].toObject(), reuse["metrics"].toObject()})
            for (const QString& key : m.keys())
                QVERIFY2(std::abs(m[key].toDouble() - other[key].toDouble()) <= 1e-9 * std::max(1.0, std::abs(m[key].toDouble())),
                         qPrintable(QString("%1: %2 vs %3").arg(key).arg(m[key].toDouble(), 0, 'g', 17)
                                        .arg(other[key].toDouble(), 0, 'g', 17)));
        // The FP model evaluated from the cache scores the comparison's FP images.
        const QJsonObject fp = eval(dir_.path() + "/fp.json", {"--fp-cache", cache});
        QCOMPARE(cacheUse(fp, "batches_reused"), 3);
        QVERIFY(std::abs(fp["metrics"].toObject()["fid"].toDouble() - m["fp_fid"].toDouble()) < 1e-9 * m["fp_fid"].toDouble());
        QCOMPARE(fp["metrics"].toObject()["class_accuracy"].toDouble(), m["fp_class_accuracy"].toDouble());
        // Other settings never reuse those samples: the cache is replaced by the new run's.
        QStringList otherSeed = common;
        otherSeed[otherSeed.indexOf("--seed") + 1] = "7";
        QCOMPARE(cacheUse(eval(dir_.path() + "/seed7.json", {"--quant", q, "--fp-cache", cache}, otherSeed),
                          "batches_reused"), 0);
        QCOMPARE(cacheUse(eval(dir_.path() + "/seed6.json", {"--quant", q, "--fp-cache", cache}), "batches_reused"), 0);
        // A file that is not a cache is refused by name, before sampling, and left as it was.
        const QString weights = dir_.path() + "/weights.safetensors";
        QVERIFY(QFile::copy(QString(DQ_SHIPPED_MODEL_DIR) + "/feature_net.safetensors", weights));
        const QByteArray before = [&] { QFile f(weights); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        r = test::runCli(QStringList{"-q", "eval", "--quant", q, "--fp-cache", weights} + common);
        QVERIFY2(r.exitCode != 0 && r.err.contains("weights.safetensors") && r.err.contains("not an FP sample cache"),
                 qPrintable(r.err));
        QFile after(weights);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }

    void slurmTemplateRunsEachArrayTask() {
        // The shipped sbatch template, run as SLURM would run two array tasks
        // (on the CPU here), then merged.
        const QString out = dir_.path() + "/slurm-parts";
        for (int k = 0; k < 2; ++k) {
            QProcess task;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("SLURM_ARRAY_TASK_ID", QString::number(k));
            env.insert("SLURM_ARRAY_TASK_COUNT", "2");
            env.insert("DQ_NUM", "20");
            env.insert("DQ_BATCH", "10");
            env.insert("DQ_STEPS", "2");
            env.insert("DQ_DEVICE", "cpu");
            env.insert("DQ_EVAL_DIR", out);
            env.insert("DIFFQUANT", DQ_CLI_PATH);
            task.setProcessEnvironment(env);
            task.start("bash", {QStringLiteral(DQ_SOURCE_DIR "/packaging/slurm/eval-shards.sbatch")});
            QVERIFY(task.waitForFinished(120000));
            QVERIFY2(task.exitCode() == 0, task.readAllStandardError().constData());
        }
        const test::CliResult r = test::runCli({"-q", "eval-merge", out + "/part-0.safetensors", out + "/part-1.safetensors"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(QRegularExpression("samples\\s+20\\n").match(r.out).hasMatch(), qPrintable(r.out));
    }
};

QObject* makeYardstickTest() { return new YardstickTest; }

#include "test_yardstick.moc"
