// Training: loss falls, checkpoints resume to the same weights as an unbroken
// run, and the written folder is a loadable diffusers model. Evaluation: the
// CLI's JSON holds every metric, finite; damaged inputs give clear errors.
#include <filesystem>

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
#include "core/io/file_stamp.h"
#include "core/io/safetensors.h"
#include "core/metrics/feature_net.h"
#include "core/model/clip_text_model.h"
#include "core/model/model_folder.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/pipeline/prompt_list.h"
#include "core/text/bpe_trainer.h"
#include "core/training/autoencoder_trainer.h"
#include "core/training/checkpoint.h"
#include "core/training/diffusion_trainer.h"
#include "core/training/text_to_image_trainer.h"
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
        TrainResult full = trainDiffusionModel(config, data, unbroken, TrainStart{}, torch::kCPU, callbacks);
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
            trainDiffusionModel(config, data, split, TrainStart{}, torch::kCPU, stopAtThree);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        TrainResult resumed = trainDiffusionModel(config, data, split, TrainStart::resumed(), torch::kCPU);
        QCOMPARE(resumed.steps, int64_t(6));
        QCOMPARE(resumed.startStep, int64_t(3));
        QVERIFY2(QString::fromStdString(resumed.summary()).startsWith("Trained from step 3 to step 6 in "),
                 resumed.summary().c_str());
        // Resuming a finished run trains nothing and says so (not "step 0").
        const TrainResult again = trainDiffusionModel(config, data, split, TrainStart::resumed(), torch::kCPU);
        QCOMPARE(again.startStep, int64_t(6));
        QCOMPARE(again.steps, int64_t(6));
        QVERIFY2(QString::fromStdString(again.summary()).startsWith("Already trained to step 6"), again.summary().c_str());

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
        trainDiffusionModel(config, smallData(), (dir_.path() + "/falls").toStdString(), TrainStart{}, torch::kCPU, callbacks);
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
        trainDiffusionModel(config, smallData(), (dir_.path() + "/minsnr").toStdString(), TrainStart{}, torch::kCPU, callbacks);
        QCOMPARE(losses.size(), std::size_t(60));
        double first, last;
        const QString drop = lossDrop(losses, &first, &last);
        QVERIFY2(std::isfinite(last) && last < 0.6 * first, qPrintable(drop));
    }

    // The VAE of the text-to-image pipeline: its loss falls on real images, a
    // cancelled run resumes to the same weights as an unbroken one, and the
    // folder it writes is an AutoencoderKL whose scaling factor gives the
    // latent means unit variance.
    void vaeTrainsResumesAndScalesItsLatents() {
        const ImageDataset data = smallData();
        AutoencoderTrainConfig config = AutoencoderTrainConfig::fromJson(
            R"({"model": {"in_channels": 1, "out_channels": 1, "block_out_channels": [8, 16], "layers_per_block": 1,
                          "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                          "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"], "latent_channels": 4, "norm_num_groups": 4, "sample_size": 32},
                "train": {"steps": 40, "batch_size": 16, "learning_rate": 0.002, "warmup_steps": 5,
                          "checkpoint_every": 20, "log_every": 1}})",
            "vae.json");
        const std::string unbroken = (dir_.path() + "/vae-unbroken").toStdString();
        std::vector<double> losses;
        TrainCallbacks callbacks;
        callbacks.progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
        const AutoencoderTrainResult full = trainAutoencoder(config, data, data, unbroken, false, torch::kCPU, callbacks);
        QCOMPARE(full.steps, int64_t(40));
        double first, last;
        const QString drop = lossDrop(losses, &first, &last);
        QVERIFY2(std::isfinite(last) && last < 0.7 * first, qPrintable(drop));
        // Better than predicting the mean image (the data's variance, about 0.5 here).
        QVERIFY2(full.reconstructionMse < 0.8 * data.images.var().item<double>(),
                 qPrintable(QString::number(full.reconstructionMse)));

        const std::string split = (dir_.path() + "/vae-split").toStdString();
        int seen = 0;
        TrainCallbacks stopAtTwenty;
        stopAtTwenty.progress = [&](const TrainProgress& p) { seen = static_cast<int>(p.step); };
        stopAtTwenty.cancelled = [&] { return seen >= 20; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainAutoencoder(config, data, data, split, false, torch::kCPU, stopAtTwenty));
        QCOMPARE(trainAutoencoder(config, data, data, split, true, torch::kCPU).steps, int64_t(40));
        const auto a = loadSafetensors(unbroken + "/diffusion_pytorch_model.safetensors").tensors;
        const auto b = loadSafetensors(split + "/diffusion_pytorch_model.safetensors").tensors;
        QCOMPARE(a.size(), b.size());
        for (const auto& [key, tensor] : a) QVERIFY2(torch::equal(tensor, b.at(key)), key.c_str());

        const AutoencoderKL vae = AutoencoderKL::load(unbroken);
        QCOMPARE(vae.config().scalingFactor, full.scalingFactor);
        torch::NoGradGuard noGrad;
        const torch::Tensor means = vae.encode(data.images.narrow(0, 0, 128)).mean * vae.config().scalingFactor;
        QVERIFY2(std::abs(means.std().item<double>() - 1) < 0.2, qPrintable(QString::number(means.std().item<double>())));

        QVERIFY(test::errorOf([&] { AutoencoderTrainConfig::fromJson(R"({"model": {}, "train": {"kl": 1}})", "v.json"); })
                    .contains("'train.kl'"));
        config.model.inChannels = 3;
        QVERIFY(test::errorOf([&] { trainAutoencoder(config, data, data, split + "x", false, torch::kCPU); })
                    .contains("1x32x32"));
    }

    // The shipped text-to-image pipeline's trainer: U-Net and text encoder
    // learn together on VAE latents from captions; a cancelled run resumes to
    // the same weights; the result is a pipeline folder the product opens and
    // samples from, with its training and held-out caption lists.
    void textToImagePipelineTrainsAndResumes() {
        const ImageDataset data = smallData();
        const std::string root = dir_.path().toStdString() + "/t2i";
        TextToImageTrainConfig config = TextToImageTrainConfig::fromJson(R"({
            "unet": {"sample_size": 8, "in_channels": 4, "out_channels": 4, "block_out_channels": [8, 16],
                     "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                     "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "layers_per_block": 1,
                     "attention_head_dim": 2, "cross_attention_dim": 12, "norm_num_groups": 4},
            "text_encoder": {"hidden_size": 12, "intermediate_size": 24, "num_attention_heads": 2,
                             "num_hidden_layers": 1, "max_position_embeddings": 77, "vocab_size": 800},
            "captions": {"class_names": ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                                         "sneaker", "bag", "ankle boot"],
                         "templates": ["a photo of a {}", "a {} on black"], "held_out_templates": ["a drawing of a {}"]},
            "train": {"steps": 6, "batch_size": 8, "warmup_steps": 1, "checkpoint_every": 3, "log_every": 1,
                      "caption_dropout": 0.25}})",
                                                                         "t2i.json");
        const std::string tokenizer = root + "/tokenizer", vaeFolder = root + "/vae";
        writeClipTokenizer(tokenizer, learnBpeMerges(config.captions.captions(config.captions.templates), 100));
        AutoencoderKLConfig vc;
        vc.inChannels = vc.outChannels = 1;
        vc.blockOutChannels = {8, 8, 8};
        vc.normNumGroups = 4;
        vc.sampleSize = 32;
        AutoencoderKL vae(vc);
        vae.initializeRandom(5);
        std::filesystem::create_directories(vaeFolder);
        vae.save(vaeFolder);

        const std::string unbroken = root + "/unbroken";
        std::vector<double> losses;
        TrainCallbacks callbacks;
        callbacks.progress = [&](const TrainProgress& p) { losses.push_back(p.loss); };
        QCOMPARE(trainTextToImage(config, data, vaeFolder, tokenizer, unbroken, false, torch::kCPU, callbacks).steps,
                 int64_t(6));
        QCOMPARE(losses.size(), std::size_t(6));
        for (double l : losses) QVERIFY(std::isfinite(l) && l > 0);
        const std::string split = root + "/split";
        int seen = 0;
        TrainCallbacks stopAtThree;
        stopAtThree.progress = [&](const TrainProgress& p) { seen = static_cast<int>(p.step); };
        stopAtThree.cancelled = [&] { return seen >= 3; };
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 trainTextToImage(config, data, vaeFolder, tokenizer, split, false, torch::kCPU, stopAtThree));
        QCOMPARE(trainTextToImage(config, data, vaeFolder, tokenizer, split, true, torch::kCPU).steps, int64_t(6));
        for (const char* part : {"/unet/diffusion_pytorch_model.safetensors", "/text_encoder/model.safetensors"}) {
            const auto a = loadSafetensors(unbroken + part).tensors, b = loadSafetensors(split + part).tensors;
            QCOMPARE(a.size(), b.size());
            for (const auto& [key, tensor] : a) QVERIFY2(torch::equal(tensor, b.at(key)), key.c_str());
        }
        // The text encoder learned too (the EMA moved away from its initialisation).
        ClipTextModel initial(config.textEncoder);
        initial.initializeRandom(config.train.seed + 1);
        const auto trained = loadSafetensors(unbroken + "/text_encoder/model.safetensors").tensors;
        const auto start = initial.stateDict();
        bool moved = false;
        for (const auto& [key, tensor] : start) moved = moved || !torch::equal(tensor, trained.at(key));
        QVERIFY(moved);

        DiffusionPipeline pipeline = DiffusionPipeline::load(unbroken);
        QVERIFY(pipeline.isTextToImage());
        QCOMPARE(readPromptList(unbroken + "/calibration_prompts.txt").size(), std::size_t(20));
        QCOMPARE(QString::fromStdString(readPromptList(unbroken + "/heldout_prompts.txt").at(7)),
                 QStringLiteral("a drawing of a sneaker"));
        test::CliResult run = test::runCli({"-q", "sample", "--model", QString::fromStdString(unbroken), "--prompt",
                                            "a photo of a bag", "--steps", "2", "--guidance", "2", "--num", "2", "--out",
                                            QString::fromStdString(root + "/grid.png")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        QVERIFY(test::errorOf([] {
                    TextToImageTrainConfig::fromJson(
                        R"({"unet": {}, "text_encoder": {}, "captions": {"class_names": ["bag"], "templates": ["a bag"]}})",
                        "t.json");
                }).contains("has no {}"));
        config.textEncoder.vocabSize = 100;
        QVERIFY(test::errorOf([&] { trainTextToImage(config, data, vaeFolder, tokenizer, root + "/x", false, torch::kCPU); })
                    .contains("vocab_size"));
    }

    void rejectsBadResumeAndConfigs() {
        const TrainConfig config = tinyTrainConfig();
        const std::string empty = (dir_.path() + "/none").toStdString();
        const QString noCheckpoint =
            test::errorOf([&] { trainDiffusionModel(config, smallData(), empty, TrainStart::resumed(), torch::kCPU); });
        QVERIFY2(noCheckpoint.contains(QString::fromStdString(empty + "/checkpoint")) && noCheckpoint.contains("--resume"),
                 qPrintable(noCheckpoint));
        QVERIFY(test::errorOf([] { TrainConfig::fromJson(R"({"model":{},"train":{"stepz":3}})", "t.json"); })
                    .contains("'train.stepz'"));
        QVERIFY(test::errorOf([] { TrainConfig::fromJson(R"({"train":{}})", "t.json"); }).contains("'model'"));
        TrainConfig noNull = config;
        noNull.model.numClassEmbeds = 10;
        noNull.model.nullClassLabel = 9;
        QVERIFY(test::errorOf([&] { trainDiffusionModel(noNull, smallData(), empty, TrainStart{}, torch::kCPU); })
                    .contains("null class"));
    }

    void warmStartBeginsFromAModelFolder() {
        // A longer run of a trained model: the live and the EMA weights start
        // from the folder's weights. With a learning rate too small to move any
        // weight, the written model must be the folder's model again, and not the
        // recipe's random start.
        const std::string root = (dir_.path() + "/warm").toStdString();
        TrainConfig config = tinyTrainConfig();
        config.train.steps = 2;
        trainDiffusionModel(config, smallData(), root + "/first", TrainStart{}, torch::kCPU);
        const std::string firstWeights = root + "/first/diffusion_pytorch_model.safetensors";
        const auto first = loadSafetensors(firstWeights).tensors;

        TrainConfig still = config;
        still.train.learningRate = 1e-30;
        still.train.steps = 1;
        still.train.checkpointEvery = 1;
        trainDiffusionModel(still, smallData(), root + "/warm", TrainStart::warmFrom(root + "/first"), torch::kCPU);
        trainDiffusionModel(still, smallData(), root + "/cold", TrainStart{}, torch::kCPU);
        const auto warm = loadSafetensors(root + "/warm/diffusion_pytorch_model.safetensors").tensors;
        const auto cold = loadSafetensors(root + "/cold/diffusion_pytorch_model.safetensors").tensors;
        QCOMPARE(warm.size(), first.size());
        double coldGap = 0;
        for (const auto& [name, tensor] : first) {
            QVERIFY2(torch::allclose(warm.at(name), tensor, 0, 1e-6), name.c_str());
            coldGap = std::max(coldGap, (cold.at(name) - tensor).abs().max().item<double>());
        }
        QVERIFY2(coldGap > 1e-3, qPrintable(QString("random start is %1 from the trained weights").arg(coldGap)));

        // The checkpoint says which weights it began from, and a resumed warm
        // start keeps saying so.
        auto initStamp = [&](const std::string& dir) {
            return TrainingCheckpoint(dir + "/checkpoint").state()["init_from"]["weights_stamp"];
        };
        QCOMPARE(QString::fromStdString(initStamp(root + "/warm").get<std::string>()),
                 QString::fromStdString(fileStamp(firstWeights)));
        still.train.steps = 2;
        const TrainResult resumed = trainDiffusionModel(still, smallData(), root + "/warm", TrainStart::resumed(), torch::kCPU);
        QCOMPARE(resumed.startStep, int64_t(1));
        QCOMPARE(QString::fromStdString(initStamp(root + "/warm").get<std::string>()),
                 QString::fromStdString(fileStamp(firstWeights)));
        QVERIFY(initStamp(root + "/cold").is_null());

        // Another architecture, a folder without a model, and both starts at once are refused.
        TrainConfig wider = config;
        wider.model.blockOutChannels = {8, 24};
        QVERIFY(test::errorOf([&] {
                    trainDiffusionModel(wider, smallData(), root + "/x", TrainStart::warmFrom(root + "/first"), torch::kCPU);
                }).contains("not the recipe's model"));
        QVERIFY(test::errorOf([&] {
                    trainDiffusionModel(config, smallData(), root + "/x", TrainStart::warmFrom(root), torch::kCPU);
                }).contains("no config.json"));
        // A config without its weights: the error names the option and the missing file, and says what to pass.
        std::filesystem::create_directories(root + "/configOnly");
        std::filesystem::copy_file(root + "/first/config.json", root + "/configOnly/config.json");
        const QString noWeights = test::errorOf([&] {
            trainDiffusionModel(config, smallData(), root + "/x", TrainStart::warmFrom(root + "/configOnly"), torch::kCPU);
        });
        QVERIFY2(noWeights.contains("--init-from") &&
                     noWeights.contains(QString::fromStdString(root + "/configOnly/diffusion_pytorch_model.safetensors")) &&
                     noWeights.contains("Pass a complete trained model folder"),
                 qPrintable(noWeights));
        QVERIFY(test::errorOf([&] {
                    trainDiffusionModel(config, smallData(), root + "/warm", TrainStart{true, root + "/first"},
                                        torch::kCPU);
                }).contains("pass only --resume"));
    }

    void evalWritesEveryMetric() {
        // A (briefly trained) tiny model and a freshly initialised feature network
        // exercise the whole eval path through the real CLI.
        const QString model = dir_.path() + "/evalmodel";
        TrainConfig config = tinyTrainConfig();
        config.train.steps = 2;
        trainDiffusionModel(config, smallData(), model.toStdString(), TrainStart{}, torch::kCPU);
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
