#pragma once
// Uniform affine quantization, the arithmetic every method here shares:
//   q = clamp(round(x / Δ) + z, qmin, qmax),   x̂ = (q − z) · Δ
// round() is round-half-to-even (std::nearbyint, as LibTorch's fused
// fake-quantize kernels do). Symmetric grids are signed, [−2^(b−1), 2^(b−1)−1]
// with z = 0 and Δ = max|x| / (2^(b−1) − 1); asymmetric grids are unsigned,
// [0, 2^b − 1], with Δ = (hi − lo) / (2^b − 1) and z = round(−lo / Δ), where the
// range is first widened to include 0 so that zero is exactly representable.
#include <cstdint>

#include <torch/types.h>

namespace dq {

struct IntegerRange {
    int64_t qmin = 0;
    int64_t qmax = 255;
};

// Valid widths are 2..16 bits; anything else throws dq::Error.
IntegerRange integerRange(int bits, bool symmetric);

// The narrowest integer type that holds a grid's codes: int8 (symmetric, up to
// 8 bits), uint8 (asymmetric, up to 8), int16 (up to 15 bits, or symmetric 16)
// or int32 (asymmetric 16 bits reach 65535). Weight codes are kept in it, so
// an SD-size 4- or 8-bit model holds 0.8 GB of codes, not 3.3 GB of int32.
torch::ScalarType codeType(int bits, bool symmetric);

struct AffineParams {
    float scale = 1.0f;
    int32_t zeroPoint = 0;
};

// The grid covering [lo, hi] (lo ≤ hi) at `bits`.
AffineParams affineParams(double lo, double hi, int bits, bool symmetric);

// Fake-quantizes with one scale and zero point: LibTorch's fused kernel on
// GPUs, the same float32 arithmetic as in-place element-wise ops on the CPU.
torch::Tensor fakeQuantize(const torch::Tensor& x, const AffineParams& params, int bits, bool symmetric);
// The same in place on a float32 CPU tensor or view (e.g. one channel slice).
void fakeQuantizeInPlace(torch::Tensor& x, const AffineParams& params, int bits, bool symmetric);

// Differentiable fake quantization for learning (reconstruction, LSQ):
// straight-through rounding, so gradients reach x inside the grid's range and
// `scale` (a tensor broadcastable to x, e.g. a learnable step size; no LSQ
// gradient scaling, as in Q-Diffusion's code). zeroPoint is broadcastable too
// and not learned. x · (1/Δ) is rounded half-to-even, as in the inference
// path; use this mode for learning and fakeQuantize for inference.
torch::Tensor fakeQuantizeSte(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& zeroPoint,
                              int bits, bool symmetric);

// Per-output-channel integer weights: q has the weight's shape (int32, which
// holds signed and unsigned grids up to 16 bits), scale [C] float32,
// zeroPoint [C] int32.
struct ChannelQuantized {
    torch::Tensor q;  // integer codes, of codeType(bits, symmetric)
    torch::Tensor scale;
    torch::Tensor zeroPoint;
    int bits = 8;
    bool symmetric = true;
};

// Quantizes a weight [C, ...] per output channel over the ranges lo[C], hi[C].
ChannelQuantized quantizePerChannel(const torch::Tensor& weight, const torch::Tensor& lo, const torch::Tensor& hi,
                                    int bits, bool symmetric);
// (q − z) · Δ in float32 on q's device: the weight the quantized model uses.
torch::Tensor dequantize(const ChannelQuantized& quantized);

// Per-channel weight ranges [C]: the channel's min and max, or with `mseSearch`
// Q-Diffusion's search over 80 clipping ratios 1.00, 0.99, …, 0.21 of both,
// keeping per channel the one with the lowest Lp error (p = 2.4).
std::pair<torch::Tensor, torch::Tensor> weightRanges(const torch::Tensor& weight, int bits, bool symmetric,
                                                     bool mseSearch);

// The clipping ratios of the MSE search and its norm.
constexpr int kClipRatioCount = 80;
constexpr double kLpNorm = 2.4;
inline double clipRatio(int index) { return 1.0 - 0.01 * index; }

}  // namespace dq
