#include "core/engine/prompt_evaluation.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/pipeline/prompt_list.h"
#include "core/pipeline/text_to_image.h"

namespace dq {

namespace {
// The "prompts" array of a calibration record, or empty.
std::vector<std::string> recordedPrompts(const std::string& calibrationRecord) {
    if (calibrationRecord.empty()) return {};
    const nlohmann::json record = nlohmann::json::parse(calibrationRecord, nullptr, false);
    if (!record.is_object()) return {};
    const auto it = record.find("prompts");
    if (it == record.end() || !it->is_array()) return {};
    std::vector<std::string> prompts;
    for (const nlohmann::json& p : *it)
        if (p.is_string()) prompts.push_back(p.get<std::string>());
    return prompts;
}
}  // namespace

std::vector<PromptSet> qdiffbenchPromptSets(const DiffusionPipeline& model, const std::string& calibrationRecord) {
    if (!model.isTextToImage())
        throw Error("Prompt sets are for text-to-image pipelines; '" + model.folder() + "' is not one.");
    std::vector<PromptSet> sets;
    if (std::vector<std::string> recorded = recordedPrompts(calibrationRecord); !recorded.empty()) {
        sets.push_back({"calibration", "the quantized model's calibration record", std::move(recorded)});
    } else if (const std::string file = defaultPromptListFile(model.folder()); !file.empty()) {
        sets.push_back({"calibration", file, readPromptList(file)});
    }
    if (const std::string file = heldOutPromptListFile(model.folder()); !file.empty())
        sets.push_back({"held-out", file, readPromptList(file)});
    if (sets.empty())
        throw Error("'" + model.folder() + "' has neither calibration_prompts.txt nor heldout_prompts.txt to evaluate "
                    "on; give prompts with --prompt or --prompts-file.");
    return sets;
}

void conditionOnPrompts(EvalSettings& settings, const DiffusionPipeline& model, const std::vector<std::string>& prompts,
                        const std::string& negativePrompt, int clipSkip, const QuantizedComponents* quantized) {
    if (prompts.empty()) throw Error("Evaluating a text-to-image pipeline needs at least one prompt.");
    settings.prompts = model.encodePrompts(prompts, negativePrompt, clipSkip);
    settings.promptClasses.clear();
    const std::vector<std::string> classNames = readClassNames(model.folder());
    if (!classNames.empty())
        for (const std::string& prompt : prompts) settings.promptClasses.push_back(promptClass(prompt, classNames));
    const DiffusionPipeline* decoder = &model;
    settings.decode = [decoder](const torch::Tensor& latents) { return decoder->toImages(latents); };
    settings.quantizedPrompts = {};
    settings.quantizedDecode = {};
    if (quantized && quantized->textEncoder)
        settings.quantizedPrompts = model.encodePrompts(prompts, negativePrompt, clipSkip, quantized);
    if (quantized && quantized->vae)
        settings.quantizedDecode = [decoder, quantized](const torch::Tensor& latents) {
            return decoder->toImages(latents, quantized);
        };
}

std::string referenceStatsFolder(const std::string& modelFolder, const std::string& featureNetPath) {
    if (!isPipelineFolder(modelFolder)) return modelFolder;
    const std::string parent = std::filesystem::path(featureNetPath).parent_path().string();
    return parent.empty() ? std::string(".") : parent;
}

}  // namespace dq
