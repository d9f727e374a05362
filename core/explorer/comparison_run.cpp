#include "core/explorer/comparison_run.h"

#include <memory>

#include <torch/torch.h>

#include "core/imaging/image_grid.h"
#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/sampling/scheduler.h"

namespace dq {

namespace {

GenerationRun generate(Denoiser& model, const SchedulerConfig& scheduler, const SampleRequest& request,
                       bool keepTrajectory, bool quantizedRun, int offset, int total,
                       const ComparisonCallbacks& callbacks, const ImageDecoder& decode) {
    GenerationRun run;
    SampleCallbacks cb;
    cb.cancelled = callbacks.cancelled;
    cb.progress = [&](int step, int) { callbacks.report(offset + step, total); };
    cb.onStep = [&](const StepEvent& event) {
        if (keepTrajectory)
            run.trajectory.push_back({event.timestep, event.sampleBefore->to(torch::kCPU),
                                      event.predictedX0->to(torch::kCPU)});
        if (callbacks.onStep) callbacks.onStep(quantizedRun, event);
    };
    run.result = runSampler(model, scheduler, request, cb);
    run.images = (decode ? decode(run.result.samples) : run.result.samples).to(torch::kCPU);
    return run;
}

}  // namespace

ComparisonRun runComparison(Denoiser& model, const SchedulerConfig& scheduler, Interceptor* quantizer,
                            const SampleRequest& request, bool keepTrajectory, const ComparisonCallbacks& callbacks,
                            const ImageDecoder& decode, const QuantizedRunInputs& quantizedInputs) {
    ModelStateGuard guard(model);
    const int runs = quantizer ? 2 : 1;
    // Model evaluations per run: PNDM's warm-up repeats a timestep (steps + 1).
    const int perRun =
        static_cast<int>(samplerTimesteps(scheduler, request.sampler, request.steps, request.spacing).size());
    const int total = runs * perRun;
    ComparisonRun out;
    model.setInterceptor(nullptr);
    out.fp = generate(model, scheduler, request, keepTrajectory, false, 0, total, callbacks, decode);
    if (!quantizer) return out;

    // The quantized run starts from exactly the same noise and classes.
    SampleRequest same = request;
    same.initialNoise = out.fp.result.initialNoise;
    if (out.fp.result.classLabels.defined()) same.classLabels = out.fp.result.classLabels;
    same = quantizedInputs.applyTo(same);
    model.setInterceptor(quantizer);
    out.quantized = generate(model, scheduler, same, keepTrajectory, true, perRun, total, callbacks,
                             quantizedInputs.decode ? quantizedInputs.decode : decode);
    out.paired = pairedMetrics(toUnitRange(out.quantized->images), toUnitRange(out.fp.images));
    return out;
}

SampleRequest QuantizedRunInputs::applyTo(const SampleRequest& request) const {
    SampleRequest out = request;
    if (!conditioning.isNone()) {
        out.conditioning = conditioning;
        out.unconditional = unconditional;
    }
    return out;
}

QuantizedRunInputs quantizedRunInputs(const DiffusionPipeline& model, const QuantizedComponents* quantized,
                                      const std::vector<std::string>& prompts, const std::string& negativePrompt,
                                      int clipSkip, int count) {
    QuantizedRunInputs inputs;
    if (!quantized || quantized->empty() || !model.isTextToImage()) return inputs;
    if (quantized->textEncoder) {
        SampleRequest encoded;
        encoded = withPrompts(encoded, model.encodePrompts(prompts, negativePrompt, clipSkip, quantized), 0, count);
        inputs.conditioning = encoded.conditioning;
        inputs.unconditional = encoded.unconditional;
    }
    if (quantized->vae) {
        // The decoder keeps its own reference to the quantized VAE, so that it
        // stays valid when the session's quantized model is replaced (the
        // explorer decodes trajectory frames after the comparison has ended).
        auto vaeOnly = std::make_shared<QuantizedComponents>();
        vaeOnly->vae = quantized->vae;
        inputs.decode = [&model, vaeOnly](const torch::Tensor& x) { return model.toImages(x, vaeOnly.get()); };
    }
    return inputs;
}

}  // namespace dq
