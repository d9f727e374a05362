#pragma once
// Calibration data from the full-precision sampling trajectory: (x_t, t,
// condition) triples, where the condition is a class label or a prompt's
// text-encoder states, chosen uniformly over the steps (Q-Diffusion) or by timesteps drawn
// from a normal distribution over [0, T) (PTQ4DM's NDTC). Stored as float16 in
// a safetensors file so that it can be reused across calibration runs.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/io/file_stamp.h"
#include "core/sampling/pipeline.h"

namespace dq {

class Denoiser;

enum class TimestepSelection { Uniform, Normal };
const char* timestepSelectionName(TimestepSelection selection);
TimestepSelection parseTimestepSelection(const std::string& name);

struct CalibrationDataSettings {
    TimestepSelection selection = TimestepSelection::Uniform;
    int steps = 20;     // cali_st: steps kept per trajectory (uniform) or timesteps drawn per trajectory (normal)
    int samples = 256;  // cali_n: trajectories
    double normalMean = 0.4;  // NDTC, as fractions of the number of training timesteps T
    double normalStd = 0.4;
    int batchSize = 64;
    SampleRequest trajectory;  // sampler, steps, spacing, eta, guidance and seed of the FP runs
    // Text-conditioned models: trajectory s follows prompt s mod P, guided
    // against the negative prompt (Q-Diffusion: 128 prompts and the null prompt).
    std::vector<std::string> prompts;
    std::string negativePrompt;
    int clipSkip = 0;  // final text-encoder layers skipped

    std::string describe() const;  // canonical JSON, stored with the data and compared on reuse
};

struct CalibrationData {
    torch::Tensor samples;     // [N,C,H,W] float16 x_t, CPU
    torch::Tensor timesteps;   // [N] int64
    torch::Tensor stepIndex;   // [N] int64, index into the trajectory's steps
    torch::Tensor classLabels; // [N] int64, class-conditional models only
    // Text-conditioned models: row i is conditioned on promptStates[promptIndex[i]].
    torch::Tensor promptIndex;          // [N] int64
    torch::Tensor promptStates;         // [P, tokens, dim] float32, CPU
    torch::Tensor unconditionalStates;  // [1, tokens, dim]: the negative prompt's, with withUnconditional
    std::vector<int64_t> trajectoryTimesteps;  // the sampler's timesteps, in order
    // Every sample is also used unconditionally (the null class, or the
    // negative prompt), as the guided sampler runs the model both ways.
    // Stored under the file key "with_null_class".
    bool withUnconditional = false;
    std::string settings;        // CalibrationDataSettings::describe()
    std::string modelStamp;      // identifies the FP weights

    int64_t size() const { return samples.defined() ? samples.size(0) : 0; }
    void save(const std::string& path) const;
    static CalibrationData load(const std::string& path);
};

// Runs the FP sampler over settings.samples trajectories (in batches) and keeps
// the chosen (x_t, t) pairs. For class-conditional models with a null class,
// classes are mixed and every pair is later used with its class and the null
// class; for text-conditioned models (`prompts` required) prompts are cycled
// and every pair is later used with its prompt and the negative prompt.
CalibrationData collectCalibrationData(Denoiser& model, const SchedulerConfig& scheduler,
                                       const CalibrationDataSettings& settings,
                                       const ProgressCallbacks& callbacks = {}, const PromptStates* prompts = nullptr);

}  // namespace dq
