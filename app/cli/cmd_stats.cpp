// diffquant stats: per-site, per-step activation statistics of a sampling run.
#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>

#include "app/cli/value_checks.h"
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/io/output_set.h"
#include "core/model/denoiser.h"
#include "core/stats/activation_stats.h"

namespace dq::cli {

namespace {

struct StatsOptions {
    QuantModelOptions model;
    SamplerOptions sampler;
    PromptOptions prompts;
    int num = 16;
    int bins = 128;
    std::string out;
};

// Peak resident memory of this process so far (Linux), in KiB; 0 if unknown.
long peakResidentKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

void run(const StatsOptions& o) {
    ModelSession session = o.model.load();
    DiffusionPipeline& loaded = session.loaded;
    Denoiser& model = loaded.denoiser();
    const SchedulerConfig& scheduler = loaded.scheduler();
    StatsSettings settings;
    settings.bins = o.bins;
    settings.sampling = o.sampler.toRequest(scheduler);
    settings.sampling.batch = o.num;
    settings.sampling = o.prompts.condition(loaded, settings.sampling, o.num);

    // A plain run of the same request first: the baseline for the overhead report.
    // One warm-up step beforehand, so one-time costs (allocator, thread pool,
    // CUDA context) do not count against the baseline.
    model.setInterceptor(session.quantized.get());
    SampleRequest warmUp = settings.sampling;
    warmUp.steps = 1;
    runSampler(model, scheduler, warmUp);
    ProgressBar plainBar("plain sampling");
    SampleCallbacks plainCallbacks;
    plainCallbacks.progress = [&](int step, int total) { plainBar.update(step, total); };
    auto start = std::chrono::steady_clock::now();
    runSampler(model, scheduler, settings.sampling, plainCallbacks);
    const double plainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    model.setInterceptor(nullptr);
    const long plainPeak = peakResidentKiB();

    ProgressBar bar("collecting");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    start = std::chrono::steady_clock::now();
    ModelStatistics stats = collectStatistics(model, scheduler, settings, session.quantized.get(), callbacks);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const long peak = peakResidentKiB();
    OutputSet outputs;
    saveStatistics(outputs.stageFolder(o.out), stats);
    outputs.commit();
    spdlog::info("Collected statistics of {} sites over {} steps into '{}'", stats.sites.size(), stats.timesteps.size(), o.out);
    spdlog::info("Collection took {:.2f} s against {:.2f} s for plain {}sampling ({:.2f}x); it held {:.1f} KiB of "
                 "statistics and raised peak memory by {} KiB",
                 seconds, plainSeconds, session.quantized ? "quantized " : "", seconds / plainSeconds,
                 stats.bytesHeld / 1024.0, std::max(0L, peak - plainPeak));
}

}  // namespace

void addStatsCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("stats", "Collect per-layer, per-timestep activation statistics while sampling");
    auto o = std::make_shared<StatsOptions>();
    o->model.add(*cmd);
    o->sampler.add(*cmd);
    o->prompts.add(*cmd, "to sample (pipelines; sample s gets prompt s mod P)");
    cmd->add_option("--num", o->num, "number of samples")->check(rangeOf(1, 100000));
    cmd->add_option("--bins", o->bins, "histogram bins (even)")->check(rangeOf(4, 4096));
    cmd->add_option("--out", o->out, "folder for stats.json and stats.safetensors")->required();
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
