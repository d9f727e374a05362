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

torch::Tensor DiffusionPipeline::toImages(const torch::Tensor& samples, const QuantizedComponents* quantized) const {
    if (!text_) return samples;
    c10::InferenceMode inference;
    const AutoencoderKL& vae = quantized && quantized->vae ? *quantized->vae : text_->vae;
    return vae.decode(samples.to(vae.device()) / vae.config().scalingFactor);
}

PromptStates DiffusionPipeline::encodePrompts(const std::vector<std::string>& prompts,
                                              const std::string& negativePrompt, int clipSkip,
                                              const QuantizedComponents* quantized) const {
    if (!text_)
        throw Error("'" + folder_ + "' has no text encoder; prompts are for text-to-image pipelines (folders with "
                    "model_index.json).");
    if (prompts.empty()) throw Error("Give at least one prompt.");
    torch::NoGradGuard noGrad;  // ordinary tensors: calibration may learn through layers that read them
    const ClipTextModel* encoder = quantized ? quantized->textEncoder.get() : nullptr;
    return {text_->encodePrompts(prompts, clipSkip, encoder), text_->encodePrompts({negativePrompt}, clipSkip, encoder)};
}

QuantizedComponents DiffusionPipeline::quantizeComponents(const ComponentQuantOptions& options, bool mseSearch) const {
    if (!options.any()) return {};
    if (!text_)
        throw Error("'" + folder_ + "' has no text encoder or VAE to quantize; --text-encoder-bits and --vae-bits are "
                    "for text-to-image pipelines.");
    std::vector<QuantizedComponent> parts;
    if (options.textEncoderBits > 0)
        parts.push_back(quantizeComponent(kTextEncoderComponent, text_->textEncoder.stateDict(), options.textEncoderBits,
                                          mseSearch));
    if (options.vaeBits > 0) {
        // Generation runs only the decoder half (post_quant_conv, decoder.*); the encoder stays FP.
        std::map<std::string, torch::Tensor> decoder;
        for (const auto& [key, value] : text_->vae.stateDict())
            if (key.rfind("decoder.", 0) == 0 || key.rfind("post_quant_conv.", 0) == 0) decoder.emplace(key, value);
        parts.push_back(quantizeComponent(kVaeComponent, decoder, options.vaeBits, mseSearch));
    }
    return attachComponents(std::move(parts));
}

QuantizedComponents DiffusionPipeline::attachComponents(std::vector<QuantizedComponent> parts) const {
    QuantizedComponents out;
    if (parts.empty()) return out;
    if (!text_) throw Error("'" + folder_ + "' has no text encoder or VAE; its quantized components cannot be used.");
    torch::NoGradGuard noGrad;
    for (const QuantizedComponent& part : parts) {
        if (part.name == kTextEncoderComponent) {
            auto encoder = std::make_shared<ClipTextModel>(text_->textEncoder.config());
            encoder->loadStateDict(dequantizedStateDict(text_->textEncoder.stateDict(), part),
                                   "the quantized text encoder");
            encoder->to(text_->textEncoder.device());
            out.textEncoder = std::move(encoder);
        } else if (part.name == kVaeComponent) {
            auto vae = std::make_shared<AutoencoderKL>(text_->vae.config());
            vae->loadStateDict(dequantizedStateDict(text_->vae.stateDict(), part), "the quantized VAE");
            vae->to(text_->vae.device());
            out.vae = std::move(vae);
        } else {
            throw Error("Unknown pipeline component '" + part.name + "'; expected text_encoder or vae.");
        }
    }
    out.parts = std::move(parts);
    return out;
}

}  // namespace dq
