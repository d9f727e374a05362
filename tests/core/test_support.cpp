#include "tests/core/test_support.h"

#include <filesystem>

#include <QProcess>

#include "core/io/atomic_file.h"
#include "core/model/model_folder.h"

namespace dq::test {

CliResult runCli(const QStringList& args, int timeoutMs) {
    QProcess process;
    process.start(DQ_CLI_PATH, args);
    if (!process.waitForFinished(timeoutMs)) return {-1, {}, "timeout"};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

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
