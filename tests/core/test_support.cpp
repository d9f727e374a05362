#include "tests/core/test_support.h"

#include <filesystem>

#include "core/io/atomic_file.h"
#include "core/model/model_folder.h"

namespace dq::test {

std::string dataDir() { return DQ_TEST_DATA_DIR; }

UNetConfig tinyConfig() {
    const std::string path = dataDir() + "/tiny_unet_config.json";
    return UNetConfig::fromJson(readTextFile(path), path);
}

void writeModelFolder(const std::string& dir, const UNetConfig& config, uint64_t seed) {
    std::filesystem::create_directories(dir);
    UNet2DModel model(config);
    model.initializeRandom(seed);
    model.save(dir);
    saveSchedulerConfig(dir, SchedulerConfig{});
}

}  // namespace dq::test
