#pragma once
// A Stable Diffusion 1.x/2.x pipeline folder, as diffusers lays it out
// (model_index.json, tokenizer/, text_encoder/, unet/, vae/, scheduler/), and
// its generation: prompts → tokenizer → text encoder → the denoising loop of
// runSampler with classifier-free guidance ([negative; prompt]) → VAE decode
// of latents / scaling_factor. Everything that samples, calibrates or
// measures a denoiser works on its U-Net through the same loop.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/autoencoder_kl.h"
#include "core/model/clip_text_model.h"
#include "core/model/unet2d_condition.h"
#include "core/sampling/pipeline.h"
#include "core/sampling/scheduler_config.h"
#include "core/text/clip_tokenizer.h"

namespace dq {

// Whether `folder` is a pipeline folder (it has model_index.json).
bool isPipelineFolder(const std::string& folder);

struct TextToImagePipeline {
    ClipTokenizer tokenizer;
    ClipTextModel textEncoder;
    UNet2DConditionModel unet;
    AutoencoderKL vae;
    SchedulerConfig scheduler;
    std::string folder;

    // Loads every component; a missing or unsupported one is named.
    static TextToImagePipeline load(const std::string& folder);
    void to(const torch::Device& device);

    // The text encoder's states for each prompt [N, tokens, D] (77 tokens for
    // SD's tokenizer); `encoder` replaces the pipeline's own (a quantized copy).
    torch::Tensor encodePrompts(const std::vector<std::string>& prompts, int clipSkip = 0,
                                const ClipTextModel* encoder = nullptr) const;
};

struct TextToImageRequest {
    std::vector<std::string> prompts;  // one per image, or one for all
    std::string negativePrompt;        // the unconditional text (empty: "")
    int images = 1;
    int clipSkip = 0;
    SampleRequest sampling;            // sampler, steps, spacing, guidance, seed, initial latents
};

struct TextToImageResult {
    torch::Tensor images;   // decoded [N, 3, H, W], nominally in [-1, 1]
    torch::Tensor latents;  // the final latents, in the pipeline's scaled space
    torch::Tensor initialNoise;
};

TextToImageResult generateImages(TextToImagePipeline& pipeline, const TextToImageRequest& request,
                                 const SampleCallbacks& callbacks = {});

}  // namespace dq
