#pragma once
// The result of a per-site sensitivity sweep (sensitivity.h) as plain data
// with a JSON form: what `diffquant sensitivity` writes, what `allocate`
// reads and what the explorer's Layers panel shows. No torch types.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/quant/quant_plan.h"

namespace dq {

// How far the quantized network's predicted noise is from the FP one's, on
// the measured calibration inputs.
struct ErrorMeasure {
    // Per measured step: ||ε̂ − ε||² / ||ε||² summed over that step's inputs.
    std::vector<double> perStepNmse;
    double meanNmse = 0;  // the mean over steps (each step weighs the same)
    // Paired PSNR (dB) of final samples against the FP samples from the same
    // noise, when the sweep sampled images.
    std::optional<double> samplePsnrDb;

    // 10·log10(1 / meanNmse): signal-to-quantization-noise ratio of ε in dB
    // (capped at 200 dB for an exact match).
    double sqnrDb() const;
};

struct OperandSensitivity {
    // Width → error with only this operand of this site quantized (the rest FP).
    std::map<int, ErrorMeasure> alone;
    // Error with this operand of every other site at the base width and this
    // one in FP (absent when the base width leaves that operand in FP).
    std::optional<ErrorMeasure> allBut;
};

struct SiteSensitivity {
    std::string name;
    std::string block;
    std::string kind;            // siteKindName()
    int64_t weightCount = 0;     // 0 for attention operands
    int64_t outputChannels = 0;  // per-channel scales of each weight part
    int weightParts = 0;         // 0 (no weight), 1, or 2 for split shortcut sites
    std::optional<OperandSensitivity> weight;  // absent for attention operands
    OperandSensitivity activation;
};

struct SensitivityReport {
    std::string modelStamp;  // content hash of the FP weights measured
    QuantPlan basePlan;      // site options (granularity, ranges, split) and the base widths
    int baseWeightBits = 0;  // 0: weights stay FP in the base plan
    int baseActivationBits = 0;
    std::vector<int> weightWidths;      // the widths measured alone
    std::vector<int> activationWidths;
    std::vector<int64_t> timesteps;     // the measured steps, in sampling order
    int64_t inputs = 0;                 // network inputs per configuration
    int sampleImages = 0;               // images per configuration for samplePsnrDb (0: none)
    double seconds = 0;
    ErrorMeasure allWeights;      // every weight at its base width, activations FP
    ErrorMeasure allActivations;  // every activation at its base width, weights FP
    std::vector<SiteSensitivity> sites;  // in execution order

    const SiteSensitivity* find(const std::string& site) const;

    std::string toJson() const;
    // Parses a report; anything malformed is one error naming `source` and the key.
    static SensitivityReport fromJson(const std::string& text, const std::string& source);
};

// The sites ranked by how much quantizing one operand alone at `bits` hurts,
// worst first (sites without a measurement at that width are left out).
std::vector<const SiteSensitivity*> rankSites(const SensitivityReport& report, bool weights, int bits);

}  // namespace dq
