#pragma once
// The input checks every denoiser's forward pass makes, with one wording:
// the sample's shape against the network's channels and downsampling, and
// timesteps given as a scalar or one per sample.
#include <cstdint>
#include <string>

#include <torch/types.h>

namespace dq {

std::string tensorShapeText(at::IntArrayRef shape);

// sample [B, channels, H, W] with H and W positive multiples of `factor` and B > 0.
void checkSampleShape(const torch::Tensor& sample, int64_t channels, int64_t factor);

// Timesteps as a [batch] tensor on `device` (a scalar is expanded).
torch::Tensor timestepsForBatch(const torch::Tensor& timesteps, int64_t batch, const torch::Device& device);

}  // namespace dq
