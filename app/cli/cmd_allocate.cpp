// diffquant allocate: per-site widths under a budget from a sensitivity
// report, written as a plan that `calibrate --plan` takes.
#include <cmath>
#include <iostream>

#include <spdlog/fmt/fmt.h>

#include "app/cli/commands.h"
#include "app/cli/value_checks.h"
#include "core/analysis/bit_allocation.h"
#include "core/io/atomic_file.h"
#include "core/io/output_set.h"

namespace dq::cli {

namespace {

struct AllocateOptions {
    std::string sensitivity;
    double averageWeightBits = 0;
    double sizeKiB = 0;
    double averageActivationBits = 0;
    std::vector<int> weightBits;
    std::vector<int> activationBits;
    bool noFullPrecision = false;
    std::string strategy = "optimal";
    uint64_t seed = 0;
    std::string out;
};

std::string widthCounts(const std::map<int, int>& counts) {
    std::string text;
    for (const auto& [bits, n] : counts)
        text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", bits == 0 ? std::string("FP") : std::to_string(bits), n);
    return text;
}

void run(const AllocateOptions& o) {
    const SensitivityReport report = SensitivityReport::fromJson(readTextFile(o.sensitivity), o.sensitivity);
    AllocationBudget budget;
    if (o.averageWeightBits > 0) budget.averageWeightBits = o.averageWeightBits;
    if (o.sizeKiB > 0) budget.sizeKiB = o.sizeKiB;
    if (o.averageActivationBits > 0) budget.averageActivationBits = o.averageActivationBits;
    AllocationOptions options;
    options.weightCandidates = o.weightBits;
    options.activationCandidates = o.activationBits;
    options.allowFullPrecision = !o.noFullPrecision;
    options.strategy = parseAllocationStrategy(o.strategy);
    options.seed = o.seed;
    const Allocation a = allocateBits(report, budget, options);

    OutputSet outputs;
    writeTextFileAtomically(outputs.stage(o.out), a.plan.toJson());
    outputs.commit();
    std::cout << fmt::format("Allocation ({}): {:.3f} average weight bits, {:.1f} KiB of weights, {:.2f} average "
                             "activation bits\n",
                             o.strategy, a.averageWeightBits, a.weightKiB, a.averageActivationBits);
    std::cout << fmt::format("  weight widths: {}\n  activation widths: {}\n", widthCounts(a.weightWidthCounts),
                             widthCounts(a.activationWidthCounts));
    std::cout << fmt::format("  predicted error of the predicted noise: {:.3g} (sum of the sites' errors alone, "
                             "{:.1f} dB)\n",
                             a.predictedNmse, a.predictedNmse > 0 ? -10 * std::log10(a.predictedNmse) : 200.0);
    std::cout << fmt::format("Wrote '{}'; calibrate it with `diffquant calibrate --plan {}`\n", o.out, o.out);
}

}  // namespace

void addAllocateCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("allocate", "Choose per-site widths under a budget from a sensitivity report");
    auto o = std::make_shared<AllocateOptions>();
    cmd->add_option("--sens", o->sensitivity, "sensitivity JSON written by `diffquant sensitivity`")->required();
    auto* bits = cmd->add_option("--avg-weight-bits", o->averageWeightBits,
                                 "budget: average weight width, weighted by weight count (FP counts 32)")
                     ->check(rangeOf(1.0, 32.0));
    auto* size = cmd->add_option("--size-kib", o->sizeKiB, "budget: weight size in KiB (packed codes and scales)")
                     ->check(rangeOf(0.001, 1e9));
    bits->excludes(size);
    size->excludes(bits);
    cmd->add_option("--avg-activation-bits", o->averageActivationBits,
                    "budget: average activation width per site (default: keep the base plan's)")
        ->check(rangeOf(1.0, 32.0));
    cmd->add_option("--weight-bits", o->weightBits, "candidate weight widths (default: those measured)")
        ->delimiter(',')
        ->check(rangeOf(2, 16));
    cmd->add_option("--activation-bits", o->activationBits, "candidate activation widths (default: those measured)")
        ->delimiter(',')
        ->check(rangeOf(2, 16));
    cmd->add_flag("--no-fp", o->noFullPrecision, "do not leave any site in floating point");
    cmd->add_option("--strategy", o->strategy, "optimal; or the baselines uniform and random")
        ->check(CLI::IsMember({"optimal", "uniform", "random"}));
    cmd->add_option("--seed", o->seed, "seed of the random strategy");
    cmd->add_option("--out", o->out, "plan JSON to write")->required();
    cmd->callback([&action, o, bits, size] {
        if (bits->count() == 0 && size->count() == 0)
            throw CLI::ValidationError("allocate", "give a budget: --avg-weight-bits or --size-kib");
        action = [o] { run(*o); };
    });
}

}  // namespace dq::cli
