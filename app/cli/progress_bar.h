#pragma once
// A one-line progress bar on stderr for long CLI operations.
#include <chrono>
#include <string>

#include "core/callbacks.h"
#include "core/training/training_progress.h"

namespace dq::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    // Redraws at most ~10 times a second, always on the last step.
    void update(int step, int total, const std::string& suffix = {});
    // A new stage: new label, and the ETA restarts.
    void setLabel(std::string label);
    // Callbacks that draw on this bar: a stage renames it, and the latest
    // detail (e.g. a unit's loss) follows the count.
    ProgressCallbacks callbacks();
    // Callbacks for a trainer: the step count, with the interval's mean loss,
    // throughput and learning rate after it.
    TrainCallbacks trainingCallbacks();

private:
    std::string label_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point lastDraw_;
    bool enabled_;
    std::string detail_;
};

}  // namespace dq::cli
