#include "core/model/denoiser_folder.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/unet2d.h"
#include "core/model/unet2d_condition.h"
#include "core/validation/bounded_json.h"

namespace dq {

std::string denoiserClassName(const std::string& folder) {
    const std::string path = folder + "/config.json";
    const nlohmann::json root = parseBoundedJson(readTextFile(path), "Model config '" + path + "'");
    auto it = root.find("_class_name");
    if (it == root.end() || it->is_null()) return {};
    if (!it->is_string()) throw Error("Model config '" + path + "': key '_class_name' must be a string.");
    return it->get<std::string>();
}

std::unique_ptr<Denoiser> loadDenoiser(const std::string& folder) {
    if (!std::filesystem::is_directory(folder))
        throw Error("Model folder '" + folder + "' does not exist; pass a diffusers UNet2DModel or "
                    "UNet2DConditionModel folder with --model.");
    const std::string name = denoiserClassName(folder);
    if (name.empty() || name == "UNet2DModel") return std::make_unique<UNet2DModel>(UNet2DModel::load(folder));
    if (name == "UNet2DConditionModel")
        return std::make_unique<UNet2DConditionModel>(UNet2DConditionModel::load(folder));
    throw Error("Model config '" + folder + "/config.json' describes a " + name +
                "; supported: UNet2DModel and UNet2DConditionModel.");
}

}  // namespace dq
