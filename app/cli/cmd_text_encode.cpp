// diffquant text-encode: prompts → CLIP token ids → the text encoder's hidden
// states, as a Stable Diffusion pipeline computes its conditioning.
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/commands.h"
#include "core/errors.h"
#include "core/io/safetensors.h"
#include "core/model/clip_text_model.h"
#include "core/runtime/device.h"
#include "core/text/clip_tokenizer.h"
#include "core/validation/tensor_checks.h"

namespace dq::cli {

void addTextEncodeCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("text-encode", "Tokenize prompts and run a pipeline's CLIP text encoder");
    struct Options {
        std::string model, device = "auto", output;
        std::vector<std::string> prompts;
        int clipSkip = 0;
    };
    auto o = std::make_shared<Options>();
    cmd->add_option("--model", o->model, "pipeline folder with tokenizer/ and text_encoder/")->required();
    cmd->add_option("--prompt", o->prompts, "a prompt (repeat for several)")->required();
    cmd->add_option("--clip-skip", o->clipSkip, "skip this many final layers (1: the penultimate layer), then the final LayerNorm")
        ->check(CLI::Range(0, 64));
    cmd->add_option("--device", o->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_option("--output", o->output, "safetensors to write: input_ids [N,77] and last_hidden_state [N,77,D]")
        ->required();
    cmd->callback([&action, o] {
        action = [o] {
            std::string missing;
            for (const char* part : {"tokenizer", "text_encoder"})
                if (!std::filesystem::is_directory(o->model + "/" + part))
                    missing += (missing.empty() ? "" : " and ") + std::string(part) + "/";
            if (!missing.empty())
                throw Error("'" + o->model + "' has no " + missing + "; pass a Stable Diffusion pipeline folder with --model.");
            const ClipTokenizer tokenizer = ClipTokenizer::load(o->model + "/tokenizer");
            ClipTextModel encoder = ClipTextModel::load(o->model + "/text_encoder");
            encoder.to(selectDevice(o->device));
            std::vector<torch::Tensor> rows;
            for (const std::string& prompt : o->prompts)
                rows.push_back(torch::tensor(tokenizer.tokenize(prompt), torch::kInt64));
            const torch::Tensor ids = torch::stack(rows);
            if (ids.size(1) > encoder.config().maxPositions)
                throw Error("The tokenizer pads to " + std::to_string(ids.size(1)) + " tokens but the text encoder takes at most " +
                            std::to_string(encoder.config().maxPositions) + "; the two folders do not belong together.");
            c10::InferenceMode inference;
            const torch::Tensor states = encoder.forward(ids, o->clipSkip).to(torch::kCPU);
            requireFinite(states, "The text encoder's output", "nothing was written; check the weights");
            saveSafetensors(o->output, {{"input_ids", ids}, {"last_hidden_state", states}});
            spdlog::info("Wrote '{}' ({} prompts, {} tokens, {} channels)", o->output, ids.size(0), ids.size(1), states.size(2));
        };
    });
}

}  // namespace dq::cli
