// diffquant train-tokenizer: a small byte-level BPE vocabulary, learned from
// captions, in CLIPTokenizer's folder layout (a pipeline's tokenizer/).
#include <spdlog/spdlog.h>

#include "app/cli/commands.h"
#include "app/cli/value_checks.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/output_set.h"
#include "core/pipeline/prompt_list.h"
#include "core/text/bpe_trainer.h"
#include "core/training/text_to_image_trainer.h"

namespace dq::cli {

void addTrainTokenizerCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("train-tokenizer", "Learn a byte-level BPE vocabulary from captions and write it as a "
                                                      "CLIP tokenizer folder (vocab.json, merges.txt)");
    struct Options {
        std::string captions;
        std::string recipe;
        int merges = 500;
        int maxLength = 77;
        std::string out;
    };
    auto o = std::make_shared<Options>();
    auto* captions = cmd->add_option("--captions", o->captions, "UTF-8 text file, one caption per line");
    auto* recipe = cmd->add_option("--captions-of", o->recipe,
                                   "a train-t2i config: learn from its training captions (templates x class names)")
                       ->check(CLI::ExistingFile);
    captions->excludes(recipe);
    recipe->excludes(captions);
    cmd->add_option("--merges", o->merges, "at most this many merges (fewer when no pair occurs twice)")
        ->check(rangeOf(0, 1000000));
    cmd->add_option("--max-length", o->maxLength, "tokens per prompt, start and end included")->check(rangeOf(3, 4096));
    cmd->add_option("--out", o->out, "tokenizer folder to write")->required();
    cmd->callback([&action, o] {
        action = [o] {
            if (o->captions.empty() && o->recipe.empty())
                throw Error("Give the captions to learn from: --captions FILE or --captions-of CONFIG.");
            std::vector<std::string> captions;
            if (!o->recipe.empty()) {
                const CaptionSettings c =
                    TextToImageTrainConfig::fromJson(readTextFile(o->recipe), o->recipe).captions;
                captions = c.captions(c.templates);  // never the held-out templates: they stay unseen
            } else {
                captions = readPromptList(o->captions);
            }
            const std::vector<BpeMerge> merges = learnBpeMerges(captions, o->merges);
            // The three files appear together or not at all.
            OutputSet outputs;
            const int64_t size = writeClipTokenizer(outputs.stageFolder(o->out), merges, o->maxLength);
            outputs.commit();
            spdlog::info("Wrote '{}': {} merges learned from {} captions, {} tokens", o->out, merges.size(),
                         captions.size(), size);
        };
    });
}

}  // namespace dq::cli
