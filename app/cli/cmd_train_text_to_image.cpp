// diffquant train-t2i: trains the product's small text-to-image pipeline on
// Fashion-MNIST (U-Net and text encoder jointly, on a trained VAE's latents,
// from captions) and writes a Stable Diffusion pipeline folder.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/runtime/device.h"
#include "core/training/text_to_image_trainer.h"

namespace dq::cli {

namespace {
struct TrainTextToImageOptions {
    std::string dataDir;
    std::string config;
    std::string vae;
    std::string tokenizer;
    std::string out;
    std::string device = "auto";
    bool resume = false;
};

void run(const TrainTextToImageOptions& o) {
    const TextToImageTrainConfig config = TextToImageTrainConfig::fromJson(readTextFile(o.config), o.config);
    const ImageDataset data = loadFashionMnist(DatasetSplit::Train, o.dataDir, /*pad32=*/true);
    const torch::Device device = selectDevice(o.device);
    std::filesystem::create_directories(o.out);
    spdlog::info("Training a text-to-image pipeline on {} Fashion-MNIST images ({} captions) for {} steps of batch {} "
                 "into '{}'", data.images.size(0), config.captions.templates.size() * config.captions.classNames.size(),
                 config.train.steps, config.train.batchSize, o.out);
    ProgressBar bar("training");
    const TrainCallbacks callbacks = bar.trainingCallbacks();
    const TrainResult r = trainTextToImage(config, data, o.vae, o.tokenizer, o.out, o.resume, device, callbacks);
    spdlog::info("{}; pipeline written to '{}'", r.summary(), o.out);
}
}  // namespace

void addTrainTextToImageCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("train-t2i", "Train a small text-to-image pipeline (U-Net and text encoder) on "
                                                "Fashion-MNIST latents with captions");
    auto o = std::make_shared<TrainTextToImageOptions>();
    cmd->add_option("--data-dir", o->dataDir, "folder with the IDX files (default: Debian's dataset-fashion-mnist)");
    cmd->add_option("--config", o->config, "training config JSON (unet, text_encoder, scheduler, captions, train)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--vae", o->vae, "a trained VAE folder (diffquant train-vae)")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--tokenizer", o->tokenizer, "a tokenizer folder (diffquant train-tokenizer)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out", o->out, "pipeline folder to write (checkpoints in OUT/checkpoint)")->required();
    cmd->add_option("--device", o->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_flag("--resume", o->resume, "continue from OUT/checkpoint");
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
