#pragma once
// The GUI's torch-free view of the core: loading a model folder into a plain
// summary. Keeps LibTorch headers out of every Qt widget translation unit.
#include <string>

#include "core/model/model_summary.h"

namespace dq::gui {

// Throws dq::Error with a user-facing message on any problem.
ModelSummary loadModelSummary(const std::string& folder);

// The shipped/default model folder, or empty.
std::string defaultModel();

}  // namespace dq::gui
