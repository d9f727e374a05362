#pragma once
// Iterates calibration data in model-ready batches. Every pass over the
// calibration set (range observation, GPTQ Hessians, reconstruction capture)
// goes through here, so they all see the same inputs in the same order.
#include <functional>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/model/conditioning.h"
#include "core/quant/calibration_data.h"

namespace dq {

class Denoiser;

struct CalibrationBatch {
    int stepIndex = 0;        // index into data.trajectoryTimesteps
    torch::Tensor x, t;        // on the model's device
    Conditioning condition;    // class labels or encoder states, on the model's device (none: unconditional model)
};

// Batches never mix calibration steps, so per-step grids see their own step
// only. For data used unconditionally too, each row is used with its class and
// the null class, or its prompt and the negative prompt (rowsPerBatch is halved so that a batch holds `batchSize` inputs).
// `maxRows` > 0 keeps an evenly strided subset of each step's rows.
std::vector<std::pair<int, torch::Tensor>> calibrationBatchRows(const CalibrationData& data, int batchSize,
                                                                int64_t maxRows = 0);

// Builds the batch's inputs on the model's device; with the unconditional
// copies stacked in the order of the model's ConditioningSpec.
CalibrationBatch makeCalibrationBatch(const Denoiser& model, const CalibrationData& data, int stepIndex,
                                      const torch::Tensor& rows);

// Runs `visit` on every batch after setting the model's step context; reports
// progress as (done + k, total) and polls cancel before each batch.
void forEachCalibrationBatch(Denoiser& model, const CalibrationData& data,
                             const std::vector<std::pair<int, torch::Tensor>>& batches,
                             const std::function<void(const CalibrationBatch&)>& visit,
                             const ProgressCallbacks& callbacks, int done = 0, int total = 0);

// Checks that the data can calibrate the model (non-empty, the conditioning it needs).
void checkCalibrationData(const Denoiser& model, const CalibrationData& data);

}  // namespace dq
