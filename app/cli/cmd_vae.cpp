// diffquant vae: one pass of a Stable Diffusion VAE (AutoencoderKL), to check
// it against the original or to look at latents.
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/commands.h"
#include "core/errors.h"
#include "core/io/safetensors.h"
#include "core/model/autoencoder_kl.h"
#include "core/runtime/device.h"
#include "core/validation/tensor_checks.h"

namespace dq::cli {

namespace {
// A pipeline folder holds the VAE in vae/; a VAE folder is taken as it is.
std::string vaeFolder(const std::string& model) {
    const std::string sub = model + "/vae";
    if (std::filesystem::is_directory(sub)) return sub;
    if (std::filesystem::exists(model + "/config.json")) return model;
    throw Error("'" + model + "' is neither a pipeline folder with vae/ nor an AutoencoderKL folder; pass one with --model.");
}
}  // namespace

void addVaeCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("vae", "Encode images to latents or decode latents with a Stable Diffusion VAE");
    struct Options {
        std::string model, device = "auto", decode, encode, output;
    };
    auto o = std::make_shared<Options>();
    cmd->add_option("--model", o->model, "pipeline folder (its vae/) or AutoencoderKL folder")->required();
    cmd->add_option("--device", o->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    auto* decode = cmd->add_option("--decode", o->decode,
                                   "safetensors with `latents` [B,C,h,w] in the pipeline's scaled space; writes `sample`, "
                                   "the decoded images (nominally in [-1, 1], not clamped)");
    auto* encode = cmd->add_option("--encode", o->encode,
                                   "safetensors with `image` [B,3,H,W] in [-1, 1]; writes `latent_mean` and "
                                   "`latent_logvar`, unscaled");
    decode->excludes(encode);
    cmd->add_option("--output", o->output, "safetensors to write")->required();
    cmd->callback([&action, o] {
        action = [o] {
            if (o->decode.empty() == o->encode.empty()) throw Error("Pass exactly one of --decode and --encode.");
            const std::string folder = vaeFolder(o->model);
            AutoencoderKL vae = AutoencoderKL::load(folder);
            vae.to(selectDevice(o->device));
            spdlog::info("Loaded VAE '{}' ({:.2f} M parameters, scaling factor {})", folder, vae.parameterCount() / 1e6,
                         vae.config().scalingFactor);
            const std::string& inputPath = o->decode.empty() ? o->encode : o->decode;
            const TensorFile in = loadSafetensors(inputPath);
            const std::string key = o->decode.empty() ? "image" : "latents";
            const torch::Tensor& input = in.at(key, inputPath);
            if (!input.is_floating_point()) throw Error("'" + key + "' in '" + inputPath + "' must be floating point.");
            requireFinite(input, "Tensor '" + key + "' in '" + inputPath + "'", "pass finite values");
            c10::InferenceMode inference;
            std::map<std::string, torch::Tensor> out;
            if (!o->decode.empty()) {
                // diffusers' pipelines decode latents / scaling_factor.
                out["sample"] = vae.decode(input / vae.config().scalingFactor).to(torch::kCPU);
            } else {
                const LatentDistribution posterior = vae.encode(input);
                out["latent_mean"] = posterior.mean.to(torch::kCPU);
                out["latent_logvar"] = posterior.logvar.to(torch::kCPU);
            }
            for (const auto& [name, tensor] : out)
                requireFinite(tensor, "The VAE's " + name, "nothing was written; check the weights and the input");
            saveSafetensors(o->output, out);
            spdlog::info("Wrote '{}'", o->output);
        };
    });
}

}  // namespace dq::cli
