#pragma once
// Trains the product's own small text-to-image pipeline: a UNet2DConditionModel
// on the latents of a trained VAE, conditioned through cross-attention on a
// CLIP-architecture text encoder that is trained jointly with it, from
// captions made of templates and class names ("a photo of a sneaker"). The
// result is a Stable Diffusion pipeline folder (model_index.json, unet/,
// text_encoder/, tokenizer/, vae/, scheduler/) that every part of the product
// opens like any other, plus its caption lists: calibration_prompts.txt (the
// training captions) and heldout_prompts.txt (templates never trained on,
// QDiffBench's prompts outside the calibration set).
//
// Training is the DDPM ε-prediction loss (optionally min-SNR weighted), AdamW
// over both networks with the diffusion trainer's schedule, EMA weights,
// caption dropout to the empty caption (for classifier-free guidance), and
// resumable checkpoints.
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/io/fashion_mnist.h"
#include "core/model/clip_text_model.h"
#include "core/model/unet_condition_config.h"
#include "core/sampling/scheduler_config.h"
#include "core/training/diffusion_trainer.h"
#include "core/training/train_config.h"

namespace dq {

struct CaptionSettings {
    std::vector<std::string> classNames;        // per label
    std::vector<std::string> templates;         // trained on; "{}" stands for the class name
    std::vector<std::string> heldOutTemplates;  // never trained on

    // Every template with every class name, template-major.
    std::vector<std::string> captions(const std::vector<std::string>& templates) const;
};

struct TextToImageTrainConfig {
    UNetConditionConfig unet;
    ClipTextConfig textEncoder;
    SchedulerConfig scheduler;
    CaptionSettings captions;
    TrainSettings train;  // labelDropout is the caption dropout ("caption_dropout")

    // {"unet": {UNet2DConditionModel config}, "text_encoder": {CLIPTextModel
    //  config}, "scheduler": {scheduler config}, "captions": {"class_names",
    //  "templates", "held_out_templates"}, "train": {… as `diffquant train`,
    //  with caption_dropout in place of label_dropout}}
    static TextToImageTrainConfig fromJson(const std::string& text, const std::string& source);
    std::string trainJson() const;
};

// Trains on `data` (images in [-1, 1] of the VAE's size, labels indexing the
// class names) and writes the pipeline folder `outDir` (EMA weights; the
// tokenizer and VAE folders copied in), checkpointing to `outDir/checkpoint/`.
TrainResult trainTextToImage(const TextToImageTrainConfig& config, const ImageDataset& data,
                             const std::string& vaeFolder, const std::string& tokenizerFolder,
                             const std::string& outDir, bool resume, const torch::Device& device,
                             const TrainCallbacks& callbacks = {});

}  // namespace dq
