#include "core/runtime/runtime_info.h"

#include <dlfcn.h>
#include <link.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace dq {

namespace {

std::vector<std::string> loadedLibraries() {
    std::vector<std::string> paths;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            if (info->dlpi_name && *info->dlpi_name)
                static_cast<std::vector<std::string>*>(data)->push_back(info->dlpi_name);
            return 0;
        },
        &paths);
    return paths;
}

std::string resolved(const std::string& path) {
    std::error_code ec;
    const auto canonical = std::filesystem::canonical(path, ec);
    return ec ? path : canonical.string();
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// OpenBLAS reports its version and build through openblas_get_config().
std::string openBlasConfig() {
    using ConfigFn = char* (*)();
    auto fn = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    if (!fn) return {};
    const char* text = fn();
    return text ? std::string(text) : std::string();
}

}  // namespace

BlasInfo classifyBlasLibrary(const std::string& real, const std::string& config) {
    BlasInfo info;
    info.library = real;
    if (contains(real, "openblas")) {
        const char* flavour = contains(real, "openblas-pthread")  ? " (pthread)"
                              : contains(real, "openblas-openmp") ? " (OpenMP)"
                              : contains(real, "openblas-serial") ? " (serial, one thread)"
                                                                  : "";
        const std::string version =
            config.rfind("OpenBLAS ", 0) == 0 ? config.substr(0, config.find(' ', 9)) : std::string("OpenBLAS");
        info.name = version + flavour;
    } else if (contains(real, "blis")) {
        info.name = "BLIS";
    } else if (contains(real, "atlas")) {
        info.name = "ATLAS";
    } else if (contains(real, "mkl")) {
        info.name = "Intel MKL";
    } else if (contains(real, "/blas/")) {
        info.name = "reference BLAS (netlib)";
        info.slow = true;
    } else {
        info.name = "unknown BLAS";
    }
    return info;
}

BlasInfo detectBlas() {
    // libblas.so.3 (the Debian alternative LibTorch links) decides; a
    // directly loaded OpenBLAS, BLIS or MKL counts when it is absent.
    std::string chosen;
    for (const std::string& path : loadedLibraries()) {
        const std::string file = std::filesystem::path(path).filename().string();
        const bool generic = file.rfind("libblas.so", 0) == 0;
        const bool specific = file.rfind("libopenblas", 0) == 0 || file.rfind("libmkl", 0) == 0 ||
                              file.rfind("libblis", 0) == 0;
        if (generic) {
            chosen = resolved(path);
            break;
        }
        if (specific && chosen.empty()) chosen = resolved(path);
    }
    if (chosen.empty()) {
        BlasInfo info;
        info.name = at::globalContext().hasMKL() ? "Intel MKL (linked into LibTorch)" : "none found";
        return info;
    }
    return classifyBlasLibrary(chosen, openBlasConfig());
}

std::string versionReport(const std::string& program) {
    std::ostringstream out;
    out << program << " " << DQ_VERSION << "\n";
    out << "LibTorch " << TORCH_VERSION << "\n";
    if (torch::cuda::is_available())
        out << "CUDA: available, " << torch::cuda::device_count() << " GPU(s)\n";
    else
        out << "CUDA: not available (" << (at::hasCUDA() ? "no GPU visible" : "CPU-only LibTorch build") << ")\n";
    const BlasInfo blas = detectBlas();
    out << "BLAS: " << blas.name;
    if (!blas.library.empty()) out << " (" << blas.library << ")";
    if (blas.slow) out << " -- slow; install libopenblas0-pthread";
    out << "\n";
    std::string text = out.str();
    text.pop_back();  // the caller adds the final newline
    return text;
}

void logRuntimeInfo() {
    const BlasInfo blas = detectBlas();
    spdlog::debug("LibTorch {}, BLAS: {}{}", TORCH_VERSION, blas.name,
                  blas.library.empty() ? std::string() : " (" + blas.library + ")");
    if (blas.slow)
        spdlog::warn("LibTorch is using the reference BLAS ({}), which makes matrix products ~60x slower; install "
                     "libopenblas0-pthread (apt install libopenblas0-pthread) to fix it.",
                     blas.library);
}

}  // namespace dq
