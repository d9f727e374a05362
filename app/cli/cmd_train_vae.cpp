// diffquant train-vae: trains an AutoencoderKL on Fashion-MNIST, the latent
// space of the product's own small text-to-image pipeline.
#include <cmath>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/runtime/device.h"
#include "core/training/autoencoder_trainer.h"

namespace dq::cli {

namespace {
struct TrainVaeOptions {
    std::string dataDir;
    std::string config;
    std::string out;
    std::string device = "auto";
    bool resume = false;
};

void run(const TrainVaeOptions& o) {
    const AutoencoderTrainConfig config = AutoencoderTrainConfig::fromJson(readTextFile(o.config), o.config);
    if (config.model.sampleSize != 32 && config.model.sampleSize != 28)
        throw Error("Fashion-MNIST images are 28x28 (or 32x32 padded); set sample_size to 28 or 32 in '" + o.config + "'.");
    if (config.model.inChannels != 1 || config.model.outChannels != 1)
        throw Error("Fashion-MNIST images have one channel; set in_channels and out_channels to 1 in '" + o.config + "'.");
    const bool pad = config.model.sampleSize == 32;
    const ImageDataset train = loadFashionMnist(DatasetSplit::Train, o.dataDir, pad);
    const ImageDataset test = loadFashionMnist(DatasetSplit::Test, o.dataDir, pad);
    const torch::Device device = selectDevice(o.device);
    std::filesystem::create_directories(o.out);
    spdlog::info("Training a VAE on {} Fashion-MNIST images for {} steps of batch {} into '{}'", train.images.size(0),
                 config.train.steps, config.train.batchSize, o.out);
    ProgressBar bar("training");
    const TrainCallbacks callbacks = bar.trainingCallbacks();
    const AutoencoderTrainResult r = trainAutoencoder(config, train, test, o.out, o.resume, device, callbacks);
    spdlog::info("{}; held-out reconstruction MSE {:.5f} (PSNR {:.1f} dB on [-1, 1]); latent scaling factor {:.4f}; "
                 "written to '{}'", r.summary(), r.reconstructionMse, 10 * std::log10(4.0 / r.reconstructionMse),
                 r.scalingFactor, o.out);
}
}  // namespace

void addTrainVaeCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("train-vae", "Train a VAE (AutoencoderKL) on Fashion-MNIST for a latent pipeline");
    auto o = std::make_shared<TrainVaeOptions>();
    cmd->add_option("--data-dir", o->dataDir, "folder with the IDX files (default: Debian's dataset-fashion-mnist)");
    cmd->add_option("--config", o->config, "training config JSON (model: AutoencoderKL config, train)")->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", o->out, "VAE folder to write (checkpoints in OUT/checkpoint)")->required();
    cmd->add_option("--device", o->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_flag("--resume", o->resume, "continue from OUT/checkpoint");
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
