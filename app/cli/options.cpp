#include "app/cli/options.h"

#include "app/cli/value_checks.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/quant/quant_artifact.h"
#include "core/runtime/device.h"

namespace dq::cli {

void ModelOptions::add(CLI::App& command) {
    command.add_option("--model", folder, "diffusers UNet2DModel folder (default: the shipped model)");
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
    command.add_option("--scheduler", scheduler, "ddim or ddpm")->check(CLI::IsMember({"ddim", "ddpm"}));
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
        return ModelSession{model.load(), nullptr, folder};
    }
    LoadedQuantizedModel q = loadQuantizedModel(quant, model.folder);
    const torch::Device dev = selectDevice(model.device);
    q.fp.unet.to(dev);
    q.quantized.to(dev);
    spdlog::info("Loaded quantized model '{}' ({}, {:.1f} KiB) over '{}'", quant, q.quantized.plan().preset,
                 q.sizes.artifactBytes / 1024.0, q.fpFolder);
    return ModelSession{std::move(q.fp), std::make_unique<QuantizedUNet>(std::move(q.quantized)), q.fpFolder};
}

LoadedModel ModelOptions::load() const {
    const std::string path = resolvedFolder();
    LoadedModel loaded = loadModelFolder(path);  // validate the input before anything else
    const torch::Device dev = selectDevice(device);
    loaded.unet.to(dev);
    spdlog::info("Loaded '{}' ({:.2f} M parameters)", path, loaded.unet.parameterCount() / 1e6);
    return loaded;
}

}  // namespace dq::cli
