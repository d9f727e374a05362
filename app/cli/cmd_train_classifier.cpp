// diffquant train-classifier: the Fashion-MNIST feature network for metrics.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli/value_checks.h"
#include "app/cli/commands.h"
#include "app/cli/progress_bar.h"
#include "core/metrics/feature_net.h"
#include "core/runtime/device.h"

namespace dq::cli {

void addTrainClassifierCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("train-classifier",
                                   "Train the Fashion-MNIST feature network used by FID, sFID, IS and class accuracy");
    auto out = std::make_shared<std::string>();
    auto dataDir = std::make_shared<std::string>();
    auto device = std::make_shared<std::string>("auto");
    auto settings = std::make_shared<ClassifierTraining>();
    cmd->add_option("--out", *out, "safetensors file to write (e.g. MODEL/feature_net.safetensors)")->required();
    cmd->add_option("--data-dir", *dataDir, "folder with the IDX files (default: Debian's dataset-fashion-mnist)");
    cmd->add_option("--epochs", settings->epochs, "training epochs")->check(positiveNumber());
    cmd->add_option("--seed", settings->seed, "random seed");
    auto recipe = std::make_shared<std::string>("robust");
    cmd->add_option("--recipe", *recipe,
                    "robust (default: shifts plus noise, brightness, background and 8-bit rounding, with feature "
                    "consistency) or shifts (the first network's recipe)")
        ->check(CLI::IsMember({"robust", "shifts"}));
    cmd->add_option("--consistency", settings->consistencyWeight,
                    "weight of the feature-consistency term of the robust recipe")
        ->check(rangeOf(0.0, 100.0));
    cmd->add_option("--max-noise", settings->augmentation.maxNoiseSigma,
                    "largest noise sigma of the robust recipe ([-1,1] units)")
        ->check(rangeOf(0.0, 1.0));
    cmd->add_option("--device", *device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([&action, out, dataDir, device, settings, recipe] {
        settings->augment = *recipe == "robust";
        action = [out, dataDir, device, settings] {
            ImageDataset train = loadFashionMnist(DatasetSplit::Train, *dataDir, true);
            ImageDataset test = loadFashionMnist(DatasetSplit::Test, *dataDir, true);
            const torch::Device dev = selectDevice(*device);
            FeatureNet net;
            ProgressBar bar("classifier");
            ProgressCallbacks callbacks;
            callbacks.progress = [&](int step, int total) { bar.update(step, total); };
            const double accuracy = trainFeatureNet(
                net, train, test, *settings, dev,
                [](int epoch, double loss, double acc) {
                    spdlog::info("epoch {}: loss {:.4f}, test accuracy {:.2f} %", epoch, loss, 100 * acc);
                },
                callbacks);
            saveFeatureNet(net, *out);
            spdlog::info("Wrote '{}' (test accuracy {:.2f} %); check it with `diffquant eval --robustness --features "
                         "{}`", *out, 100 * accuracy, *out);
        };
    });
}

}  // namespace dq::cli
