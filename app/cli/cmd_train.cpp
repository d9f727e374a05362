// diffquant train: trains a diffusers-format UNet2DModel on Fashion-MNIST.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/runtime/device.h"
#include "core/training/diffusion_trainer.h"

namespace dq::cli {

namespace {
struct TrainOptions {
    std::string data = "fashion-mnist";
    std::string dataDir;
    std::string config;
    std::string out;
    std::string device = "auto";
    bool resume = false;
    std::string initFrom;
};

void run(const TrainOptions& o) {
    const TrainConfig config = TrainConfig::fromJson(readTextFile(o.config), o.config);
    if (config.model.sampleSize != 32 && config.model.sampleSize != 28)
        throw Error("Fashion-MNIST images are 28x28 (or 32x32 padded); set sample_size to 28 or 32 in '" + o.config + "'.");
    ImageDataset data = loadFashionMnist(DatasetSplit::Train, o.dataDir, config.model.sampleSize == 32);
    const torch::Device device = selectDevice(o.device);
    std::filesystem::create_directories(o.out);
    spdlog::info("Training on {} Fashion-MNIST images for {} steps of batch {} into '{}'", data.images.size(0),
                 config.train.steps, config.train.batchSize, o.out);
    ProgressBar bar("training");
    TrainCallbacks callbacks = bar.trainingCallbacks();
    const auto draw = callbacks.progress;
    callbacks.progress = [&](const TrainProgress& p) {
        draw(p);
        spdlog::debug("step {} loss {:.5f} {:.1f} img/s", p.step, p.loss, p.imagesPerSecond);
    };
    TrainResult r = trainDiffusionModel(config, data, o.out, TrainStart{o.resume, o.initFrom}, device, callbacks);
    spdlog::info("{}; EMA model written to '{}'", r.summary(), o.out);
}
}  // namespace

void addTrainCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("train", "Train a class-conditional diffusion U-Net on Fashion-MNIST");
    auto o = std::make_shared<TrainOptions>();
    cmd->add_option("--data", o->data, "training data set")->check(CLI::IsMember({"fashion-mnist"}));
    cmd->add_option("--data-dir", o->dataDir, "folder with the IDX files (default: Debian's dataset-fashion-mnist)");
    cmd->add_option("--config", o->config, "training config JSON (model, scheduler, train)")->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", o->out, "model folder to write (checkpoints in OUT/checkpoint)")->required();
    cmd->add_option("--device", o->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_flag("--resume", o->resume, "continue from OUT/checkpoint");
    cmd->add_option("--init-from", o->initFrom,
                    "start from the weights of this model folder (same config) instead of random weights, e.g. to "
                    "train a shipped model longer")
        ->check(CLI::ExistingDirectory);
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
