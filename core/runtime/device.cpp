#include "core/runtime/device.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

torch::Device selectDevice(const std::string& request) {
    const bool cudaAvailable = torch::cuda::is_available();
    if (request == "cpu" || (request == "auto" && !cudaAvailable)) {
        spdlog::info("Device: CPU ({} threads){}", at::get_num_threads(),
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
