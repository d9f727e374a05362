#include "core/quant/calibration_data.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/validation/resource_limits.h"
#include "core/validation/tensor_checks.h"
#include "core/io/mapped_file.h"
#include "core/io/safetensors.h"
#include "core/quant/calibration_data_format.h"
#include "core/model/denoiser.h"

namespace dq {

const char* timestepSelectionName(TimestepSelection selection) {
    return selection == TimestepSelection::Uniform ? "uniform" : "normal";
}

TimestepSelection parseTimestepSelection(const std::string& name) {
    if (name == "uniform") return TimestepSelection::Uniform;
    if (name == "normal") return TimestepSelection::Normal;
    throw Error("Unknown timestep selection '" + name + "'; use uniform or normal.");
}

std::string CalibrationDataSettings::describe() const {
    nlohmann::ordered_json j = {
        {"timesteps", timestepSelectionName(selection)},
        {"cali_st", steps},
        {"cali_n", samples},
        {"sampler", samplerKindName(trajectory.sampler)},
        {"sampling_steps", trajectory.steps},
        {"spacing", spacingName(trajectory.spacing)},
        {"eta", trajectory.eta},
        {"guidance", trajectory.guidanceScale},
        {"seed", trajectory.seed}};
    if (selection == TimestepSelection::Normal) {
        j["normal_mean"] = normalMean;
        j["normal_std"] = normalStd;
    }
    if (!prompts.empty()) {  // absent for class-conditional models, whose descriptions stay as they were
        j["prompts"] = prompts;
        j["negative_prompt"] = negativePrompt;
        j["clip_skip"] = clipSkip;
    }
    return j.dump();
}

void CalibrationData::save(const std::string& path) const {
    std::map<std::string, torch::Tensor> tensors{{"samples", samples},
                                                 {"timesteps", timesteps},
                                                 {"step_index", stepIndex},
                                                 {"trajectory_timesteps", torch::tensor(trajectoryTimesteps, torch::kInt64)}};
    if (classLabels.defined()) tensors["class_labels"] = classLabels;
    if (promptStates.defined()) {
        tensors["prompt_index"] = promptIndex;
        tensors["prompt_states"] = promptStates.to(torch::kFloat32).contiguous();
        if (withUnconditional) tensors["unconditional_states"] = unconditionalStates.to(torch::kFloat32).contiguous();
    }
    saveSafetensors(path, tensors,
                    {{"format", "diffquant-calibration-data"},
                     {"settings", settings},
                     {"model", modelStamp},
                     {"with_null_class", withUnconditional ? "true" : "false"}});
}

CalibrationData CalibrationData::load(const std::string& path) {
    // The layout first, on the header alone (metadata, tensors, types, sizes);
    // then the values.
    const std::shared_ptr<MappedFile> mapped = MappedFile::open(path);
    const CalibrationDataLayout layout =
        checkCalibrationDataLayout(safetensors::parseFile(mapped->data(), mapped->size(), path), path);
    TensorFile file = loadSafetensors(path);
    CalibrationData d;
    d.samples = file.at("samples", path).clone();
    d.timesteps = file.at("timesteps", path).to(torch::kInt64).clone();
    d.stepIndex = file.at("step_index", path).to(torch::kInt64).clone();
    const torch::Tensor traj = file.at("trajectory_timesteps", path).to(torch::kInt64).contiguous();
    d.trajectoryTimesteps.assign(traj.data_ptr<int64_t>(), traj.data_ptr<int64_t>() + traj.numel());
    if (layout.hasClassLabels) d.classLabels = file.at("class_labels", path).to(torch::kInt64).clone();
    d.settings = file.metadata.at("settings");
    d.modelStamp = file.metadata.at("model");
    d.withUnconditional = file.metadata.at("with_null_class") == "true";
    if (layout.promptCount > 0) {
        d.promptIndex = file.at("prompt_index", path).to(torch::kInt64).clone();
        d.promptStates = file.at("prompt_states", path).to(torch::kFloat32).clone();
        if (d.withUnconditional) d.unconditionalStates = file.at("unconditional_states", path).to(torch::kFloat32).clone();
        if (d.promptIndex.min().item<int64_t>() < 0 || d.promptIndex.max().item<int64_t>() >= layout.promptCount)
            throw Error("Calibration data '" + path + "': tensor 'prompt_index' holds indices outside [0, " +
                        std::to_string(layout.promptCount) + "), the prompts of 'prompt_states'; collect it again.");
        requireFinite(d.promptStates, "Calibration data '" + path + "': tensor 'prompt_states'", "collect it again");
        if (d.withUnconditional)
            requireFinite(d.unconditionalStates, "Calibration data '" + path + "': tensor 'unconditional_states'",
                          "collect it again");
    }
    if (d.stepIndex.min().item<int64_t>() < 0 || d.stepIndex.max().item<int64_t>() >= layout.trajectorySteps)
        throw Error("Calibration data '" + path + "': tensor 'step_index' holds indices outside [0, " +
                    std::to_string(layout.trajectorySteps) + "), the trajectory's steps; collect it again.");
    requireFinite(d.samples, "Calibration data '" + path + "': tensor 'samples'", "collect it again");
    return d;
}

CalibrationData collectCalibrationData(Denoiser& model, const SchedulerConfig& scheduler,
                                       const CalibrationDataSettings& settings, const ProgressCallbacks& callbacks,
                                       const PromptStates* prompts) {
    if (settings.samples < 1 || settings.steps < 1 || settings.batchSize < 1)
        throw Error("Calibration needs cali_n ≥ 1, cali_st ≥ 1 and a positive batch size.");
    const bool text = model.conditioningSpec().kind == ConditioningKind::EncoderStates;
    if (text) {
        if (settings.prompts.empty() || !prompts || !prompts->prompts.defined() ||
            prompts->prompts.size(0) != int64_t(settings.prompts.size()) || !prompts->unconditional.defined())
            throw Error("A text-conditioned model is calibrated from prompts; give at least one calibration prompt.");
    } else if (!settings.prompts.empty()) {
        throw Error("Calibration prompts were given, but the model is not text-conditioned; remove them.");
    }
    const SampleShape shape = model.sampleShape();
    checkAllocation(double(settings.samples) * settings.steps * shape.channels * shape.height * shape.width * sizeof(float),
                    "Calibration data of " + std::to_string(settings.samples) + " trajectories x " +
                        std::to_string(settings.steps) + " timesteps (--cali-n x --cali-st)",
                    "use fewer calibration samples");
    const std::vector<int64_t> timesteps =
        samplerTimesteps(scheduler, settings.trajectory.sampler, settings.trajectory.steps, settings.trajectory.spacing);
    const int stepCount = static_cast<int>(timesteps.size());
    if (settings.selection == TimestepSelection::Uniform && settings.steps > stepCount)
        throw Error("cali_st " + std::to_string(settings.steps) + " exceeds the " + std::to_string(stepCount) +
                    " sampling steps of the calibration trajectory.");

    // picks[s]: for each trajectory, the steps at which its x_t is kept.
    std::vector<std::vector<int>> picks(static_cast<std::size_t>(settings.samples));
    if (settings.selection == TimestepSelection::Uniform) {
        // Evenly spaced over the trajectory, first (noisiest) and last step included.
        std::vector<int> steps;
        for (int k = 0; k < settings.steps; ++k)
            steps.push_back(settings.steps == 1 ? stepCount - 1
                                                : static_cast<int>(std::lround(k * (stepCount - 1.0) / (settings.steps - 1))));
        for (auto& p : picks) p = steps;
    } else {
        // NDTC: t ~ N(mean·T, std·T) clamped to [0, T−1], mapped to the nearest step.
        auto gen = at::make_generator<at::CPUGeneratorImpl>(settings.trajectory.seed + 0x9e3779b9ull);
        const double T = scheduler.numTrainTimesteps;
        const torch::Tensor draws =
            torch::randn({settings.samples, settings.steps}, gen, torch::kFloat64) * (settings.normalStd * T) +
            settings.normalMean * T;
        auto acc = draws.accessor<double, 2>();
        for (int s = 0; s < settings.samples; ++s)
            for (int k = 0; k < settings.steps; ++k) {
                const double t = std::clamp(acc[s][k], 0.0, T - 1);
                int best = 0;
                for (int i = 1; i < stepCount; ++i)
                    if (std::abs(timesteps[i] - t) < std::abs(timesteps[best] - t)) best = i;
                picks[static_cast<std::size_t>(s)].push_back(best);
            }
    }

    const int classes = realClassCount(model);
    const int batches = (settings.samples + settings.batchSize - 1) / settings.batchSize;
    std::vector<torch::Tensor> xs, ts, idx, labels, promptRows;
    for (int b = 0; b < batches; ++b) {
        const int first = b * settings.batchSize;
        const int count = std::min(settings.batchSize, settings.samples - first);
        SampleRequest request = batchRequest(settings.trajectory, first, count, b, classes);
        torch::Tensor promptOf;  // text: the prompt of each trajectory in the batch
        if (text) {
            request = withPrompts(request, *prompts, first, count);
            promptOf = torch::arange(first, first + count, torch::kInt64).remainder(int64_t(settings.prompts.size()));
        }
        // Models that embed class values like timesteps have no class table;
        // they are calibrated (and sampled by default) with class value 0.
        const bool conditional = model.conditioningSpec().kind == ConditioningKind::ClassLabels;
        if (conditional && !request.classLabels.defined()) request.classLabels = torch::zeros({count}, torch::kInt64);
        SampleCallbacks cb;
        cb.cancelled = callbacks.cancelled;
        cb.progress = [&](int step, int total) { callbacks.report(b * total + step, batches * total); };
        cb.onStep = [&](const StepEvent& e) {
            std::vector<int64_t> rows;
            for (int j = 0; j < count; ++j)
                for (int p : picks[static_cast<std::size_t>(first + j)])
                    if (p == e.index) rows.push_back(j);
            if (rows.empty()) return;
            const torch::Tensor sel = torch::tensor(rows, torch::kInt64);
            xs.push_back(e.sampleBefore->to(torch::kCPU).index_select(0, sel).to(torch::kFloat16));
            ts.push_back(torch::full({static_cast<int64_t>(rows.size())}, e.timestep, torch::kInt64));
            idx.push_back(torch::full({static_cast<int64_t>(rows.size())}, e.index, torch::kInt64));
            if (conditional) labels.push_back(request.classLabels.index_select(0, sel));
            if (text) promptRows.push_back(promptOf.index_select(0, sel));
        };
        runSampler(model, scheduler, request, cb);
    }
    CalibrationData data;
    data.samples = torch::cat(xs);
    data.timesteps = torch::cat(ts);
    data.stepIndex = torch::cat(idx);
    if (!labels.empty()) data.classLabels = torch::cat(labels);
    data.trajectoryTimesteps = timesteps;
    data.withUnconditional = (model.conditioningSpec().supportsGuidance() && classes > 0) || text;
    if (text) {
        data.promptIndex = torch::cat(promptRows);
        data.promptStates = prompts->prompts.to(torch::kCPU, torch::kFloat32).contiguous();
        data.unconditionalStates = prompts->unconditional.to(torch::kCPU, torch::kFloat32).contiguous();
    }
    data.settings = settings.describe();
    return data;
}

}  // namespace dq
