#pragma once
// Choosing where tensors live: --device auto|cpu|cuda.
#include <string>

#include <torch/types.h>

namespace dq {

// "auto" picks CUDA when LibTorch sees a GPU, else the CPU. "cuda" without a
// GPU is an error that says so. Logs the choice.
torch::Device selectDevice(const std::string& request);

}  // namespace dq
