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
    PlanOptions plan;
    CalibrationDataOptions data;
    double relaxFraction = 0;
    int relaxBits = 10;
    std::string relaxAt = "last";
    double percentile = 99.99;
    int batch = 128;
    std::string rounding = "nearest";
    int gptqPairs = 256;
    ReconstructionOptions recon;
    bool progressive = false;
    ComponentQuantOptions components;
    std::string savePlan;
    std::string out;
};

void run(const CalibrateOptions& o) {
    c10::InferenceMode inference;
    QuantSession session;
    session.openModel(o.model.resolvedFolder(), o.model.device);
    const DiffusionPipeline& loaded = session.model();

    CalibrationRecipe recipe;
    PlanRecipe relaxed = o.plan.recipe();
    relaxed.relaxFraction = o.relaxFraction;
    relaxed.relaxBits = o.relaxBits;
    relaxed.relaxLastSteps = o.relaxAt == "last";
    recipe.plan = o.plan.resolve(session, o.sampler.steps, &relaxed);
    // The plan is published with the artifact, not before: a failed calibration leaves neither.
    OutputSet outputs;
    if (!o.savePlan.empty()) writeTextFileAtomically(outputs.stage(o.savePlan), recipe.plan.toJson());

    recipe.data = o.data.settings(loaded, o.sampler.toRequest(loaded.scheduler()));
    recipe.dataFile = o.data.file;
    recipe.options.batchSize = o.batch;
    recipe.options.percentile = o.percentile;
    recipe.options.rounding = parseWeightRounding(o.rounding);
    recipe.options.gptq.maxPairs = o.gptqPairs;
    recipe.options.reconstruction = o.recon;
    recipe.options.progressive = o.progressive;
    recipe.components = o.components;

    ProgressBar bar("calibrating");
    const CalibrationSummary summary = session.calibrate(recipe, bar.callbacks());

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
    o->plan.add(*cmd);
    o->data.add(*cmd);
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
    cmd->add_option("--text-encoder-bits", o->components.textEncoderBits,
                    "text-to-image pipelines: also quantize the text encoder's weights to this width (per channel; "
                    "0 keeps it FP, the default)")
        ->check(rangeOf(0, 16));
    cmd->add_option("--vae-bits", o->components.vaeBits,
                    "text-to-image pipelines: also quantize the VAE decoder's weights to this width (0: FP, the default)")
        ->check(rangeOf(0, 16));
    cmd->add_option("--save-plan", o->savePlan, "also write the plan as JSON");
    cmd->add_option("--out", o->out, "artifact folder to write")->required();
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

}  // namespace dq::cli
