#include "core/runtime/device.h"

#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/runtime/runtime_info.h"

namespace dq {

void configureCpuThreads() {
    if (const char* env = std::getenv("OMP_NUM_THREADS"); env && *env) return;
    const unsigned logical = std::thread::hardware_concurrency();
    if (logical > 0 && static_cast<int>(logical) > at::get_num_threads()) at::set_num_threads(static_cast<int>(logical));
}

torch::Device selectDevice(const std::string& request) {
    const bool cudaAvailable = torch::cuda::is_available();
    if (request == "cpu" || (request == "auto" && !cudaAvailable)) {
        // Naming the BLAS makes a slow setup (the reference BLAS) visible.
        spdlog::info("Device: CPU ({} threads, BLAS: {}){}", at::get_num_threads(), detectBlas().name,
                     request == "auto" ? ", no CUDA GPU visible to LibTorch" : "");
        return torch::Device(torch::kCPU);
    }
    if (request == "cuda" || request == "auto") {
        if (!cudaAvailable)
            throw Error("--device cuda was requested, but this LibTorch build sees no CUDA GPU; use --device cpu or auto.");
        spdlog::info("Device: CUDA ({} GPU(s) visible)", torch::cuda::device_count());
        return torch::Device(torch::kCUDA, 0);
    }
    throw Error("Unknown device '" + request + "'; use auto, cpu or cuda.");
}

}  // namespace dq
