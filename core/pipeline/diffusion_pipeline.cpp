#include "core/pipeline/diffusion_pipeline.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/model_folder.h"
#include "core/pipeline/text_to_image.h"

namespace dq {

DiffusionPipeline DiffusionPipeline::load(const std::string& folder) {
    if (isPipelineFolder(folder)) return DiffusionPipeline(TextToImagePipeline::load(folder));
    return DiffusionPipeline(loadModelFolder(folder), folder);
}

DiffusionPipeline::DiffusionPipeline(LoadedModel model, std::string folder)
    : pixel_(std::make_unique<LoadedModel>(std::move(model))), folder_(std::move(folder)) {}

DiffusionPipeline::DiffusionPipeline(TextToImagePipeline pipeline)
    : text_(std::make_unique<TextToImagePipeline>(std::move(pipeline))) {
    folder_ = text_->folder;
}

DiffusionPipeline::DiffusionPipeline(DiffusionPipeline&&) noexcept = default;
DiffusionPipeline& DiffusionPipeline::operator=(DiffusionPipeline&&) noexcept = default;
DiffusionPipeline::~DiffusionPipeline() = default;

Denoiser& DiffusionPipeline::denoiser() {
    if (text_) return text_->unet;
    return pixel_->unet;
}

const Denoiser& DiffusionPipeline::denoiser() const {
    if (text_) return text_->unet;
    return pixel_->unet;
}

const SchedulerConfig& DiffusionPipeline::scheduler() const { return text_ ? text_->scheduler : pixel_->scheduler; }

UNet2DModel* DiffusionPipeline::pixelModel() { return pixel_ ? &pixel_->unet : nullptr; }

TextToImagePipeline* DiffusionPipeline::textToImage() { return text_.get(); }

UNet2DModel& DiffusionPipeline::requirePixelModel(const std::string& what) {
    if (!pixel_)
        throw Error(what + " is not available for text-to-image pipelines yet; '" + folder_ +
                    "' is one. Use a UNet2DModel folder.");
    return pixel_->unet;
}

std::string denoiserWeightsFile(const std::string& folder) {
    return folder + (isPipelineFolder(folder) ? "/unet" : "") + "/diffusion_pytorch_model.safetensors";
}

std::string DiffusionPipeline::denoiserWeightsFile() const { return dq::denoiserWeightsFile(folder_); }

void DiffusionPipeline::to(const torch::Device& device) {
    if (text_) text_->to(device);
    else pixel_->unet.to(device);
}

torch::Tensor DiffusionPipeline::toImages(const torch::Tensor& samples) const {
    if (!text_) return samples;
    c10::InferenceMode inference;
    return text_->vae.decode(samples.to(text_->vae.device()) / text_->vae.config().scalingFactor);
}

PromptStates DiffusionPipeline::encodePrompts(const std::vector<std::string>& prompts,
                                              const std::string& negativePrompt, int clipSkip) const {
    if (!text_)
        throw Error("'" + folder_ + "' has no text encoder; prompts are for text-to-image pipelines (folders with "
                    "model_index.json).");
    if (prompts.empty()) throw Error("Give at least one prompt.");
    torch::NoGradGuard noGrad;  // ordinary tensors: calibration may learn through layers that read them
    return {text_->encodePrompts(prompts, clipSkip), text_->encodePrompts({negativePrompt}, clipSkip)};
}

}  // namespace dq
