#include "core/quant/calibration_batches.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/denoiser.h"

namespace dq {

std::vector<std::pair<int, torch::Tensor>> calibrationBatchRows(const CalibrationData& data, int batchSize,
                                                                int64_t maxRows) {
    const torch::Tensor steps = std::get<0>(torch::_unique(data.stepIndex));
    std::vector<std::pair<int, torch::Tensor>> batches;
    const int64_t rowsPerBatch = std::max<int64_t>(1, data.withUnconditional ? batchSize / 2 : batchSize);
    const int64_t stepCount = steps.size(0);
    // A per-step share of maxRows, at least one row per step.
    const int64_t perStep = maxRows > 0 ? std::max<int64_t>(1, maxRows / std::max<int64_t>(1, stepCount)) : 0;
    for (int64_t k = 0; k < stepCount; ++k) {
        const int step = static_cast<int>(steps[k].item<int64_t>());
        torch::Tensor rows = data.stepIndex.eq(step).nonzero().flatten();
        if (perStep > 0 && rows.size(0) > perStep) {
            const torch::Tensor pick = torch::linspace(0, static_cast<double>(rows.size(0) - 1), perStep, torch::kFloat64)
                                           .round()
                                           .to(torch::kInt64);
            rows = rows.index_select(0, pick);
        }
        for (int64_t from = 0; from < rows.size(0); from += rowsPerBatch)
            batches.emplace_back(step, rows.narrow(0, from, std::min(rowsPerBatch, rows.size(0) - from)));
    }
    return batches;
}

CalibrationBatch makeCalibrationBatch(const Denoiser& model, const CalibrationData& data, int stepIndex,
                                      const torch::Tensor& rows) {
    const ConditioningSpec spec = model.conditioningSpec();
    const torch::Device device = model.device();
    CalibrationBatch b;
    b.stepIndex = stepIndex;
    b.x = data.samples.index_select(0, rows).to(device, torch::kFloat32);
    b.t = data.timesteps.index_select(0, rows).to(device);
    // index_select copies: the batch holds ordinary tensors even when the data
    // was collected in inference mode, so reconstruction can learn through it.
    Conditioning unconditional;
    if (spec.kind == ConditioningKind::ClassLabels) {
        const torch::Tensor labels = data.classLabels.index_select(0, rows).to(device);
        b.condition = Conditioning::classLabels(labels);
        if (data.withUnconditional) unconditional = Conditioning::classLabels(torch::full_like(labels, *spec.nullClassLabel));
    } else if (spec.kind == ConditioningKind::EncoderStates) {
        b.condition = Conditioning::encoderStates(
            data.promptStates.index_select(0, data.promptIndex.index_select(0, rows)).to(device));
        if (data.withUnconditional)
            unconditional = Conditioning::encoderStates(
                data.unconditionalStates.index_select(0, torch::zeros({rows.size(0)}, torch::kInt64)).to(device));
    }
    if (!unconditional.isNone()) {
        b.x = torch::cat({b.x, b.x});
        b.t = torch::cat({b.t, b.t});
        b.condition = spec.unconditionalFirst ? Conditioning::cat(unconditional, b.condition)
                                              : Conditioning::cat(b.condition, unconditional);
    }
    return b;
}

void forEachCalibrationBatch(Denoiser& model, const CalibrationData& data,
                             const std::vector<std::pair<int, torch::Tensor>>& batches,
                             const std::function<void(const CalibrationBatch&)>& visit,
                             const ProgressCallbacks& callbacks, int done, int total) {
    const int stepCount = static_cast<int>(data.trajectoryTimesteps.size());
    if (total <= 0) total = static_cast<int>(batches.size());
    for (const auto& [step, rows] : batches) {
        if (callbacks.shouldCancel()) throw Cancelled();
        if (step < 0 || step >= stepCount)
            throw Error("The calibration data names step " + std::to_string(step) + " but its trajectory has " +
                        std::to_string(stepCount) + " steps; collect it again.");
        const CalibrationBatch batch = makeCalibrationBatch(model, data, step, rows);
        model.setStep(StepContext{step, stepCount, data.trajectoryTimesteps[static_cast<std::size_t>(step)]});
        visit(batch);
        callbacks.report(++done, total);
    }
}

void checkCalibrationData(const Denoiser& model, const CalibrationData& data) {
    if (data.size() == 0) throw Error("The calibration data is empty.");
    const ConditioningKind kind = model.conditioningSpec().kind;
    if (kind != ConditioningKind::EncoderStates && data.promptStates.defined())
        throw Error("The calibration data was collected from prompts but the model is not text-conditioned; collect it "
                    "again.");
    if (kind == ConditioningKind::ClassLabels && !data.classLabels.defined())
        throw Error("The calibration data has no class labels but the model is class-conditional; collect it again.");
    if (kind == ConditioningKind::EncoderStates && !data.promptStates.defined())
        throw Error("The calibration data has no prompts but the model is text-conditioned; collect it again from "
                    "calibration prompts.");
}

}  // namespace dq
