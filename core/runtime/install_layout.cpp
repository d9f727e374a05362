#include "core/runtime/install_layout.h"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace dq {

namespace fs = std::filesystem;

std::string executablePath() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.string();
}

std::string dataDirectoryFor(const std::string& executable) {
    if (executable.empty()) return {};
    std::error_code ec;
    const fs::path binDir = fs::path(executable).parent_path();

    // Installed layout: <prefix>/bin/<exe> and <prefix>/share/diffquant-studio.
    const fs::path installed = binDir.parent_path() / "share" / "diffquant-studio";
    if (fs::is_directory(installed, ec)) return installed.lexically_normal().string();

    // Build tree: executables sit at most three levels below the marker
    // (build/app/cli/diffquant, build/tests/gui/dq_gui_tests).
    fs::path dir = binDir;
    for (int level = 0; level < 4 && !dir.empty(); ++level) {
        const fs::path marker = dir / kBuildTreeMarker;
        if (fs::is_regular_file(marker, ec)) {
            std::ifstream in(marker);
            std::string resources;
            std::getline(in, resources);
            if (!resources.empty() && fs::is_directory(resources, ec)) return resources;
            return {};
        }
        if (dir == dir.parent_path()) break;
        dir = dir.parent_path();
    }
    return {};
}

std::string dataDirectory() { return dataDirectoryFor(executablePath()); }

std::string shippedModelFolder(const std::string& name) {
    const std::string data = dataDirectory();
    if (data.empty()) return {};
    const std::filesystem::path folder = std::filesystem::path(data) / "models" / name;
    // A UNet2DModel folder has config.json, a pipeline folder model_index.json.
    return std::filesystem::exists(folder / "config.json") || std::filesystem::exists(folder / "model_index.json")
               ? folder.string()
               : std::string();
}

}  // namespace dq
