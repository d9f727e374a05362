// diffquant info: architecture summary of a model folder.
#include <iostream>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/model/denoiser.h"
#include "core/pipeline/text_to_image.h"

namespace dq::cli {

namespace {
std::string shapeText(const std::vector<int64_t>& shape) {
    std::ostringstream s;
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? "x" : "") << shape[i];
    return shape.empty() ? "-" : s.str();
}
}  // namespace

void addInfoCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("info", "Show a model's blocks, interception points and parameter count");
    auto options = std::make_shared<ModelOptions>();
    options->add(*cmd);
    cmd->callback([&action, options] {
        action = [options] {
            options->device = "cpu";
            DiffusionPipeline loaded = options->load();
            const ModelSummary s = loaded.denoiser().summary();
            std::cout << "Model: " << options->resolvedFolder() << "\n";
            if (const TextToImagePipeline* p = loaded.textToImage())
                std::cout << "Pipeline: text to image (CLIP tokenizer, text encoder of "
                          << p->textEncoder.parameterCount() << " parameters, VAE of " << p->vae.parameterCount()
                          << " parameters, latents scaled by " << p->vae.config().scalingFactor << ")\nDenoiser: U-Net\n";
            std::cout
                      << "Sample: " << s.inChannels << "x" << s.sampleSize << "x" << s.sampleSize << " -> "
                      << s.outChannels << " channels\n"
                      << "Parameters: " << s.parameterCount << " in " << s.tensorCount << " tensors\n"
                      << "Class conditioning: " << s.classConditioning << "\n\nBlocks:\n";
            for (const auto& b : s.blocks) std::cout << "  " << b << "\n";
            std::cout << "\nInterception points (" << s.sites.size() << "):\n";
            for (const auto& site : s.sites) {
                std::cout << "  " << site.name << "  " << siteKindName(site.kind) << "  " << shapeText(site.weightShape);
                if (site.splitChannels > 0)
                    std::cout << "  shortcut split " << site.splitChannels << "+"
                              << site.inputChannels - site.splitChannels;
                std::cout << "\n";
            }
        };
    });
}

}  // namespace dq::cli
