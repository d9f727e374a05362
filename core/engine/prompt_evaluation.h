#pragma once
// Evaluating a text-to-image pipeline: which prompts it is scored on, and how
// its samples become the images the feature network scores. QDiffBench (PCR)
// scores a quantized model separately on the prompts it was calibrated on and
// on prompts outside them, because calibration can fit its own prompts and
// generalise badly; both front ends get their prompt sets from here.
#include <string>
#include <vector>

#include "core/metrics/evaluation.h"

namespace dq {

class DiffusionPipeline;
struct QuantizedComponents;

struct PromptSet {
    std::string name;    // "calibration", "held-out" or "given"
    std::string source;  // where the prompts came from, for reports
    std::vector<std::string> prompts;
};

// QDiffBench's two sets for `model`: the calibration prompts recorded in
// `calibrationRecord` (an artifact's calibration JSON; may be empty), else the
// pipeline's calibration_prompts.txt; and its heldout_prompts.txt. A set whose
// source is missing is left out; an error names both files when neither exists.
std::vector<PromptSet> qdiffbenchPromptSets(const DiffusionPipeline& model, const std::string& calibrationRecord);

// Makes `settings` sample the pipeline on `prompts` (sample s on prompt s mod
// P, guided against `negativePrompt`), ask each sample for the class its
// prompt names (class_names.txt beside the pipeline) and score the VAE's
// decoding of the latents. The decoder refers to `model`, which must outlive
// the evaluation.
// With `quantized` holding a quantized text encoder or VAE, the quantized
// pass encodes and decodes with those.
void conditionOnPrompts(EvalSettings& settings, const DiffusionPipeline& model, const std::vector<std::string>& prompts,
                        const std::string& negativePrompt = {}, int clipSkip = 0,
                        const QuantizedComponents* quantized = nullptr);

// Where the reference statistics for the model in `modelFolder` under the
// feature network at `featureNetPath` are cached: a pixel model's own folder
// (as shipped), or for a pipeline the feature network's folder, since the
// statistics depend on the network and the data only.
std::string referenceStatsFolder(const std::string& modelFolder, const std::string& featureNetPath);

}  // namespace dq
