#pragma once
// Trains a (class-conditional) UNet2DModel with the DDPM ε-prediction loss:
// AdamW, linear warm-up, gradient clipping, EMA weights, label dropout to the
// null class (for classifier-free guidance), checkpoints and resume.
#include <cstdint>
#include <functional>
#include <string>

#include <torch/types.h>

#include "core/io/fashion_mnist.h"
#include "core/training/train_config.h"

namespace dq {

struct TrainProgress {
    int64_t step = 0;   // steps done
    int64_t total = 0;
    double loss = 0;    // mean loss over the last log interval
    double imagesPerSecond = 0;
    double learningRate = 0;
};

struct TrainCallbacks {
    std::function<void(const TrainProgress&)> progress;  // every log_every steps
    std::function<bool()> cancelled;                      // polled every step
};

struct TrainResult {
    int64_t steps = 0;
    double finalLoss = 0;
    double seconds = 0;  // wall time of this run (not counting resumed runs)
};

// Trains on `data` (images in [-1,1], labels 0…K−1) and writes a diffusers
// model folder with the EMA weights to `outDir`, plus `outDir/checkpoint/`
// (raw and EMA weights, optimizer state, step) every checkpoint_every steps.
// With `resume`, continues from that checkpoint; batches depend only on the
// seed and the step, so a resumed run sees the same data as an unbroken one.
TrainResult trainDiffusionModel(const TrainConfig& config, const ImageDataset& data, const std::string& outDir,
                                bool resume, const torch::Device& device, const TrainCallbacks& callbacks = {});

}  // namespace dq
