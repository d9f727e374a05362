#pragma once
// A loaded model of either kind, as the engine session and the front ends
// hold it: a pixel-space UNet2DModel folder (class labels or nothing as its
// condition, images = samples) or a Stable Diffusion pipeline folder (prompts
// through the tokenizer and text encoder as its condition, images = the VAE's
// decoding of the latents). Everything that quantizes or measures works on
// denoiser() and scheduler(); only conditions and images differ by kind.
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/conditioning.h"
#include "core/quant/component_quantization.h"
#include "core/sampling/scheduler_config.h"

namespace dq {

class Denoiser;
class UNet2DModel;
struct LoadedModel;
struct TextToImagePipeline;

class DiffusionPipeline {
public:
    // A folder with model_index.json is a text-to-image pipeline; any other
    // is a UNet2DModel folder. Missing or unsupported parts are named.
    static DiffusionPipeline load(const std::string& folder);
    explicit DiffusionPipeline(LoadedModel model, std::string folder);
    explicit DiffusionPipeline(TextToImagePipeline pipeline);
    DiffusionPipeline(DiffusionPipeline&&) noexcept;
    DiffusionPipeline& operator=(DiffusionPipeline&&) noexcept;
    ~DiffusionPipeline();

    const std::string& folder() const { return folder_; }
    Denoiser& denoiser();
    const Denoiser& denoiser() const;
    const SchedulerConfig& scheduler() const;

    bool isTextToImage() const { return text_ != nullptr; }
    // The concrete model of each kind; null for the other kind.
    UNet2DModel* pixelModel();
    TextToImagePipeline* textToImage();
    // The pixel model, or an error saying that `what` needs one.
    UNet2DModel& requirePixelModel(const std::string& what);

    // The denoiser's weights file, whose content hash stamps calibration data
    // and artifacts.
    std::string denoiserWeightsFile() const;
    void to(const torch::Device& device);

    // Samples in the denoiser's space → images nominally in [-1, 1]: the
    // samples themselves, or the VAE's decoding of latents / scaling_factor.
    // With `quantized`, its VAE (when it quantized one) decodes.
    torch::Tensor toImages(const torch::Tensor& samples, const QuantizedComponents* quantized = nullptr) const;

    // The text encoder's states for each prompt and for the negative prompt
    // (`clipSkip` final layers skipped); an error for models without a text
    // encoder. With `quantized`, its text encoder (when it quantized one) encodes.
    PromptStates encodePrompts(const std::vector<std::string>& prompts, const std::string& negativePrompt = {},
                               int clipSkip = 0, const QuantizedComponents* quantized = nullptr) const;

    // Weight-only quantization of the text encoder and/or the VAE (options'
    // bits > 0), with MSE-searched or min/max ranges; an error for pixel
    // models when asked for.
    QuantizedComponents quantizeComponents(const ComponentQuantOptions& options, bool mseSearch) const;
    // The quantized copies for integer weights made earlier (an artifact's);
    // an error naming the component when they do not fit this pipeline.
    QuantizedComponents attachComponents(std::vector<QuantizedComponent> parts) const;

private:
    std::unique_ptr<LoadedModel> pixel_;
    std::unique_ptr<TextToImagePipeline> text_;
    std::string folder_;
};

// The weights file of the denoiser in `folder` (a model or pipeline folder).
std::string denoiserWeightsFile(const std::string& folder);

}  // namespace dq
