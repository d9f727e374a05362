#include "core/model/model_folder.h"

#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/runtime/install_layout.h"

namespace dq {

namespace fs = std::filesystem;

LoadedModel loadModelFolder(const std::string& folder) {
    if (!fs::is_directory(folder))
        throw Error("Model folder '" + folder + "' does not exist; pass a diffusers UNet2DModel folder with --model.");
    UNet2DModel unet = UNet2DModel::load(folder);
    const std::string schedulerPath = folder + "/scheduler_config.json";
    SchedulerConfig scheduler;
    if (fs::exists(schedulerPath)) {
        scheduler = SchedulerConfig::fromJson(readTextFile(schedulerPath), schedulerPath);
    } else {
        spdlog::warn("'{}' has no scheduler_config.json; using diffusers' DDPM defaults (linear betas 1e-4..0.02, "
                     "1000 steps)", folder);
    }
    return LoadedModel{std::move(unet), scheduler};
}

std::string defaultModelFolder() {
    if (const char* env = std::getenv("DIFFQUANT_MODEL"); env && *env) return env;
    return shippedModelFolder(kShippedClassModel);
}

void saveSchedulerConfig(const std::string& folder, const SchedulerConfig& config) {
    writeTextFileAtomically(folder + "/scheduler_config.json", config.toJson());
}

}  // namespace dq
