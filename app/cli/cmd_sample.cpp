// diffquant sample: generate a PNG grid (and optionally raw samples).
#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/value_checks.h"
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/output_set.h"
#include "core/validation/tensor_checks.h"
#include "core/explorer/comparison_run.h"
#include "core/imaging/comparison.h"
#include "core/imaging/image_grid.h"
#include "core/metrics/image_quality.h"
#include "core/io/safetensors.h"
#include "core/pipeline/text_to_image.h"
#include "core/runtime/device.h"
#include "core/sampling/pipeline.h"

namespace dq::cli {

namespace {

struct SampleOptions {
    QuantModelOptions model;
    bool compare = false;
    double amplify = 4.0;
    SamplerOptions sampler;
    int num = 16;
    int classLabel = -1;
    std::string noise;
    std::string out = "samples.png";
    std::string raw;
    int columns = 0;
    std::vector<std::string> prompts;  // text-to-image pipelines
    std::string negativePrompt;
    int clipSkip = 0;
};

// A Stable Diffusion pipeline folder: prompts in place of classes; --raw gets
// the decoded `sample` and the final `latents`.
void runTextToImage(const SampleOptions& o) {
    if (!o.model.quant.empty() || o.compare)
        throw Error("--quant and --compare do not support text-to-image pipelines yet; sample the FP pipeline.");
    if (o.classLabel >= 0) throw Error("--class is for class-conditional models; a pipeline takes --prompt.");
    if (o.prompts.empty()) throw Error("A text-to-image pipeline needs --prompt (repeat it for one prompt per image).");
    OutputSet outputs;
    const std::string pngPath = outputs.stage(o.out);
    const std::string rawPath = o.raw.empty() ? std::string() : outputs.stage(o.raw);
    TextToImagePipeline pipeline = TextToImagePipeline::load(o.model.model.folder);
    pipeline.to(selectDevice(o.model.model.device));
    TextToImageRequest request;
    request.prompts = o.prompts;
    request.negativePrompt = o.negativePrompt;
    request.clipSkip = o.clipSkip;
    request.images = o.prompts.size() > 1 ? static_cast<int>(o.prompts.size()) : o.num;
    request.sampling = o.sampler.toRequest(pipeline.scheduler);
    if (!o.noise.empty()) {
        TensorFile noise = loadSafetensors(o.noise);
        request.sampling.initialNoise = noise.at("noise", o.noise);
        requireFinite(request.sampling.initialNoise, "Tensor 'noise' in '" + o.noise + "'", "pass finite latents");
    }
    spdlog::info("Generating {} images from {} prompt(s): {} {} steps, guidance {}, seed {}",
                 request.sampling.initialNoise.defined() ? request.sampling.initialNoise.size(0) : request.images,
                 o.prompts.size(), o.sampler.scheduler, request.sampling.steps, request.sampling.guidanceScale,
                 request.sampling.seed);
    const auto start = std::chrono::steady_clock::now();
    ProgressBar bar("sampling");
    SampleCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    const TextToImageResult result = generateImages(pipeline, request, callbacks);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    requireFinite(result.images, "The decoded images", "nothing was written; check the pipeline's weights");
    writePng(pngPath, makeGrid(toUnitRange(result.images.to(torch::kCPU)), o.columns));
    if (!o.raw.empty())
        saveSafetensors(rawPath, {{"sample", result.images.to(torch::kCPU)}, {"latents", result.latents.to(torch::kCPU)},
                                  {"noise", result.initialNoise}});
    outputs.commit();
    spdlog::info("Wrote '{}' in {:.1f} s", o.out, seconds);
}

void run(const SampleOptions& o) {
    if (!o.model.model.folder.empty() && isPipelineFolder(o.model.model.folder)) return runTextToImage(o);
    if (!o.prompts.empty()) throw Error("--prompt needs a text-to-image pipeline folder (with model_index.json) as --model.");
    ModelSession session = o.model.load();
    LoadedModel& loaded = session.loaded;
    if (o.compare && !session.quantized) throw Error("--compare needs a quantized model (--quant QMODEL).");
    // Both outputs appear together or not at all; a bad --raw path fails now, before sampling.
    OutputSet outputs;
    const std::string pngPath = outputs.stage(o.out);
    const std::string rawPath = o.raw.empty() ? std::string() : outputs.stage(o.raw);
    SampleRequest request = o.sampler.toRequest(loaded.scheduler);
    request.batch = o.num;
    if (!o.noise.empty()) {
        TensorFile noise = loadSafetensors(o.noise);
        request.initialNoise = noise.at("noise", o.noise);
        requireFinite(request.initialNoise, "Tensor 'noise' in '" + o.noise + "'", "pass noise without NaN or Inf values");
        if (auto it = noise.tensors.find("noise_class_labels"); it != noise.tensors.end())
            request.classLabels = it->second;
    }
    if (o.classLabel >= 0) {
        const int classes = realClassCount(loaded.unet);
        if (classes == 0)
            throw Error(loaded.unet.config().isClassConditional()
                            ? "--class needs a model with a class embedding table (num_class_embeds); this one embeds "
                              "class values like timesteps, pass them with --noise's noise_class_labels."
                            : "--class was given, but the model is not class-conditional.");
        if (o.classLabel >= classes)
            throw Error("--class " + std::to_string(o.classLabel) + " is outside [0, " + std::to_string(classes - 1) +
                        "] for this model.");
        request.classLabels = torch::full({1}, o.classLabel, torch::kInt64);
    }
    spdlog::info("Sampling {} images: {} {} steps ({} spacing), eta {}, seed {}, guidance {}",
                 request.initialNoise.defined() ? request.initialNoise.size(0) : request.batch, o.sampler.scheduler,
                 request.steps, spacingName(request.spacing), request.eta, request.seed, request.guidanceScale);

    const auto start = std::chrono::steady_clock::now();
    ProgressBar bar(o.compare ? "sampling FP + quantized" : "sampling");
    ComparisonCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    // --compare: FP first, then the quantized model from the same noise and classes.
    const ComparisonRun run = o.compare
        ? runComparison(loaded.unet, loaded.scheduler, session.quantized.get(), request, false, callbacks)
        : ComparisonRun{};
    SampleResult result;
    if (o.compare) {
        result = run.quantized->result;
    } else {
        loaded.unet.setInterceptor(session.quantized.get());
        SampleCallbacks plain;
        plain.progress = callbacks.progress;
        result = runSampler(loaded.unet, loaded.scheduler, request, plain);
        loaded.unet.setInterceptor(nullptr);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (o.compare) {
        const torch::Tensor a = toUnitRange(run.fp.result.samples.to(torch::kCPU));
        const torch::Tensor b = toUnitRange(result.samples.to(torch::kCPU));
        writePng(pngPath, makeComparisonImage(a, b, o.amplify, o.columns));
        const PairedMetrics& m = run.paired;
        std::printf("FP vs quantized over %lld images: PSNR %.2f dB, SSIM %.4f, MSE %.6f\n",
                    static_cast<long long>(a.size(0)), m.psnr, m.ssim, m.mse);
        spdlog::info("Wrote '{}' (FP | quantized | |difference| x{}) in {:.1f} s", o.out, o.amplify, seconds);
    } else {
        writePng(pngPath, makeGrid(toUnitRange(result.samples), o.columns));
        spdlog::info("Wrote '{}' in {:.1f} s", o.out, seconds);
    }
    if (!o.raw.empty()) {
        std::map<std::string, torch::Tensor> raw{{"sample", result.samples.to(torch::kCPU)},
                                                 {"noise", result.initialNoise}};
        if (result.classLabels.defined()) raw.emplace("class_labels", result.classLabels);
        saveSafetensors(rawPath, raw);
    }
    outputs.commit();
    if (!o.raw.empty()) spdlog::info("Wrote raw samples to '{}'", o.raw);
}

}  // namespace

void addSampleCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("sample", "Generate images (class-conditional models, or text-to-image pipelines "
                                             "with --prompt) and save a PNG grid");
    auto o = std::make_shared<SampleOptions>();
    o->model.add(*cmd);
    o->sampler.add(*cmd);
    cmd->add_option("--num", o->num, "number of images")->check(rangeOf(1, 100000));
    cmd->add_option("--class", o->classLabel, "class label for every image (default: mixed classes)")
        ->check(nonNegativeNumber());
    cmd->add_option("--noise", o->noise, "safetensors with initial 'noise' [B,C,H,W] (and 'noise_class_labels'); latents for a pipeline");
    cmd->add_option("--prompt", o->prompts, "text-to-image pipelines: the prompt (repeat it for one prompt per image)");
    cmd->add_option("--negative-prompt", o->negativePrompt, "text-to-image pipelines: the unconditional text of guidance");
    cmd->add_option("--clip-skip", o->clipSkip, "text-to-image pipelines: skip this many final text-encoder layers")
        ->check(CLI::Range(0, 64));
    cmd->add_option("--out", o->out, "PNG grid to write");
    cmd->add_option("--raw", o->raw, "also write model-space samples (key 'sample'; pipelines: also 'latents') to this "
                                     "safetensors file");
    cmd->add_option("--columns", o->columns, "grid columns (0: square, the default)")->check(rangeOf(0, 10000));
    cmd->add_flag("--compare", o->compare,
                  "with --quant: write FP | quantized | amplified |difference| from the same noise and classes");
    cmd->add_option("--amplify", o->amplify, "difference amplification of --compare")->check(rangeOf(0.001, 1000000));
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
