#pragma once
// Trains a (class-conditional) UNet2DModel with the DDPM ε-prediction loss:
// AdamW, linear warm-up, gradient clipping, EMA weights, label dropout to the
// null class (for classifier-free guidance), checkpoints and resume.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <torch/types.h>

#include "core/io/fashion_mnist.h"
#include "core/training/training_progress.h"
#include "core/training/train_config.h"

namespace dq {

// Trains on `data` (images in [-1,1], labels 0…K−1) and writes a diffusers
// model folder with the EMA weights to `outDir`, plus `outDir/checkpoint/`
// (raw and EMA weights, optimizer state, step) every checkpoint_every steps.
// With `resume`, continues from that checkpoint; batches depend only on the
// seed and the step, so a resumed run sees the same data as an unbroken one.
// The ε-prediction loss of a batch: plain MSE, or min-SNR-γ weighted
// (settings.lossWeighting), with ᾱ per training timestep in `alphasCumprod`.
torch::Tensor epsilonLoss(const torch::Tensor& prediction, const torch::Tensor& noise, const torch::Tensor& t,
                          const torch::Tensor& alphasCumprod, const TrainSettings& settings);

// One EMA update of `ema` toward `live` (same keys) at `step`; short runs
// forget the random start quickly.
void updateEma(std::map<std::string, torch::Tensor>& ema, const std::map<std::string, torch::Tensor>& live,
               const TrainSettings& settings, int64_t step);

// Where a run's weights come from. By default, random weights from the
// recipe's seed. `resume` continues OUT/checkpoint. `initFrom` (a diffusers
// model folder with the same config.json as the recipe) warm-starts a new run
// from trained weights (the live and the EMA weights both start there, with a
// fresh optimizer): a longer run of a shipped model, or fine-tuning. The
// folder's content hash is recorded in the checkpoint; a resumed warm start
// needs only `resume`.
struct TrainStart {
    bool resume = false;
    std::string initFrom;

    static TrainStart resumed() { return {true, {}}; }
    static TrainStart warmFrom(std::string modelFolder) { return {false, std::move(modelFolder)}; }
};

TrainResult trainDiffusionModel(const TrainConfig& config, const ImageDataset& data, const std::string& outDir,
                                const TrainStart& start, const torch::Device& device,
                                const TrainCallbacks& callbacks = {});

}  // namespace dq
