// diffquant unet: one forward pass from a safetensors file.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/errors.h"
#include "core/validation/resource_limits.h"
#include "core/validation/tensor_checks.h"
#include "core/io/safetensors.h"

namespace dq::cli {

void addUnetCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("unet", "Run one U-Net forward pass on tensors from a safetensors file");
    auto options = std::make_shared<ModelOptions>();
    auto input = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    options->add(*cmd);
    cmd->add_option("--input", *input, "safetensors with sample [B,C,H,W], timestep [B], optional class_labels [B]")
        ->required();
    cmd->add_option("--output", *output, "safetensors to write, key 'sample'")->required();
    cmd->callback([&action, options, input, output] {
        action = [options, input, output] {
            LoadedModel loaded = options->load();
            TensorFile in = loadSafetensors(*input);
            const torch::Tensor& sample = in.at("sample", *input);
            const torch::Tensor& timestep = in.at("timestep", *input);
            if (!sample.is_floating_point())
                throw Error("'sample' in '" + *input + "' must be a floating-point tensor.");
            requireFinite(sample, "Tensor 'sample' in '" + *input + "'", "pass a sample without NaN or Inf values");
            if (timestep.is_floating_point()) requireFinite(timestep, "Tensor 'timestep' in '" + *input + "'", "pass finite timesteps");
            if (sample.dim() == 4)
                checkAllocation(double(sample.numel()) * loaded.unet.config().blockOutChannels.front() * 12 * sizeof(float),
                                "A forward pass over '" + *input + "'", "pass fewer or smaller samples");
            torch::Tensor labels;
            if (auto it = in.tensors.find("class_labels"); it != in.tensors.end()) labels = it->second;
            c10::InferenceMode inference;
            const torch::Device dev = loaded.unet.device();
            torch::Tensor out = loaded.unet.forward(sample.to(dev, torch::kFloat32), timestep.to(dev),
                                                    labels.defined() ? labels.to(dev) : labels);
            requireFinite(out, "The model's output", "nothing was written; check the weights and the input");
            saveSafetensors(*output, {{"sample", out.to(torch::kCPU)}});
            spdlog::info("Wrote '{}' ({} samples)", *output, out.size(0));
        };
    });
}

}  // namespace dq::cli
