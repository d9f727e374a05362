#pragma once
// Choosing where tensors live: --device auto|cpu|cuda.
#include <string>

#include <torch/types.h>

namespace dq {

// "auto" picks CUDA when LibTorch sees a GPU, else the CPU. "cuda" without a
// GPU is an error that says so. Logs the choice.
torch::Device selectDevice(const std::string& request);

// Uses every logical CPU for intra-op parallelism unless OMP_NUM_THREADS is
// set. LibTorch counts physical cores, which leaves hyperthreads idle; on a
// 2-vCPU machine two threads train ~1.4x faster than one.
void configureCpuThreads();

}  // namespace dq
