#include "core/sampling/pipeline.h"

#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/validation/message_text.h"
#include "core/validation/resource_limits.h"
#include "core/validation/tensor_checks.h"
#include "core/model/denoiser.h"

namespace dq {

int realClassCount(const Denoiser& model) { return model.conditioningSpec().classCount; }

torch::Tensor makeInitialNoise(const Denoiser& model, int batch, uint64_t seed) {
    const SampleShape shape = model.sampleShape();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return torch::randn({batch, shape.channels, shape.height, shape.width}, gen, torch::kFloat32);
}

SampleRequest batchRequest(const SampleRequest& base, int first, int count, int index, int classes) {
    SampleRequest request = base;
    request.batch = count;
    request.seed = base.seed + static_cast<uint64_t>(index);
    request.initialNoise = torch::Tensor();
    request.classLabels =
        classes > 0 ? torch::arange(first, first + count, torch::kInt64).remainder(classes) : torch::Tensor();
    return request;
}

SampleRequest withPrompts(const SampleRequest& base, const PromptStates& prompts, int first, int count) {
    SampleRequest request = base;
    const torch::Tensor promptOf = torch::arange(first, first + count, torch::kInt64).remainder(prompts.prompts.size(0));
    request.conditioning = Conditioning::encoderStates(prompts.prompts.index_select(0, promptOf));
    request.unconditional = Conditioning::encoderStates(prompts.unconditional);
    return request;
}

namespace {
// Restores the model's step context even when sampling throws.
struct StepContextReset {
    Denoiser& model;
    ~StepContextReset() { model.setStep(StepContext{}); }
};
}  // namespace

SampleResult runSampler(Denoiser& model, const SchedulerConfig& schedulerConfig, const SampleRequest& request,
                        const SampleCallbacks& callbacks) {
    c10::InferenceMode inference;
    const SampleShape shape = model.sampleShape();
    const ConditioningSpec spec = model.conditioningSpec();
    const torch::Device device = model.device();
    Scheduler scheduler(schedulerConfig, request.sampler, request.steps, request.eta, request.spacing);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(request.seed);

    if (!std::isfinite(request.guidanceScale) || std::abs(request.guidanceScale) > 1000)
        throw Error("The guidance scale must be a finite number from -1000 to 1000, not " +
                    plainNumber(request.guidanceScale) + ".");
    if (!std::isfinite(request.eta) || request.eta < 0 || request.eta > 1)
        throw Error("DDIM eta must be a number from 0 to 1, not " + plainNumber(request.eta) + ".");

    // Guidance runs the conditional and unconditional halves in one batch.
    const int64_t guidedPasses = request.guidanceScale != 1.0 ? 2 : 1;
    SampleResult result;
    if (request.initialNoise.defined()) {
        const auto& n = request.initialNoise;
        if (n.dim() != 4 || n.size(1) != shape.channels || n.size(0) == 0 || !n.is_floating_point())
            throw Error("Initial noise must be a non-empty floating-point tensor shaped [B," +
                        std::to_string(shape.channels) + ",H,W] for this model.");
        requireFinite(n, "The initial noise", "pass noise without NaN or Inf values");
        result.initialNoise = n.to(torch::kCPU, torch::kFloat32);
        // Keep the generator's later draws (stochastic steps) tied to the seed.
    } else {
        if (request.batch < 1) throw Error("The batch size must be at least 1.");
        checkAllocation(model.workingBytes(guidedPasses * request.batch, shape.height, shape.width),
                        "A batch of " + std::to_string(request.batch) + " samples",
                        "ask for fewer images at a time");
        result.initialNoise = torch::randn({request.batch, shape.channels, shape.height, shape.width}, gen,
                                           torch::kFloat32);
    }
    const int64_t batch = result.initialNoise.size(0);
    if (request.initialNoise.defined())
        checkAllocation(model.workingBytes(guidedPasses * batch, result.initialNoise.size(2), result.initialNoise.size(3)),
                        "Initial noise of " + std::to_string(batch) + " samples", "pass fewer or smaller samples");

    torch::Tensor labels, nullLabels;
    const bool conditional = spec.kind == ConditioningKind::ClassLabels;
    if (conditional) {
        if (request.classLabels.defined()) {
            labels = request.classLabels.to(torch::kInt64).flatten();
            if (labels.size(0) == 1) labels = labels.expand({batch}).clone();
            if (labels.size(0) != batch)
                throw Error("Got " + std::to_string(labels.size(0)) + " class labels for " + std::to_string(batch) +
                            " samples.");
        } else {
            const int classes = std::max(1, realClassCount(model));
            labels = torch::arange(batch, torch::kInt64).remainder(classes);
        }
        result.classLabels = labels;
        labels = labels.to(device);
    } else if (request.classLabels.defined()) {
        throw Error("This model is not class-conditional; remove the class labels.");
    }
    const bool text = spec.kind == ConditioningKind::EncoderStates;
    Conditioning textCond, textUncond;
    if (text) {
        // One prompt's states serve the whole batch; otherwise one per sample.
        auto perSample = [&](const Conditioning& c, const char* what) {
            if (c.kind() != ConditioningKind::EncoderStates)
                throw Error(std::string("This text-conditioned model needs the ") + what + "'s encoder states.");
            torch::Tensor states = c.tensor();
            if (states.size(0) == 1) states = states.expand({batch, states.size(1), states.size(2)});
            if (states.size(0) != batch)
                throw Error("Got encoder states for " + std::to_string(states.size(0)) + " prompts and " +
                            std::to_string(batch) + " samples.");
            requireFinite(states, std::string("The ") + what + "'s encoder states", "check the text encoder's weights");
            return Conditioning::encoderStates(states.to(device));
        };
        textCond = perSample(request.conditioning, "prompt");
        if (request.guidanceScale != 1.0) textUncond = perSample(request.unconditional, "negative prompt");
    } else if (!request.conditioning.isNone()) {
        throw Error("This model is not text-conditioned; it takes no prompt.");
    }
    if (!conditional && !text && request.guidanceScale != 1.0)
        throw Error("Classifier-free guidance needs a class-conditional model; use guidance 1 for this one.");
    if (request.classLabels.defined() && (request.classLabels.is_floating_point() || request.classLabels.is_complex()))
        throw Error("Class labels must be integers.");
    const bool guided = conditional && request.guidanceScale != 1.0;
    if (guided) {
        if (!spec.nullClassLabel)
            throw Error("Classifier-free guidance needs a null class; this model declares none (_null_class_label).");
        nullLabels = torch::full({batch}, *spec.nullClassLabel, torch::TensorOptions().dtype(torch::kInt64).device(device));
    }

    torch::Tensor x = result.initialNoise.to(device);
    // Euler works in σ space: its initial noise is scaled up (the others' scale is 1).
    if (const double sigma = scheduler.initNoiseSigma(); sigma != 1.0) x = x * sigma;
    const auto& timesteps = scheduler.timesteps();
    const int count = static_cast<int>(timesteps.size());
    StepContextReset reset{model};
    for (int i = 0; i < count; ++i) {
        if (callbacks.shouldCancel()) throw Cancelled();
        const int64_t t = timesteps[i];
        model.setStep(StepContext{i, count, t});
        torch::Tensor tTensor = torch::full({batch}, t, torch::TensorOptions().dtype(torch::kInt64).device(device));
        // What the model sees: x itself, or for Euler x / √(σ² + 1).
        const torch::Tensor input = scheduler.scaleModelInput(x, i);
        torch::Tensor out;
        if (text && textUncond.isNone()) {
            out = model.forward(input, tTensor, textCond);
        } else if (text) {
            // In the order the model's spec gives ([unconditional; conditional] for
            // Stable Diffusion, as StableDiffusionPipeline stacks them).
            const bool uncondFirst = spec.unconditionalFirst;
            torch::Tensor both = model.forward(torch::cat({input, input}), torch::cat({tTensor, tTensor}),
                                               uncondFirst ? Conditioning::cat(textUncond, textCond)
                                                           : Conditioning::cat(textCond, textUncond));
            torch::Tensor uncond = both.narrow(0, uncondFirst ? 0 : batch, batch);
            torch::Tensor cond = both.narrow(0, uncondFirst ? batch : 0, batch);
            out = uncond + request.guidanceScale * (cond - uncond);
        } else if (guided) {
            torch::Tensor both = model.forward(torch::cat({input, input}), torch::cat({tTensor, tTensor}),
                                               Conditioning::classLabels(torch::cat({labels, nullLabels})));
            torch::Tensor cond = both.narrow(0, 0, batch), uncond = both.narrow(0, batch, batch);
            out = uncond + request.guidanceScale * (cond - uncond);
        } else {
            out = model.forward(input, tTensor, Conditioning::classLabels(conditional ? labels : torch::Tensor()));
        }
        // A NaN or Inf output (damaged weights, a broken grid, an overflow)
        // would spread through every later step: stop here, naming the step.
        if (!allFinite(out))
            throw Error("The model's output became NaN or Inf at sampling step " + std::to_string(i + 1) + " of " +
                        std::to_string(count) + " (timestep " + std::to_string(t) +
                        "); nothing was written. Check the weights, or recalibrate a quantized model.");
        StepOutput stepOut = scheduler.step(out, i, x, gen);
        if (callbacks.onStep) {
            StepEvent event{i, count, t, &input, &stepOut.predictedX0, &stepOut.prevSample};
            callbacks.onStep(event);
        }
        x = std::move(stepOut.prevSample);
        callbacks.report(i + 1, count);
    }
    result.samples = x;
    return result;
}

}  // namespace dq
