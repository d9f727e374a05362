#pragma once
// Block reconstruction as Q-Diffusion does it (BRECQ with AdaRound), then
// LSQ-style learning of activation step sizes, unit by unit in execution
// order (see ../shared/docs/ptq-methods.md and docs/quantization.md):
//  - units: each ResnetBlock2D, each attention block (with its q/k/v/softmax
//    quantizers), every other Conv2d/Linear alone (Denoiser::units());
//  - a unit's input comes from the network whose earlier units are already
//    quantized ("asym"); its target is the FP unit's output on the FP input;
//  - weights: one rounding variable α per weight, Ŵ = Δ·(clamp(⌊W/Δ⌋ + h(α) + z)
//    − z) with the rectified sigmoid h; loss Σ_channels mean_rest (out − target)²
//    + λ·Σ(1 − |2h − 1|^β), no regulariser for the first 20 % of iterations,
//    then β annealed 20 → 2; Adam on α; hard rounding ⌊W/Δ⌋ + [α ≥ 0] at the end.
//    Split shortcuts have one set of α per half and both are regularised
//    (Q-Diffusion's code regularises only the first half);
//  - activations: with the weights hard, every activation quantizer of the
//    unit (attention operands and softmax included) learns its step size Δ
//    through the straight-through quantizer (Adam, cosine decay); z is fixed.
// Learned rounding hardens into the same integer codes and learned steps into
// the same grids, so artifacts and packing are unchanged.
#include <string>
#include <vector>

#include "core/callbacks.h"
#include "core/quant/calibration_data.h"
#include "core/quant/quantized_unet.h"

namespace dq {

class Denoiser;

struct ReconstructionOptions {
    int weightIterations = 500;      // AdaRound iterations per unit (0: keep the rounding)
    int activationIterations = 0;    // LSQ iterations per unit (0: keep the grids)
    int batchSize = 32;
    int maxPairs = 128;              // calibration pairs whose unit inputs are cached
    // Q-Diffusion uses 1e-3 with 20,000 iterations per unit; with the few
    // hundred a CPU affords, α barely moves at 1e-3 (measured: 17.9 dB paired
    // PSNR at 200 iterations against 24.4 dB at 500 iterations and 1e-2).
    double weightLearningRate = 1e-2;
    double activationLearningRate = 4e-4;
    double roundingWeight = 0.01;    // λ
    double warmup = 0.2;             // fraction of iterations without the regulariser
    double betaStart = 20, betaEnd = 2;
    uint64_t seed = 0;               // minibatch order
};

// Each unit's output error (the reconstruction loss without regulariser) on
// the cached inputs, before and after.
struct UnitReport {
    std::string unit;
    std::string phase;  // "weights" or "activations"
    double before = 0;
    double after = 0;
    double seconds = 0;
};

// AdaRound for every unit with quantized weights. `quantized` must come from
// quantizeWeights (its grids are kept; its rounding is the starting point's
// reference). Progress: (unit k, of N); detail: the current loss. Throws
// dq::Cancelled, leaving `quantized` as it was.
std::vector<UnitReport> reconstructWeights(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                           const ReconstructionOptions& options, const ProgressCallbacks& callbacks = {});

// LSQ for every unit with activation quantizers (grids already fitted).
std::vector<UnitReport> learnActivationSteps(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                             const ReconstructionOptions& options,
                                             const ProgressCallbacks& callbacks = {});

// AdaRound's rectified sigmoid and its inverse (for initialisation), exposed for tests.
torch::Tensor rectifiedSigmoid(const torch::Tensor& alpha);
torch::Tensor initialRoundingVariable(const torch::Tensor& fractionalPart);

}  // namespace dq
