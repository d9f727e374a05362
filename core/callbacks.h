#pragma once
// Callbacks shared by every long operation (sampling, calibration, training),
// in the spirit of stable-diffusion.cpp's small C API: progress, cancel, and a
// log sink are plain std::functions so front ends (CLI, Qt worker) stay thin.
#include <functional>
#include <string>

namespace dq {

struct ProgressCallbacks {
    // step counts from 1 to total.
    std::function<void(int step, int total)> progress;
    // Polled at least once per step; returning true aborts with dq::Cancelled.
    std::function<bool()> cancelled;
    // Called when a long operation enters a new stage (e.g. "rounding",
    // "observing ranges"); progress then counts within that stage.
    std::function<void(const std::string& stage)> stage;
    // Free-form status for the current step, e.g. a reconstruction loss.
    std::function<void(const std::string& detail)> detail;

    void report(int step, int total) const {
        if (progress) progress(step, total);
    }
    bool shouldCancel() const { return cancelled && cancelled(); }
    void beginStage(const std::string& name) const {
        if (stage) stage(name);
    }
    void reportDetail(const std::string& text) const {
        if (detail) detail(text);
    }
};

}  // namespace dq
