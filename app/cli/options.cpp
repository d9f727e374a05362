#include "app/cli/options.h"

#include "app/cli/value_checks.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/denoiser.h"
#include "core/model/model_folder.h"
#include "core/pipeline/prompt_list.h"
#include "core/quant/quant_artifact.h"
#include "core/runtime/device.h"

namespace dq::cli {

void ModelOptions::add(CLI::App& command) {
    command.add_option("--model", folder, "diffusers model folder: a UNet2DModel (default: the shipped model) or a "
                                          "Stable Diffusion pipeline (a folder with model_index.json)");
    command.add_option("--device", device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

std::string ModelOptions::resolvedFolder() const {
    if (!folder.empty()) return folder;
    std::string fallback = defaultModelFolder();
    if (fallback.empty())
        throw Error("No --model was given and no default model is installed; pass --model DIR or set DIFFQUANT_MODEL.");
    return fallback;
}

void SamplerOptions::add(CLI::App& command) {
    command.add_option("--scheduler", scheduler, "ddim, ddpm, pndm (PLMS), euler or dpmpp2m (DPM-Solver++ 2M)")
        ->check(CLI::IsMember({"ddim", "ddpm", "pndm", "euler", "dpmpp2m"}));
    command.add_option("--steps", steps, "number of sampling steps")->check(positiveNumber());
    command.add_option("--eta", eta, "DDIM eta (0: deterministic)")->check(rangeOf(0, 1));
    command.add_option("--spacing", spacing, "leading, trailing, linspace or quad (default: scheduler_config)")
        ->check(CLI::IsMember({"leading", "trailing", "linspace", "quad"}));
    command.add_option("--guidance", guidance, "classifier-free guidance scale (1: none)")->check(rangeOf(-1000, 1000));
    command.add_option("--seed", seed, "random seed");
}

SampleRequest SamplerOptions::toRequest(const SchedulerConfig& config) const {
    SampleRequest request;
    request.sampler = parseSamplerKind(scheduler);
    request.spacing = spacing.empty() ? config.spacing : parseSpacing(spacing);
    request.steps = steps;
    request.eta = eta;
    request.guidanceScale = guidance;
    request.seed = seed;
    return request;
}

void QuantModelOptions::add(CLI::App& command) {
    model.add(command);
    command.add_option("--quant", quant, "quantized model made by `diffquant calibrate`");
}

ModelSession QuantModelOptions::load() const {
    if (quant.empty()) {
        const std::string folder = model.resolvedFolder();
        return ModelSession{model.load(), nullptr, folder, {}};
    }
    LoadedQuantizedModel q = loadQuantizedModel(quant, model.folder);
    const torch::Device dev = selectDevice(model.device);
    q.fp.to(dev);
    q.quantized.to(dev);
    spdlog::info("Loaded quantized model '{}' ({}, {:.1f} KiB) over '{}'", quant, q.quantized.plan().preset,
                 q.sizes.artifactBytes / 1024.0, q.fpFolder);
    return ModelSession{std::move(q.fp), std::make_unique<QuantizedUNet>(std::move(q.quantized)), q.fpFolder,
                        q.calibrationJson};
}

DiffusionPipeline ModelOptions::load() const {
    const std::string path = resolvedFolder();
    DiffusionPipeline loaded = DiffusionPipeline::load(path);  // validate the input before anything else
    const torch::Device dev = selectDevice(device);
    loaded.to(dev);
    spdlog::info("Loaded '{}' ({:.2f} M denoiser parameters)", path, loaded.denoiser().parameterCount() / 1e6);
    return loaded;
}

void PromptOptions::add(CLI::App& command, const std::string& purpose) {
    command.add_option("--prompt", prompts, "text-to-image pipelines: a prompt " + purpose + " (repeat it for more)");
    command.add_option("--prompts-file", file, "text-to-image pipelines: a UTF-8 file of prompts " + purpose +
                                                   ", one per line");
    command.add_option("--negative-prompt", negative, "text-to-image pipelines: the unconditional text of guidance "
                                                      "(default: empty)");
    command.add_option("--clip-skip", clipSkip, "text-to-image pipelines: skip this many final text-encoder layers")
        ->check(CLI::Range(0, 64));
}

std::vector<std::string> PromptOptions::resolve(const std::string& fallbackFile) const {
    std::vector<std::string> all = prompts;
    if (!file.empty())
        for (std::string& p : readPromptList(file)) all.push_back(std::move(p));
    if (all.empty() && !fallbackFile.empty()) all = readPromptList(fallbackFile);
    return all;
}

SampleRequest PromptOptions::condition(const DiffusionPipeline& model, const SampleRequest& request, int count) const {
    if (!model.isTextToImage()) {
        if (given() || !negative.empty() || clipSkip != 0)
            throw Error("--prompt, --prompts-file and --negative-prompt need a text-to-image pipeline folder (with "
                        "model_index.json) as --model.");
        return request;
    }
    const std::vector<std::string> list = resolve();
    if (list.empty()) throw Error("A text-to-image pipeline needs --prompt or --prompts-file.");
    return withPrompts(request, model.encodePrompts(list, negative, clipSkip), 0, count);
}

void PlanOptions::add(CLI::App& cmd) {
    cmd.add_option("--preset", preset, "W8A8, W4A8, W4A16, W8A16 or FP")
        ->check(CLI::IsMember({"FP", "W8A8", "W4A8", "W4A16", "W8A16"}));
    cmd.add_option("--plan", planPath, "quantization plan JSON (overrides --preset and its options)");
    cmd.add_option("--method", method, "range method: minmax, mse, percentile or running")
        ->check(CLI::IsMember({"minmax", "mse", "percentile", "running"}));
    cmd.add_flag("--split", split,
                 "split quantization of the decoder's cat(h, skip) inputs: the shortcut conv, which receives the raw "
                 "concatenation (Q-Diffusion)");
    cmd.add_flag("--split-conv1", splitConv1, "with --split: split conv1's input as well (it sees the concatenation after "
                                              "GroupNorm and SiLU)");
    cmd.add_option("--softmax-bits", softmaxBits,
                   "width of the attention probabilities (default: the activation width; 16 for text-to-image pipelines)")
        ->check(rangeOf(2, 16));
    cmd.add_option("--first-last", firstLast, "conv_in/conv_out: same, 8 or fp")->check(CLI::IsMember({"same", "8", "fp"}));
    cmd.add_flag("--per-step", perStep, "one activation grid per sampling step (PCR)");
}

PlanRecipe PlanOptions::recipe() const {
    PlanRecipe r;
    r.preset = preset;
    r.options.rangeMethod = parseRangeMethod(method);
    r.options.splitShortcuts = split || splitConv1;
    r.options.splitScope = splitConv1 ? SplitScope::ShortcutAndConv1 : SplitScope::Shortcut;
    r.options.softmaxBits = softmaxBits;
    r.options.firstLast = firstLast == "8"    ? FirstLastPolicy::EightBit
                          : firstLast == "fp" ? FirstLastPolicy::FullPrecision
                                              : FirstLastPolicy::SameAsRest;
    r.options.perStepActivation = perStep;
    return r;
}

QuantPlan PlanOptions::resolve(const QuantSession& session, int samplingSteps, const PlanRecipe* relaxed) const {
    if (!planPath.empty()) {
        QuantPlan plan = QuantPlan::fromJson(readTextFile(planPath), planPath);
        plan.validateAgainst(session.model().denoiser().sites(), planPath);
        return plan;
    }
    return session.makePlan(relaxed ? *relaxed : recipe(), samplingSteps);
}

void CalibrationDataOptions::add(CLI::App& cmd) {
    cmd.add_option("--timesteps", timesteps, "calibration timesteps: uniform (Q-Diffusion) or normal (PTQ4DM)")
        ->check(CLI::IsMember({"uniform", "normal"}));
    cmd.add_option("--cali-st", caliSteps, "timesteps per trajectory")->check(positiveNumber());
    cmd.add_option("--cali-n", caliSamples, "trajectories (samples)")->check(positiveNumber());
    cmd.add_option("--normal-mean", normalMean, "NDTC mean as a fraction of T");
    cmd.add_option("--normal-std", normalStd, "NDTC std as a fraction of T")->check(positiveNumber());
    cmd.add_option("--cali-data", file, "calibration data file: reused when it matches, else written");
    prompts.add(cmd, "to calibrate on (default: the pipeline's calibration_prompts.txt)");
}

CalibrationDataSettings CalibrationDataOptions::settings(const DiffusionPipeline& model,
                                                         const SampleRequest& trajectory) const {
    CalibrationDataSettings s;
    s.selection = parseTimestepSelection(timesteps);
    s.steps = caliSteps;
    s.samples = caliSamples;
    s.normalMean = normalMean;
    s.normalStd = normalStd;
    s.trajectory = trajectory;
    if (model.isTextToImage()) {
        s.prompts = prompts.resolve(defaultPromptListFile(model.folder()));
        if (s.prompts.empty())
            throw Error("'" + model.folder() + "' has no calibration_prompts.txt; give calibration prompts with --prompt "
                        "or --prompts-file.");
        s.negativePrompt = prompts.negative;
        s.clipSkip = prompts.clipSkip;
    } else if (prompts.given() || !prompts.negative.empty() || prompts.clipSkip != 0) {
        throw Error("--prompt, --prompts-file and --negative-prompt are for text-to-image pipelines; '" + model.folder() +
                    "' is not one.");
    }
    return s;
}

}  // namespace dq::cli
