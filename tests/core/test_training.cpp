// Training: loss falls, checkpoints resume to the same weights as an unbroken
// run, and the written folder is a loadable diffusers model. Evaluation: the
// CLI's JSON holds every metric, finite; damaged inputs give clear errors.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/fashion_mnist.h"
#include "core/io/safetensors.h"
#include "core/metrics/feature_net.h"
#include "core/model/model_folder.h"
#include "core/training/diffusion_trainer.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {
ImageDataset smallData() {
    // 256 real training images keep the suite fast while using the real loader.
    static const ImageDataset subset = [] {
        ImageDataset all = loadFashionMnist(DatasetSplit::Train, {}, true);
        return ImageDataset{all.images.narrow(0, 0, 256).clone(), all.labels.narrow(0, 0, 256).clone()};
    }();
    return subset;
}
// Writes the first `count` test images and labels as uncompressed IDX files,
// so the evaluation test reads real Fashion-MNIST through the real loader
// without embedding all 10,000 images.
void writeTestSubset(const QString& dir, int count) {
    const QString source = QString::fromStdString(defaultFashionMnistDir());
    auto copyPrefix = [&](const char* name, int headerBytes, int bytesPerItem) {
        QProcess gunzip;
        gunzip.start("gzip", {"-dc", source + "/" + name + ".gz"});
        QVERIFY(gunzip.waitForFinished(60000));
        QByteArray bytes = gunzip.readAllStandardOutput();
        QVERIFY(bytes.size() > headerBytes);
        bytes = bytes.left(headerBytes + count * bytesPerItem);
        // Patch the item count (big-endian, bytes 4..7).
        for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<char>((count >> (24 - 8 * i)) & 0xff);
        QFile out(dir + "/" + name);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
    };
    copyPrefix("t10k-images-idx3-ubyte", 16, 28 * 28);
    copyPrefix("t10k-labels-idx1-ubyte", 8, 1);
    copyPrefix("train-images-idx3-ubyte", 16, 28 * 28);
    copyPrefix("train-labels-idx1-ubyte", 8, 1);
}

// The mean logged loss of the last ten steps against the first ten.
QString lossDrop(const std::vector<double>& losses, double* first, double* last) {
    *first = *last = 0;
    for (std::size_t i = 0; i < 10; ++i) *first += losses[i] / 10;
    for (std::size_t i = losses.size() - 10; i < losses.size(); ++i) *last += losses[i] / 10;
    return QString("loss %1 -> %2").arg(*first).arg(*last);
}

TrainConfig tinyTrainConfig() {
    const std::string path = test::dataDir() + "/tiny_train_config.json";
    return TrainConfig::fromJson(readTextFile(path), path);
}
}  // namespace

class TrainingTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void resumeMatchesAnUnbrokenRun() {
        const ImageDataset data = smallData();
        const TrainConfig config = tinyTrainConfig();
        const std::string unbroken = (dir_.path() + "/unbroken").toStdString();
        std::vector<double> losses;
        TrainCallbacks callbacks;
        callbacks.progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
        TrainResult full = trainDiffusionModel(config, data, unbroken, false, torch::kCPU, callbacks);
        QCOMPARE(full.steps, int64_t(6));
        QCOMPARE(losses.size(), std::size_t(6));
        for (double l : losses) QVERIFY(std::isfinite(l) && l > 0);

        // Stop after 3 steps (cancel), then resume to 6.
        const std::string split = (dir_.path() + "/split").toStdString();
        int seen = 0;
        TrainCallbacks stopAtThree;
        stopAtThree.progress = [&](const TrainProgress& p) { seen = static_cast<int>(p.step); };
        stopAtThree.cancelled = [&] { return seen >= 3; };
        bool cancelled = false;
        try {
            trainDiffusionModel(config, data, split, false, torch::kCPU, stopAtThree);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        TrainResult resumed = trainDiffusionModel(config, data, split, true, torch::kCPU);
        QCOMPARE(resumed.steps, int64_t(6));

        const auto a = loadSafetensors(unbroken + "/diffusion_pytorch_model.safetensors").tensors;
        const auto b = loadSafetensors(split + "/diffusion_pytorch_model.safetensors").tensors;
        QCOMPARE(a.size(), b.size());
        for (const auto& [key, tensor] : a) QVERIFY2(torch::equal(tensor, b.at(key)), key.c_str());

        // The folder is a complete diffusers model that samples.
        LoadedModel loaded = loadModelFolder(unbroken);
        QCOMPARE(*loaded.unet.config().nullClassLabel, 10);
    }

