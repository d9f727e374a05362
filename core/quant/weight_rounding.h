#pragma once
// How weights become integers. Every strategy starts from the same per-channel
// grids (min/max, or Q-Diffusion's Lp search over clipping ratios) and
// produces the same kind of integer codes, so artifacts, packing and the
// explorer do not care which one ran:
//  - nearest: round W/Δ to the nearest level;
//  - gptq: second-order rounding (Frantar et al.): columns quantized one at a
//    time, each rounding error spread over the remaining columns through the
//    inverse Hessian of the layer's calibration inputs. Seconds per model.
#include <string>

#include "core/callbacks.h"
#include "core/quant/calibration_data.h"
#include "core/quant/quantized_unet.h"

namespace dq {

class Denoiser;

//  - adaround: learned rounding, unit by unit (block_reconstruction.h). Minutes.
enum class WeightRounding { Nearest, Gptq, AdaRound };
const char* weightRoundingName(WeightRounding rounding);
WeightRounding parseWeightRounding(const std::string& name);  // throws dq::Error naming the value

// Weights only, rounded to nearest: per plan, per output channel (split sites
// per input half).
QuantizedUNet quantizeWeights(const Denoiser& model, const QuantPlan& plan);

struct GptqOptions {
    int maxPairs = 256;           // calibration (x_t, t) pairs whose layer inputs form the Hessians
    double dampening = 0.01;      // added to H's diagonal, as a fraction of its mean
    int batchSize = 32;
};

// Re-rounds every quantized weight of `quantized` (built by quantizeWeights,
// whose grids it keeps) with GPTQ. The Hessians come from the FP network's
// layer inputs on the calibration data: a prototype found FP inputs better
// than the quantized network's. Throws dq::Cancelled (leaving `quantized`
// untouched) and reports progress over the Hessian pass and the layers.
void roundWeightsGptq(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                      const GptqOptions& options, const ProgressCallbacks& callbacks = {});

// The layer-level core of GPTQ, exposed for tests: re-rounds `part` (one
// input-channel slice) given the full layer's weight [Cout, cols] (float64),
// the Hessian H [cols, cols] of its inputs, and the column range of each part.
// Returns the integer codes of every part, in part order.
std::vector<torch::Tensor> gptqRound(const torch::Tensor& weight, const torch::Tensor& hessian,
                                     const std::vector<ChannelQuantized>& parts,
                                     const std::vector<std::pair<int64_t, int64_t>>& partColumns, double dampening);

// The im2col rows a Conv2d/Linear site multiplies its weight with: [N, cols].
torch::Tensor layerInputColumns(const SiteInfo& site, const torch::Tensor& input);

}  // namespace dq
