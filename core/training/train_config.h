#pragma once
// The recipe of `diffquant train`: the U-Net architecture, its noise schedule
// and the optimisation settings, read from one JSON file.
#include <algorithm>
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/model/unet_config.h"
#include "core/sampling/scheduler_config.h"

namespace dq {

struct TrainSettings {
    int64_t steps = 20000;
    int batchSize = 64;
    double learningRate = 2e-4;
    double weightDecay = 0.0;
    int warmupSteps = 500;       // linear learning-rate warm-up
    // After the warm-up: "constant", or "cosine" decay to minLrRatio x the
    // rate at the last step (a run that ends at a low rate needs no separate
    // annealing phase).
    std::string lrSchedule = "constant";
    double minLrRatio = 0.0;
    // "uniform" (plain epsilon MSE) or "min_snr": each sample's loss weighted by
    // min(SNR_t, gamma) / SNR_t (Hang et al. 2023), which stops the many
    // low-noise timesteps, whose epsilon targets are nearly unlearnable, from
    // dominating the gradient.
    std::string lossWeighting = "uniform";
    double minSnrGamma = 5.0;
    double gradClip = 1.0;       // max global L2 norm; 0 disables
    double emaDecay = 0.999;
    // When > 0, overrides emaDecay with 1 - 1/(emaHorizon x steps): the EMA
    // then averages over that fraction of the run, whatever its length.
    double emaHorizon = 0.0;
    double effectiveEmaDecay() const {
        return emaHorizon > 0 ? 1.0 - 1.0 / std::max(1.0, emaHorizon * static_cast<double>(steps)) : emaDecay;
    }
    // The learning rate at a step, warm-up and schedule included.
    double learningRateAt(int64_t step) const;
    double labelDropout = 0.1;   // share of labels replaced by the null class
    uint64_t seed = 0;
    int checkpointEvery = 1000;  // steps between checkpoints
    int logEvery = 50;
};

// The "train" object of a training config (`what` names the file); the
// conditioning dropout is read from `dropoutKey` (label_dropout for class
// labels, caption_dropout for captions). And its canonical JSON.
TrainSettings trainSettingsFromJson(const nlohmann::json& object, const std::string& what,
                                    const char* dropoutKey = "label_dropout");
std::string trainSettingsJson(const TrainSettings& settings, const char* dropoutKey = "label_dropout");

struct TrainConfig {
    UNetConfig model;
    SchedulerConfig scheduler;
    TrainSettings train;

    // {"model": {config.json keys}, "scheduler": {scheduler_config keys},
    //  "train": {steps, batch_size, learning_rate, weight_decay, warmup_steps,
    //            lr_schedule, min_lr_ratio, loss_weighting, min_snr_gamma,
    //            grad_clip, ema_decay, ema_horizon, label_dropout, seed,
    //            checkpoint_every, log_every}}
    static TrainConfig fromJson(const std::string& text, const std::string& source);
    std::string trainJson() const;
};

}  // namespace dq
