// diffquant sensitivity: per-site sensitivity of a model under a base plan,
// written as JSON (for `allocate` and the explorer) and printed as a ranking.
#include <iostream>

#include <spdlog/fmt/fmt.h>
#include <torch/torch.h>

#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "app/cli/value_checks.h"
#include "core/engine/quant_session.h"
#include "core/io/atomic_file.h"
#include "core/io/output_set.h"

namespace dq::cli {

namespace {

struct SensitivityCliOptions {
    ModelOptions model;
    SamplerOptions sampler;
    PlanOptions plan;
    CalibrationDataOptions data;
    std::vector<int> weightBits = {2, 3, 4, 6, 8};
    std::vector<int> activationBits = {4, 6, 8};
    int rowsPerStep = 2;
    bool noAllBut = false;
    int images = 0;
    int batch = 128;
    double percentile = 99.99;
    int top = 10;
    std::string out;
};

// The printed ranking: the `top` sites that suffer most at `bits`, with their
// "all but this one" result beside it.
void printRanking(const SensitivityReport& report, bool weights, int bits, int top) {
    const auto ranked = rankSites(report, weights, bits);
    if (ranked.empty()) return;
    const ErrorMeasure& all = weights ? report.allWeights : report.allActivations;
    const int base = weights ? report.baseWeightBits : report.baseActivationBits;
    std::cout << fmt::format("\nMost sensitive {} at {} bits (SQNR of the predicted noise, higher is better", weights ? "weights" : "activations", bits);
    if (base > 0) std::cout << fmt::format("; all {} at their base width: {:.1f} dB", weights ? "weights" : "activations", all.sqnrDb());
    std::cout << "):\n";
    std::cout << fmt::format("  {:>4}  {:<44} {:<12} {:>10} {:>16}\n", "rank", "site", "kind", "alone dB",
                             base > 0 ? "all but it dB" : "");
    for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i) {
        const SiteSensitivity& s = *ranked[static_cast<std::size_t>(i)];
        const OperandSensitivity& o = weights ? *s.weight : s.activation;
        std::cout << fmt::format("  {:>4}  {:<44} {:<12} {:>10.1f}", i + 1, s.name.substr(0, 44), s.kind,
                                 o.alone.at(bits).sqnrDb());
        if (o.allBut) std::cout << fmt::format(" {:>16.1f}", o.allBut->sqnrDb());
        std::cout << "\n";
    }
}

void run(const SensitivityCliOptions& o) {
    c10::InferenceMode inference;
    QuantSession session;
    session.openModel(o.model.resolvedFolder(), o.model.device);
    const DiffusionPipeline& loaded = session.model();

    SensitivityRecipe recipe;
    recipe.plan = o.plan.resolve(session, o.sampler.steps);
    const SampleRequest trajectory = o.sampler.toRequest(loaded.scheduler());
    recipe.data = o.data.settings(loaded, trajectory);
    recipe.dataFile = o.data.file;
    recipe.options.weightWidths = o.weightBits;
    recipe.options.activationWidths = o.activationBits;
    recipe.options.rowsPerStep = o.rowsPerStep;
    recipe.options.allBut = !o.noAllBut;
    recipe.options.sampleImages = o.images;
    recipe.options.sampling = trajectory;
    recipe.options.calibration.batchSize = o.batch;
    recipe.options.calibration.percentile = o.percentile;
    OutputSet outputs;
    const std::string staged = outputs.stage(o.out);  // checks the folder before the work starts

    ProgressBar bar("sensitivity");
    const SensitivityReport report = session.measureSensitivity(recipe, bar.callbacks());
    writeTextFileAtomically(staged, report.toJson());
    outputs.commit();

    const int wBits = report.baseWeightBits > 0 ? report.baseWeightBits : report.weightWidths.front();
    const int aBits = report.baseActivationBits > 0 ? report.baseActivationBits : report.activationWidths.back();
    if (std::count(report.weightWidths.begin(), report.weightWidths.end(), wBits))
        printRanking(report, true, wBits, o.top);
    if (std::count(report.activationWidths.begin(), report.activationWidths.end(), aBits))
        printRanking(report, false, aBits, o.top);
    std::cout << fmt::format("\nWrote '{}': {} sites, {} inputs per configuration, {:.1f} s\n", o.out,
                             report.sites.size(), report.inputs, report.seconds);
}

}  // namespace

void addSensitivityCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "sensitivity", "Measure each site's sensitivity to quantization: alone and all-but-one, weights and activations");
    auto o = std::make_shared<SensitivityCliOptions>();
    o->model.add(*cmd);
    o->sampler.add(*cmd);
    o->plan.add(*cmd);
    o->data.add(*cmd);
    cmd->add_option("--weight-bits", o->weightBits, "weight widths to measure each site alone at (comma-separated)")
        ->delimiter(',')
        ->check(rangeOf(2, 16));
    cmd->add_option("--activation-bits", o->activationBits, "activation widths to measure each site alone at")
        ->delimiter(',')
        ->check(rangeOf(2, 16));
    cmd->add_option("--rows-per-step", o->rowsPerStep, "evaluation inputs per calibration step")->check(rangeOf(1, 100000));
    cmd->add_flag("--no-all-but", o->noAllBut, "skip the all-but-one measurements");
    cmd->add_option("--images", o->images, "also the paired PSNR of this many final samples per configuration (slow)")
        ->check(rangeOf(0, 4096));
    cmd->add_option("--batch", o->batch, "batch size")->check(positiveNumber());
    cmd->add_option("--percentile", o->percentile, "percentile range method: clip at this percentile")
        ->check(rangeOf(50.0, 100.0));
    cmd->add_option("--top", o->top, "sites to print in each ranking")->check(rangeOf(0, 100000));
    cmd->add_option("--out", o->out, "sensitivity JSON to write")->required();
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
