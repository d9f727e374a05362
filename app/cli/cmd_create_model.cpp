// diffquant create-model: a randomly initialised model folder from a config
// (or a pipeline folder from a template of configs), for tests, benchmarks
// and as the starting point of training.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "core/io/atomic_file.h"
#include "core/model/model_folder.h"
#include "core/pipeline/random_pipeline.h"

namespace dq::cli {

void addCreateModelCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("create-model", "Write a randomly initialised UNet2DModel folder from a config.json, "
                                                   "or a text-to-image pipeline folder from a template folder");
    auto config = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto seed = std::make_shared<uint64_t>(0);
    cmd->add_option("--config", *config,
                    "UNet2DModel config.json, or a pipeline template: model_index.json, unet/, vae/ and text_encoder/ "
                    "config.json, scheduler/ and tokenizer/ (e.g. bench/configs/sd15)")
        ->required()
        ->check(CLI::ExistingPath);
    cmd->add_option("--out", *out, "folder to create")->required();
    cmd->add_option("--seed", *seed, "initialisation seed");
    cmd->callback([&action, config, out, seed] {
        action = [config, out, seed] {
            if (std::filesystem::is_directory(*config)) {
                const int64_t parameters = writeRandomPipeline(*config, *out, *seed);
                spdlog::info("Wrote pipeline '{}' ({} parameters)", *out, parameters);
                return;
            }
            UNet2DModel model(UNetConfig::fromJson(readTextFile(*config), *config));
            model.initializeRandom(*seed);
            std::filesystem::create_directories(*out);
            model.save(*out);
            saveSchedulerConfig(*out, SchedulerConfig{});
            spdlog::info("Wrote '{}' ({} parameters)", *out, model.parameterCount());
        };
    });
}

}  // namespace dq::cli
