#pragma once
// Callbacks shared by every long operation (sampling, calibration, training),
// in the spirit of stable-diffusion.cpp's small C API: progress, cancel, and a
// log sink are plain std::functions so front ends (CLI, Qt worker) stay thin.
#include <functional>

namespace dq {

struct ProgressCallbacks {
    // step counts from 1 to total.
    std::function<void(int step, int total)> progress;
    // Polled at least once per step; returning true aborts with dq::Cancelled.
    std::function<bool()> cancelled;

    void report(int step, int total) const {
        if (progress) progress(step, total);
    }
    bool shouldCancel() const { return cancelled && cancelled(); }
};

}  // namespace dq
