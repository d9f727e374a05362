#pragma once
// What turns a sampler's output into images nominally in [-1, 1]: nothing for
// pixel-space models (an empty decoder), the VAE's decoder for latent
// pipelines. Measurements that judge images (comparisons, FID) take one, so
// they need not know which kind of model they measure.
#include <functional>

#include <torch/types.h>

namespace dq {

using ImageDecoder = std::function<torch::Tensor(const torch::Tensor&)>;

}  // namespace dq
