#pragma once
// What every trainer reports while it runs, and the loss log that produces
// it: the mean loss and the throughput over each log interval, handed to the
// progress callback every `logEvery` steps and at the last step.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace dq {

struct TrainProgress {
    int64_t step = 0;   // steps done
    int64_t total = 0;
    double loss = 0;    // mean loss over the last log interval
    double imagesPerSecond = 0;
    double learningRate = 0;
};

struct TrainCallbacks {
    std::function<void(const TrainProgress&)> progress;  // every log_every steps
    std::function<bool()> cancelled;                      // polled every step
};

struct TrainResult {
    int64_t startStep = 0;  // the checkpoint's step a resumed run started from (0: a fresh run)
    int64_t steps = 0;      // the step reached
    double finalLoss = 0;   // mean loss of the last log interval (0 when no step ran)
    double seconds = 0;     // wall time of this run (not counting resumed runs)

    // "Trained from step 250 to step 3000 in 812 s (final loss 0.0412)", or,
    // for a resume of a finished run, "Already trained to step 3000 …".
    std::string summary() const {
        if (steps <= startStep)
            return "Already trained to step " + std::to_string(steps) +
                   " (the checkpoint had finished; the output was rewritten from it)";
        char loss[32];
        std::snprintf(loss, sizeof loss, "%.5g", finalLoss);
        return std::string("Trained ") + (startStep ? "from step " + std::to_string(startStep) + " " : "") + "to step " +
               std::to_string(steps) + " in " + std::to_string(static_cast<long long>(seconds + 0.5)) +
               " s (final loss " + loss + ")";
    }
};

class TrainingLossLog {
public:
    TrainingLossLog(const TrainCallbacks& callbacks, int64_t totalSteps, int logEvery, int batchSize)
        : callbacks_(callbacks), total_(totalSteps), every_(logEvery), batch_(batchSize) {}

    // After step `done` (counted from 1) with its loss and learning rate.
    void add(int64_t done, double loss, double learningRate) {
        sum_ += loss;
        ++count_;
        if (done % every_ != 0 && done != total_) return;
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - last_).count();
        const TrainProgress p{done, total_, sum_ / count_, count_ * batch_ / (seconds > 1e-9 ? seconds : 1e-9),
                              learningRate};
        lastMean_ = p.loss;
        if (callbacks_.progress) callbacks_.progress(p);
        last_ = now;
        sum_ = 0;
        count_ = 0;
    }
    // The mean loss of the last reported interval.
    double lastMean() const { return lastMean_; }

private:
    const TrainCallbacks& callbacks_;
    int64_t total_;
    int every_;
    int batch_;
    double sum_ = 0;
    int count_ = 0;
    double lastMean_ = 0;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace dq
