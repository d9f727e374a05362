#pragma once
// Trains an AutoencoderKL (Stable Diffusion's VAE layout) on images, for the
// latent space of a small text-to-image pipeline: reconstruction MSE of a
// sample from the posterior plus a small KL term toward N(0, I) (Stable
// Diffusion adds a perceptual and an adversarial loss, which a 32×32
// grey-scale corpus does not need), AdamW with a linear warm-up, resumable
// checkpoints. At the end the latent scaling factor is set, as SD's was, to
// 1 / std of the latent means, so the diffusion model sees unit-variance
// latents.
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "core/io/fashion_mnist.h"
#include "core/model/autoencoder_kl.h"
#include "core/training/diffusion_trainer.h"

namespace dq {

struct AutoencoderTrainSettings {
    int64_t steps = 3000;
    int batchSize = 64;
    double learningRate = 1e-3;
    int warmupSteps = 100;
    double klWeight = 1e-4;  // per latent element, against the per-pixel MSE
    uint64_t seed = 0;
    int checkpointEvery = 500;
    int logEvery = 50;
};

struct AutoencoderTrainConfig {
    AutoencoderKLConfig model;
    AutoencoderTrainSettings train;
    // {"model": {AutoencoderKL config.json keys}, "train": {steps, batch_size,
    //  learning_rate, warmup_steps, kl_weight, seed, checkpoint_every, log_every}}
    static AutoencoderTrainConfig fromJson(const std::string& text, const std::string& source);
    std::string trainJson() const;
};

struct AutoencoderTrainResult : TrainResult {
    double reconstructionMse = 0;  // of the latent means' decoding, on held-out images, in [-1, 1] units
    double scalingFactor = 0;
};

// Trains on `train` and writes an AutoencoderKL folder (config.json with the
// measured scaling_factor, diffusion_pytorch_model.safetensors) to `outDir`,
// checkpointing to `outDir/checkpoint/`; `test` measures the reconstruction.
AutoencoderTrainResult trainAutoencoder(const AutoencoderTrainConfig& config, const ImageDataset& train,
                                        const ImageDataset& test, const std::string& outDir, bool resume,
                                        const torch::Device& device, const TrainCallbacks& callbacks = {});

}  // namespace dq
