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
#include "core/model/denoiser.h"
#include "core/model/model_state_guard.h"
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
    PromptOptions prompts;  // text-to-image pipelines
};

void run(const SampleOptions& o) {
    ModelSession session = o.model.load();
    DiffusionPipeline& loaded = session.loaded;
    Denoiser& model = loaded.denoiser();
    const bool text = loaded.isTextToImage();
    if (o.compare && !session.quantized) throw Error("--compare needs a quantized model (--quant QMODEL).");
    // Both outputs appear together or not at all; a bad --raw path fails now, before sampling.
    OutputSet outputs;
    const std::string pngPath = outputs.stage(o.out);
    const std::string rawPath = o.raw.empty() ? std::string() : outputs.stage(o.raw);
    SampleRequest request = o.sampler.toRequest(loaded.scheduler());
    request.batch = o.num;
    if (!o.noise.empty()) {
        TensorFile noise = loadSafetensors(o.noise);
        request.initialNoise = noise.at("noise", o.noise);
        requireFinite(request.initialNoise, "Tensor 'noise' in '" + o.noise + "'", "pass noise without NaN or Inf values");
        if (auto it = noise.tensors.find("noise_class_labels"); it != noise.tensors.end() && !text)
            request.classLabels = it->second;
    }
    QuantizedRunInputs quantizedInputs;  // a quantized text encoder's states and VAE, when the artifact has them
    if (text) {
        // Prompts in place of classes: one for all images, or one per image.
        if (o.classLabel >= 0) throw Error("--class is for class-conditional models; a pipeline takes --prompt.");
        const std::vector<std::string> prompts = o.prompts.resolve();
        if (prompts.size() > 1 && !request.initialNoise.defined()) request.batch = static_cast<int>(prompts.size());
        const int64_t images = request.initialNoise.defined() ? request.initialNoise.size(0) : request.batch;
        if (prompts.size() > 1 && int64_t(prompts.size()) != images)
            throw Error("Got " + std::to_string(prompts.size()) + " prompts for " + std::to_string(images) +
                        " images; give one prompt, or one per image.");
        request = o.prompts.condition(loaded, request, static_cast<int>(images));
        if (session.quantized)
            quantizedInputs = quantizedRunInputs(loaded, &session.quantized->components(), prompts, o.prompts.negative,
                                                 o.prompts.clipSkip, static_cast<int>(images));
    } else {
        request = o.prompts.condition(loaded, request, o.num);  // rejects prompts for this model
    }
    if (o.classLabel >= 0) {
        const int classes = realClassCount(model);
        if (classes == 0)
            throw Error(model.conditioningSpec().kind == ConditioningKind::ClassLabels
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
    const ImageDecoder decode = [&](const torch::Tensor& samples) { return loaded.toImages(samples); };
    // --compare: FP first, then the quantized model from the same noise and conditions.
    const ComparisonRun run = o.compare
        ? runComparison(model, loaded.scheduler(), session.quantized.get(), request, false, callbacks, decode,
                        quantizedInputs)
        : ComparisonRun{};
    SampleResult result;
    torch::Tensor images;
    if (o.compare) {
        result = run.quantized->result;
        images = run.quantized->images;
    } else {
        ModelStateGuard guard(model);
        model.setInterceptor(session.quantized.get());
        SampleCallbacks plain;
        plain.progress = callbacks.progress;
        result = runSampler(model, loaded.scheduler(), quantizedInputs.applyTo(request), plain);
        images = (quantizedInputs.decode ? quantizedInputs.decode(result.samples) : loaded.toImages(result.samples))
                     .to(torch::kCPU);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    requireFinite(images, "The generated images", "nothing was written; check the model's weights");

    if (o.compare) {
        const torch::Tensor a = toUnitRange(run.fp.images);
        const torch::Tensor b = toUnitRange(images);
        writePng(pngPath, makeComparisonImage(a, b, o.amplify, o.columns));
        const PairedMetrics& m = run.paired;
        std::printf("FP vs quantized over %lld images: PSNR %.2f dB, SSIM %.4f, MSE %.6f\n",
                    static_cast<long long>(a.size(0)), m.psnr, m.ssim, m.mse);
        spdlog::info("Wrote '{}' (FP | quantized | |difference| x{}) in {:.1f} s", o.out, o.amplify, seconds);
    } else {
        writePng(pngPath, makeGrid(toUnitRange(images), o.columns));
        spdlog::info("Wrote '{}' in {:.1f} s", o.out, seconds);
    }
    if (!o.raw.empty()) {
        // Pixel models: 'sample' is the model-space sample. Pipelines: the
        // decoded image, with the final 'latents' beside it.
        std::map<std::string, torch::Tensor> raw{{"sample", images}, {"noise", result.initialNoise}};
        if (text) raw.emplace("latents", result.samples.to(torch::kCPU));
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
    o->prompts.add(*cmd, "(one for every image, or one per image)");
    cmd->add_option("--out", o->out, "PNG grid to write");
    cmd->add_option("--raw", o->raw, "also write model-space samples (key 'sample'; pipelines: also 'latents') to this "
                                     "safetensors file");
    cmd->add_option("--columns", o->columns, "grid columns (0: square, the default)")->check(rangeOf(0, 10000));
    cmd->add_flag("--compare", o->compare,
                  "with --quant: write FP | quantized | amplified |difference| from the same noise and classes or prompts");
    cmd->add_option("--amplify", o->amplify, "difference amplification of --compare")->check(rangeOf(0.001, 1000000));
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
