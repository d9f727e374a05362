#include "core/pipeline/random_pipeline.h"

#include <filesystem>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/autoencoder_kl.h"
#include "core/model/clip_text_model.h"
#include "core/model/unet2d_condition.h"
#include "core/model/unet_condition_config.h"
#include "core/pipeline/text_to_image.h"

namespace dq {

namespace fs = std::filesystem;

namespace {

// Writes the parts into `out`; returns the number of parameters written.
int64_t writeParts(const std::string& templateFolder, const std::string& out, uint64_t seed,
                   const UNetConditionConfig& unetSettings, const AutoencoderKLConfig& vaeSettings,
                   const ClipTextConfig& textSettings) {
    int64_t parameters = 0;
    fs::copy_file(templateFolder + "/model_index.json", out + "/model_index.json");
    fs::copy(templateFolder + "/scheduler", out + "/scheduler", fs::copy_options::recursive);
    fs::copy(templateFolder + "/tokenizer", out + "/tokenizer", fs::copy_options::recursive);
    // One network at a time, so that an SD-size pipeline needs the memory of
    // its largest part only.
    {
        UNet2DConditionModel unet(unetSettings);
        unet.initializeRandom(seed);
        fs::create_directories(out + "/unet");
        unet.save(out + "/unet");
        parameters += unet.parameterCount();
    }
    {
        AutoencoderKL vae(vaeSettings);
        vae.initializeRandom(seed + 1);
        fs::create_directories(out + "/vae");
        vae.save(out + "/vae");
        parameters += vae.parameterCount();
    }
    {
        ClipTextModel text(textSettings);
        text.initializeRandom(seed + 2);
        fs::create_directories(out + "/text_encoder");
        text.save(out + "/text_encoder");
        parameters += text.parameterCount();
    }
    // The folder must load as the pipeline it claims to be.
    TextToImagePipeline::load(out);
    return parameters;
}

}  // namespace

int64_t writeRandomPipeline(const std::string& templateFolder, const std::string& out, uint64_t seed) {
    if (!isPipelineFolder(templateFolder))
        throw Error("'" + templateFolder + "' has no model_index.json; a pipeline template is a pipeline folder's "
                    "configurations (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).");
    for (const char* part : {"unet/config.json", "vae/config.json", "text_encoder/config.json",
                             "scheduler/scheduler_config.json", "tokenizer/vocab.json", "tokenizer/merges.txt"})
        if (!fs::exists(templateFolder + "/" + part))
            throw Error("Pipeline template '" + templateFolder + "' lacks " + part + ".");
    if (fs::exists(out)) throw Error("'" + out + "' exists already; choose a new folder for the pipeline.");
    // Parse every configuration before writing anything.
    const std::string unetConfig = templateFolder + "/unet/config.json";
    const std::string vaeConfig = templateFolder + "/vae/config.json";
    const std::string textConfig = templateFolder + "/text_encoder/config.json";
    const UNetConditionConfig unetSettings = UNetConditionConfig::fromJson(readTextFile(unetConfig), unetConfig);
    const AutoencoderKLConfig vaeSettings = AutoencoderKLConfig::fromJson(readTextFile(vaeConfig), vaeConfig);
    const ClipTextConfig textSettings = ClipTextConfig::fromJson(readTextFile(textConfig), textConfig);

    fs::create_directories(out);
    // The folder is new: a failure part-way removes it rather than leave a
    // pipeline that lacks parts.
    try {
        return writeParts(templateFolder, out, seed, unetSettings, vaeSettings, textSettings);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(out, ignored);
        throw;
    }
}

}  // namespace dq
