// diffquant calibrate: FP model + plan + calibration data → quantized-model artifact.
#include <algorithm>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/value_checks.h"
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/errors.h"
#include "core/io/output_set.h"
#include "core/io/atomic_file.h"
#include "core/engine/quant_session.h"

namespace dq::cli {

namespace {

struct CalibrateOptions {
    ModelOptions model;
    SamplerOptions sampler;
    std::string preset = "W8A8";
    std::string planPath;
    std::string method = "minmax";
    std::string timesteps = "uniform";
    int caliSteps = 20;
    int caliSamples = 256;
    double normalMean = 0.4;
    double normalStd = 0.4;
    bool split = false;
    int softmaxBits = 0;
    std::string firstLast = "same";
    bool perStep = false;
    double relaxFraction = 0;
    int relaxBits = 10;
    std::string relaxAt = "last";
    double percentile = 99.99;
    int batch = 128;
    std::string caliData;
    std::string rounding = "nearest";
    int gptqPairs = 256;
    ReconstructionOptions recon;
    bool progressive = false;
    std::string savePlan;
    std::string out;
};

FirstLastPolicy parseFirstLast(const std::string& value) {
    if (value == "8") return FirstLastPolicy::EightBit;
    if (value == "fp") return FirstLastPolicy::FullPrecision;
    return FirstLastPolicy::SameAsRest;
}

void run(const CalibrateOptions& o) {
    c10::InferenceMode inference;
    QuantSession session;
    session.openModel(o.model.resolvedFolder(), o.model.device);
    LoadedModel& loaded = session.model();

    CalibrationRecipe recipe;
    if (!o.planPath.empty()) {
        recipe.plan = QuantPlan::fromJson(readTextFile(o.planPath), o.planPath);
        recipe.plan.validateAgainst(loaded.unet.sites(), o.planPath);
    } else {
        PlanRecipe plan;
        plan.preset = o.preset;
        plan.options.rangeMethod = parseRangeMethod(o.method);
        plan.options.splitShortcuts = o.split;
        plan.options.softmaxBits = o.softmaxBits;
        plan.options.firstLast = parseFirstLast(o.firstLast);
        plan.options.perStepActivation = o.perStep;
        plan.relaxFraction = o.relaxFraction;
        plan.relaxBits = o.relaxBits;
        plan.relaxLastSteps = o.relaxAt == "last";
        recipe.plan = session.makePlan(plan, o.sampler.steps);
    }
    // The plan is published with the artifact, not before: a failed calibration leaves neither.
    OutputSet outputs;
    if (!o.savePlan.empty()) writeTextFileAtomically(outputs.stage(o.savePlan), recipe.plan.toJson());

    recipe.data.selection = parseTimestepSelection(o.timesteps);
    recipe.data.steps = o.caliSteps;
    recipe.data.samples = o.caliSamples;
    recipe.data.normalMean = o.normalMean;
    recipe.data.normalStd = o.normalStd;
    recipe.data.trajectory = o.sampler.toRequest(loaded.scheduler);
    recipe.dataFile = o.caliData;
    recipe.options.batchSize = o.batch;
    recipe.options.percentile = o.percentile;
    recipe.options.rounding = parseWeightRounding(o.rounding);
    recipe.options.gptq.maxPairs = o.gptqPairs;
    recipe.options.reconstruction = o.recon;
    recipe.options.progressive = o.progressive;

    ProgressBar bar("calibrating");
    ProgressCallbacks callbacks;
    callbacks.stage = [&](const std::string& stage) { bar.setLabel(stage); };
    std::string detail;
    callbacks.detail = [&](const std::string& text) { detail = text; };
    callbacks.progress = [&](int step, int total) { bar.update(step, total, detail); };
    const CalibrationSummary summary = session.calibrate(recipe, callbacks);

    const ArtifactSizes sizes = session.saveQuantized(o.out);
    outputs.commit();
    spdlog::info("Wrote '{}': {:.1f} KiB on disk, {:.1f}x smaller than the FP weights ({:.1f} KiB)", o.out,
                 sizes.artifactBytes / 1024.0, static_cast<double>(sizes.fpWeightsBytes) / std::max<uint64_t>(1, sizes.artifactBytes),
                 sizes.fpWeightsBytes / 1024.0);
}

}  // namespace

void addCalibrateCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("calibrate", "Quantize a model under a plan and calibrate it on its own sampling trajectory");
    auto o = std::make_shared<CalibrateOptions>();
    o->model.add(*cmd);
    o->sampler.add(*cmd);
    cmd->add_option("--preset", o->preset, "W8A8, W4A8, W4A16, W8A16 or FP")
        ->check(CLI::IsMember({"FP", "W8A8", "W4A8", "W4A16", "W8A16"}));
    cmd->add_option("--plan", o->planPath, "quantization plan JSON (overrides --preset and its options)");
    cmd->add_option("--method", o->method, "range method: minmax, mse, percentile or running")
        ->check(CLI::IsMember({"minmax", "mse", "percentile", "running"}));
    cmd->add_option("--timesteps", o->timesteps, "calibration timesteps: uniform (Q-Diffusion) or normal (PTQ4DM)")
        ->check(CLI::IsMember({"uniform", "normal"}));
    cmd->add_option("--cali-st", o->caliSteps, "timesteps per trajectory")->check(positiveNumber());
    cmd->add_option("--cali-n", o->caliSamples, "trajectories (samples)")->check(positiveNumber());
    cmd->add_option("--normal-mean", o->normalMean, "NDTC mean as a fraction of T");
    cmd->add_option("--normal-std", o->normalStd, "NDTC std as a fraction of T")->check(positiveNumber());
    cmd->add_flag("--split", o->split, "split shortcut quantization of the decoder's cat(h, skip) inputs");
    cmd->add_option("--softmax-bits", o->softmaxBits, "width of the attention probabilities (default: activation width)")
        ->check(rangeOf(2, 16));
    cmd->add_option("--first-last", o->firstLast, "conv_in/conv_out: same, 8 or fp")->check(CLI::IsMember({"same", "8", "fp"}));
    cmd->add_flag("--per-step", o->perStep, "one activation grid per sampling step (PCR)");
    cmd->add_option("--relax-fraction", o->relaxFraction, "PCR activation relaxing: fraction of steps with wider activations")
        ->check(rangeOf(0.0, 1.0));
    cmd->add_option("--relax-bits", o->relaxBits, "activation width on relaxed steps")->check(rangeOf(2, 16));
    cmd->add_option("--relax-at", o->relaxAt, "relax the first or last steps")->check(CLI::IsMember({"first", "last"}));
    cmd->add_option("--percentile", o->percentile, "percentile range method: clip at this percentile")
        ->check(rangeOf(50.0, 100.0));
    cmd->add_option("--rounding", o->rounding,
                    "weight rounding: nearest; gptq (second-order, error-compensating; seconds); adaround "
                    "(Q-Diffusion's block reconstruction; minutes)")
        ->check(CLI::IsMember({"nearest", "gptq", "adaround"}));
    cmd->add_option("--recon-iters", o->recon.weightIterations, "AdaRound iterations per unit")
        ->check(rangeOf(0, 1000000));
    cmd->add_option("--act-iters", o->recon.activationIterations,
                    "LSQ iterations per unit for the activation step sizes (0: off)")
        ->check(rangeOf(0, 1000000));
    cmd->add_option("--recon-pairs", o->recon.maxPairs, "calibration pairs whose unit inputs reconstruction caches")
        ->check(rangeOf(1, 1000000));
    cmd->add_option("--recon-batch", o->recon.batchSize, "reconstruction minibatch")->check(rangeOf(1, 100000));
    cmd->add_option("--recon-lr", o->recon.weightLearningRate, "AdaRound learning rate")->check(rangeOf(1e-7, 10.0));
    cmd->add_option("--act-lr", o->recon.activationLearningRate, "LSQ learning rate")->check(rangeOf(1e-8, 10.0));
    cmd->add_flag("--progressive", o->progressive,
                  "PCR progressive calibration: per-step grids fitted on the quantized model's own trajectory");
    cmd->add_option("--gptq-pairs", o->gptqPairs, "calibration pairs whose layer inputs form GPTQ's Hessians")
        ->check(rangeOf(1, 1000000));
    cmd->add_option("--batch", o->batch, "calibration batch size")->check(positiveNumber());
    cmd->add_option("--cali-data", o->caliData, "calibration data file: reused when it matches, else written");
    cmd->add_option("--save-plan", o->savePlan, "also write the plan as JSON");
    cmd->add_option("--out", o->out, "artifact folder to write")->required();
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