    void lossFallsOnRealData() {
        TrainConfig config = tinyTrainConfig();
        config.train.steps = 60;
        config.train.batchSize = 16;
        config.train.checkpointEvery = 60;
        std::vector<double> losses;
        TrainCallbacks callbacks;
        callbacks.progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
        trainDiffusionModel(config, smallData(), (dir_.path() + "/falls").toStdString(), false, torch::kCPU, callbacks);
        QCOMPARE(losses.size(), std::size_t(60));
        double first, last;
        const QString drop = lossDrop(losses, &first, &last);
        QVERIFY2(last < 0.6 * first, qPrintable(drop));
    }

    void recipeSchedulesAndWeighting() {
        // Cosine decay: the full rate at the end of the warm-up, the floor at the
        // last step, falling in between.
        TrainSettings s;
        s.steps = 1000;
        s.warmupSteps = 100;
        s.learningRate = 1e-3;
        s.lrSchedule = "cosine";
        s.minLrRatio = 0.1;
        QVERIFY(std::abs(s.learningRateAt(99) - 1e-3) < 1e-12);
        QVERIFY(std::abs(s.learningRateAt(100) - 1e-3) < 1e-12);
        QVERIFY(std::abs(s.learningRateAt(999) - 1e-4) < 1e-12);
        QVERIFY(std::abs(s.learningRateAt(550) - 5.5e-4) < 2e-6);
        for (int64_t step = 101; step < 1000; ++step) QVERIFY(s.learningRateAt(step) <= s.learningRateAt(step - 1));
        s.lrSchedule = "constant";
        QCOMPARE(s.learningRateAt(999), 1e-3);
        // An EMA horizon scales with the run.
        s.emaHorizon = 0.1;
        QVERIFY(std::abs(s.effectiveEmaDecay() - 0.99) < 1e-12);

        // The recipe keys parse, and bad values are refused by name.
        const nlohmann::json tiny = nlohmann::json::parse(readTextFile(test::dataDir() + "/tiny_train_config.json"));
        auto withTrain = [&](const nlohmann::json& train) {
            nlohmann::json j = tiny;
            j["train"] = train;
            return j.dump();
        };
        const TrainConfig c = TrainConfig::fromJson(
            withTrain({{"lr_schedule", "cosine"}, {"loss_weighting", "min_snr"}, {"min_snr_gamma", 5}, {"ema_horizon", 0.05}}),
            "t.json");
        QCOMPARE(QString::fromStdString(c.train.lossWeighting), QStringLiteral("min_snr"));
        QCOMPARE(QString::fromStdString(c.train.lrSchedule), QStringLiteral("cosine"));
        QVERIFY(test::errorOf([&] { TrainConfig::fromJson(withTrain({{"lr_schedule", "linear"}}), "t.json"); })
                    .contains("'train.lr_schedule' is \"linear\"; supported: constant, cosine"));
        QVERIFY(test::errorOf([&] { TrainConfig::fromJson(withTrain({{"loss_weighting", 3}}), "t.json"); })
                    .contains("must be a string"));

        // min-SNR training runs and its loss falls on real data too.
        TrainConfig config = tinyTrainConfig();
        config.train.steps = 60;
        config.train.batchSize = 16;
        config.train.checkpointEvery = 60;
        config.train.lossWeighting = "min_snr";
        config.train.lrSchedule = "cosine";
        std::vector<double> losses;
        TrainCallbacks callbacks;
        callbacks.progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
        trainDiffusionModel(config, smallData(), (dir_.path() + "/minsnr").toStdString(), false, torch::kCPU, callbacks);
        QCOMPARE(losses.size(), std::size_t(60));
        double first, last;
        const QString drop = lossDrop(losses, &first, &last);
        QVERIFY2(std::isfinite(last) && last < 0.6 * first, qPrintable(drop));
    }

