#pragma once
// A diffusers model folder: the U-Net plus its scheduler_config.json, and
// where the product finds its default (shipped) model.
#include <string>

#include "core/model/unet2d.h"
#include "core/sampling/scheduler_config.h"

namespace dq {

struct LoadedModel {
    UNet2DModel unet;
    SchedulerConfig scheduler;
};

// Loads config.json, diffusion_pytorch_model.safetensors and
// scheduler_config.json (diffusers' DDPM defaults, with a warning, when absent).
LoadedModel loadModelFolder(const std::string& folder);

// The folder used when no --model is given: $DIFFQUANT_MODEL, else the
// shipped model under dataDirectory() (installed beside the executable, or the
// source tree's copy for a binary in a build tree). Empty when none exists.
std::string defaultModelFolder();

// Writes scheduler_config.json atomically.
void saveSchedulerConfig(const std::string& folder, const SchedulerConfig& config);

}  // namespace dq
