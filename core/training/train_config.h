#pragma once
// The recipe of `diffquant train`: the U-Net architecture, its noise schedule
// and the optimisation settings, read from one JSON file.
#include <cstdint>
#include <string>

#include "core/model/unet_config.h"
#include "core/sampling/scheduler_config.h"

namespace dq {

struct TrainSettings {
    int64_t steps = 20000;
    int batchSize = 64;
    double learningRate = 2e-4;
    double weightDecay = 0.0;
    int warmupSteps = 500;       // linear learning-rate warm-up
    double gradClip = 1.0;       // max global L2 norm; 0 disables
    double emaDecay = 0.999;
    double labelDropout = 0.1;   // share of labels replaced by the null class
    uint64_t seed = 0;
    int checkpointEvery = 1000;  // steps between checkpoints
    int logEvery = 50;
};

struct TrainConfig {
    UNetConfig model;
    SchedulerConfig scheduler;
    TrainSettings train;

    // {"model": {config.json keys}, "scheduler": {scheduler_config keys},
    //  "train": {steps, batch_size, learning_rate, weight_decay, warmup_steps,
    //            grad_clip, ema_decay, label_dropout, seed, checkpoint_every, log_every}}
    static TrainConfig fromJson(const std::string& text, const std::string& source);
    std::string trainJson() const;
};

}  // namespace dq