    void rejectsBadResumeAndConfigs() {
        const TrainConfig config = tinyTrainConfig();
        const std::string empty = (dir_.path() + "/none").toStdString();
        QVERIFY(test::errorOf([&] { trainDiffusionModel(config, smallData(), empty, true, torch::kCPU); })
                    .contains("--resume"));
        QVERIFY(test::errorOf([] { TrainConfig::fromJson(R"({"model":{},"train":{"stepz":3}})", "t.json"); })
                    .contains("'train.stepz'"));
        QVERIFY(test::errorOf([] { TrainConfig::fromJson(R"({"train":{}})", "t.json"); }).contains("'model'"));
        TrainConfig noNull = config;
        noNull.model.numClassEmbeds = 10;
        noNull.model.nullClassLabel = 9;
        QVERIFY(test::errorOf([&] { trainDiffusionModel(noNull, smallData(), empty, false, torch::kCPU); })
                    .contains("null class"));
    }

    void evalWritesEveryMetric() {
        // A (briefly trained) tiny model and a freshly initialised feature network
        // exercise the whole eval path through the real CLI.
        const QString model = dir_.path() + "/evalmodel";
        TrainConfig config = tinyTrainConfig();
        config.train.steps = 2;
        trainDiffusionModel(config, smallData(), model.toStdString(), false, torch::kCPU);
        FeatureNet net;
        saveFeatureNet(net, (model + "/feature_net.safetensors").toStdString());

        const QString subset = dir_.path() + "/fmnist-subset";
        QVERIFY(QDir().mkpath(subset));
        writeTestSubset(subset, 500);
        QProcess process;
        const QString json = dir_.path() + "/eval.json";
        process.start(DQ_CLI_PATH, {"-q", "eval", "--model", model, "--num", "20", "--batch", "10", "--steps", "2",
                                    "--device", "cpu", "--data-dir", subset, "--json", json});
        QVERIFY(process.waitForFinished(300000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QVERIFY(QString(process.readAllStandardOutput()).contains("FID"));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject metrics = root["metrics"].toObject();
        for (const char* key : {"fid", "sfid", "is_mean", "is_std", "class_accuracy"}) {
            QVERIFY2(metrics.contains(key) && std::isfinite(metrics[key].toDouble()), key);
        }
        QVERIFY(root["wall_time_s"].toDouble() > 0);
        QCOMPARE(root["settings"].toObject()["num_samples"].toInt(), 20);
        QVERIFY(QFile::exists(model + "/reference_stats.safetensors"));

        // The real-data floor scores the training images through the same table and JSON.
        const QString floorJson = dir_.path() + "/floor.json";
        process.start(DQ_CLI_PATH, {"-q", "eval", "--model", model, "--real-data", "--device", "cpu", "--data-dir",
                                    subset, "--json", floorJson});
        QVERIFY(process.waitForFinished(120000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QFile floorFile(floorJson);
        QVERIFY(floorFile.open(QIODevice::ReadOnly));
        const QJsonObject floor = QJsonDocument::fromJson(floorFile.readAll()).object();
        QCOMPARE(floor["settings"].toObject()["num_samples"].toInt(), 500);
        for (const char* key : {"fid", "sfid", "is_mean", "class_accuracy"})
            QVERIFY2(std::isfinite(floor["metrics"].toObject()[key].toDouble()), key);

        // Damaged files: one clear line, non-zero exit.
        QFile corrupt(model + "/feature_net.safetensors");
        QVERIFY(corrupt.open(QIODevice::WriteOnly | QIODevice::Truncate));
        corrupt.write("garbage");
        corrupt.close();
        process.start(DQ_CLI_PATH, {"-q", "eval", "--model", model, "--num", "20", "--device", "cpu"});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY(process.exitCode() != 0);
        QVERIFY(QString(process.readAllStandardError()).contains("feature_net.safetensors"));
        QFile::remove(model + "/diffusion_pytorch_model.safetensors");
        process.start(DQ_CLI_PATH, {"-q", "eval", "--model", model, "--num", "20", "--device", "cpu"});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY(process.exitCode() != 0);
        QVERIFY(QString(process.readAllStandardError()).contains("diffusion_pytorch_model.safetensors"));
    }
};

QObject* makeTrainingTest() { return new TrainingTest; }
#include "test_training.moc"
