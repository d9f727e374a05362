#include "core/pipeline/text_to_image.h"

#include <filesystem>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/denoiser_folder.h"
#include "core/validation/bounded_json.h"

namespace dq {

namespace fs = std::filesystem;

bool isPipelineFolder(const std::string& folder) { return fs::exists(folder + "/model_index.json"); }

TextToImagePipeline TextToImagePipeline::load(const std::string& folder) {
    const std::string index = folder + "/model_index.json";
    if (!fs::exists(index)) throw Error("'" + folder + "' has no model_index.json; it is not a pipeline folder.");
    const nlohmann::json root = parseBoundedJson(readTextFile(index), "Pipeline index '" + index + "'");
    if (auto it = root.find("_class_name"); it != root.end() && it->is_string() &&
                                             *it != "StableDiffusionPipeline")
        throw Error("'" + index + "' describes a " + it->get<std::string>() +
                    "; supported: StableDiffusionPipeline (text to image).");
    std::string missing;
    for (const char* part : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"})
        if (!fs::is_directory(folder + "/" + part)) missing += (missing.empty() ? "" : ", ") + std::string(part) + "/";
    if (!missing.empty()) throw Error("Pipeline folder '" + folder + "' lacks " + missing + ".");
    if (denoiserClassName(folder + "/unet") != "UNet2DConditionModel")
        throw Error("'" + folder + "/unet' is not a UNet2DConditionModel.");
    const std::string schedulerPath = folder + "/scheduler/scheduler_config.json";
    TextToImagePipeline p{ClipTokenizer::load(folder + "/tokenizer"), ClipTextModel::load(folder + "/text_encoder"),
                          UNet2DConditionModel::load(folder + "/unet"), AutoencoderKL::load(folder + "/vae"),
                          SchedulerConfig::fromJson(readTextFile(schedulerPath), schedulerPath), folder};
    if (p.tokenizer.maxLength() > p.textEncoder.config().maxPositions)
        throw Error("The tokenizer pads to " + std::to_string(p.tokenizer.maxLength()) +
                    " tokens but the text encoder takes at most " + std::to_string(p.textEncoder.config().maxPositions) + ".");
    if (p.textEncoder.config().hiddenSize != p.unet.config().crossAttentionDim)
        throw Error("The text encoder's hidden_size (" + std::to_string(p.textEncoder.config().hiddenSize) +
                    ") differs from the U-Net's cross_attention_dim (" + std::to_string(p.unet.config().crossAttentionDim) + ").");
    if (p.vae.config().latentChannels != p.unet.config().inChannels)
        throw Error("The VAE's latent_channels differ from the U-Net's in_channels.");
    return p;
}

void TextToImagePipeline::to(const torch::Device& device) {
    textEncoder.to(device);
    unet.to(device);
    vae.to(device);
}

torch::Tensor TextToImagePipeline::encodePrompts(const std::vector<std::string>& prompts, int clipSkip,
                                                const ClipTextModel* encoder) const {
    std::vector<torch::Tensor> rows;
    for (const std::string& prompt : prompts) rows.push_back(torch::tensor(tokenizer.tokenize(prompt), torch::kInt64));
    return (encoder ? *encoder : textEncoder).forward(torch::stack(rows), clipSkip);
}

TextToImageResult generateImages(TextToImagePipeline& pipeline, const TextToImageRequest& request,
                                 const SampleCallbacks& callbacks) {
    c10::InferenceMode inference;
    if (request.prompts.empty()) throw Error("Give at least one prompt.");
    const int64_t images = request.sampling.initialNoise.defined() ? request.sampling.initialNoise.size(0) : request.images;
    if (request.prompts.size() != 1 && int64_t(request.prompts.size()) != images)
        throw Error("Got " + std::to_string(request.prompts.size()) + " prompts for " + std::to_string(images) +
                    " images; give one prompt, or one per image.");
    SampleRequest sampling = request.sampling;
    sampling.batch = static_cast<int>(images);
    sampling.conditioning = Conditioning::encoderStates(pipeline.encodePrompts(request.prompts, request.clipSkip));
    if (sampling.guidanceScale != 1.0)
        sampling.unconditional =
            Conditioning::encoderStates(pipeline.encodePrompts({request.negativePrompt}, request.clipSkip));
    const SampleResult result = runSampler(pipeline.unet, pipeline.scheduler, sampling, callbacks);
    TextToImageResult out;
    out.latents = result.samples;
    out.initialNoise = result.initialNoise;
    out.images = pipeline.vae.decode(result.samples / pipeline.vae.config().scalingFactor);
    return out;
}

}  // namespace dq
