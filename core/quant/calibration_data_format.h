#pragma once
// The layout of a calibration data file (safetensors), checked on its header
// alone, without torch, so that a fuzz target can exercise it: the metadata a
// file must carry, the tensors it must hold, their element types and how their
// sizes agree. The loader (calibration_data.cpp) then checks the values
// (step indices inside the trajectory, finite samples).
#include <cstdint>
#include <string>

#include "core/io/safetensors_format.h"

namespace dq {

struct CalibrationDataLayout {
    int64_t pairs = 0;          // kept (x_t, t) pairs
    int64_t trajectorySteps = 0;
    bool hasClassLabels = false;
    int64_t promptCount = 0;  // text-conditioned data: rows of 'prompt_states' (0: none)
};

// Throws dq::Error naming `path` and the tensor or metadata key at fault.
CalibrationDataLayout checkCalibrationDataLayout(const safetensors::Header& header, const std::string& path);

}  // namespace dq
