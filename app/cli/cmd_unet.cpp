// diffquant unet: one forward pass from a safetensors file.
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/errors.h"
#include "core/model/denoiser_folder.h"
#include "core/runtime/device.h"
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
    cmd->add_option("--input", *input,
                    "safetensors with sample [B,C,H,W], timestep [B], and class_labels [B] (class-conditional "
                    "UNet2DModel) or encoder_hidden_states [B,tokens,dim] (UNet2DConditionModel)")
        ->required();
    cmd->add_option("--output", *output, "safetensors to write, key 'sample'")->required();
    cmd->callback([&action, options, input, output] {
        action = [options, input, output] {
            const std::string folder = options->resolvedFolder();
            std::unique_ptr<Denoiser> model = loadDenoiser(folder);
            model->to(selectDevice(options->device));
            spdlog::info("Loaded '{}' ({:.2f} M parameters)", folder, model->parameterCount() / 1e6);
            TensorFile in = loadSafetensors(*input);
            const torch::Tensor& sample = in.at("sample", *input);
            const torch::Tensor& timestep = in.at("timestep", *input);
            if (!sample.is_floating_point())
                throw Error("'sample' in '" + *input + "' must be a floating-point tensor.");
            requireFinite(sample, "Tensor 'sample' in '" + *input + "'", "pass a sample without NaN or Inf values");
            if (timestep.is_floating_point()) requireFinite(timestep, "Tensor 'timestep' in '" + *input + "'", "pass finite timesteps");
            if (sample.dim() == 4)
                checkAllocation(model->workingBytes(sample.size(0), sample.size(2), sample.size(3)),
                                "A forward pass over '" + *input + "'", "pass fewer or smaller samples");
            // The conditioning the model asks for, from its key in the file.
            Conditioning conditioning;
            const ConditioningKind kind = model->conditioningSpec().kind;
            if (kind == ConditioningKind::EncoderStates) {
                const torch::Tensor& states = in.at("encoder_hidden_states", *input);
                if (!states.is_floating_point())
                    throw Error("'encoder_hidden_states' in '" + *input + "' must be a floating-point tensor.");
                requireFinite(states, "Tensor 'encoder_hidden_states' in '" + *input + "'", "pass finite text-encoder states");
                conditioning = Conditioning::encoderStates(states);
            } else if (auto it = in.tensors.find("class_labels"); it != in.tensors.end()) {
                conditioning = Conditioning::classLabels(it->second);
            }
            c10::InferenceMode inference;
            const torch::Device dev = model->device();
            torch::Tensor out =
                model->forward(sample.to(dev, torch::kFloat32), timestep.to(dev), conditioning.to(dev));
            requireFinite(out, "The model's output", "nothing was written; check the weights and the input");
            saveSafetensors(*output, {{"sample", out.to(torch::kCPU)}});
            spdlog::info("Wrote '{}' ({} samples)", *output, out.size(0));
        };
    });
}

}  // namespace dq::cli
