#pragma once
// Loading and saving tensors in the safetensors format.
#include <map>
#include <string>

#include <torch/types.h>

namespace dq {

struct TensorFile {
    std::map<std::string, torch::Tensor> tensors;
    std::map<std::string, std::string> metadata;

    // Returns the tensor or throws dq::Error naming `source` and the key.
    const torch::Tensor& at(const std::string& key, const std::string& source) const;
};

// Maps the file and validates its header before creating any tensor. Tensors
// whose data is suitably aligned share the mapping (zero copy); the rest are
// copied. Throws dq::Error naming the file and tensor on any problem.
TensorFile loadSafetensors(const std::string& path);

// Writes atomically. Tensors are made contiguous and moved to the CPU first;
// supported dtypes: float64/32/16, bfloat16, int64/32/16/8, uint8, bool.
void saveSafetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

}  // namespace dq
