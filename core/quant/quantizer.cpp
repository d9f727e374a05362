#include "core/quant/quantizer.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

IntegerRange integerRange(int bits, bool symmetric) {
    if (bits < 2 || bits > 16)
        throw Error("Quantization width " + std::to_string(bits) + " is outside the supported 2..16 bits.");
    if (symmetric) return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
    return {0, (int64_t{1} << bits) - 1};
}

namespace {
// Smallest step we allow: keeps 1/Δ finite for all-zero tensors.
constexpr double kMinScale = 1e-12;
}  // namespace

AffineParams affineParams(double lo, double hi, int bits, bool symmetric) {
    const IntegerRange r = integerRange(bits, symmetric);
    if (!std::isfinite(lo) || !std::isfinite(hi)) throw Error("A quantization range is not finite (NaN or Inf).");
    AffineParams p;
    if (symmetric) {
        const double m = std::max(std::abs(lo), std::abs(hi));
        p.scale = static_cast<float>(std::max(m / static_cast<double>(r.qmax), kMinScale));
        p.zeroPoint = 0;
        return p;
    }
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    p.scale = static_cast<float>(std::max((hi - lo) / static_cast<double>(r.qmax - r.qmin), kMinScale));
    const double z = std::nearbyint(-lo / static_cast<double>(p.scale));
    p.zeroPoint = static_cast<int32_t>(std::clamp<double>(z, static_cast<double>(r.qmin), static_cast<double>(r.qmax)));
    return p;
}

// The rest of the fused kernel's arithmetic on x·(1/Δ), in place:
// (clamp(nearbyint(·) + z, qmin, qmax) − z)·Δ.
static void roundClampAndRescaleInPlace(torch::Tensor& scaled, const AffineParams& params, const IntegerRange& r) {
    scaled.round_().add_(params.zeroPoint).clamp_(static_cast<double>(r.qmin), static_cast<double>(r.qmax));
    scaled.sub_(params.zeroPoint).mul_(params.scale);
}

torch::Tensor fakeQuantize(const torch::Tensor& x, const AffineParams& params, int bits, bool symmetric) {
    const IntegerRange r = integerRange(bits, symmetric);
    if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32)
        return torch::fake_quantize_per_tensor_affine(x, params.scale, params.zeroPoint, r.qmin, r.qmax);
    // On the CPU, LibTorch's fused kernel also writes a gradient mask and runs
    // ~10x slower than this chain of in-place element-wise ops (4.9 ms vs
    // 0.44 ms on a 16x64x32x32 tensor, 2 threads). The arithmetic is the
    // kernel's own, in float32: (clamp(nearbyint(x·(1/Δ)) + z, qmin, qmax) − z)·Δ,
    // so both paths give identical bits (tested).
    torch::Tensor out = x.mul(1.0f / params.scale);
    roundClampAndRescaleInPlace(out, params, r);
    return out;
}

void fakeQuantizeInPlace(torch::Tensor& x, const AffineParams& params, int bits, bool symmetric) {
    x.mul_(1.0f / params.scale);
    roundClampAndRescaleInPlace(x, params, integerRange(bits, symmetric));
}

namespace {
// Per-channel Δ and z for ranges lo[C], hi[C] (float64 in, float32/int32 out),
// the vectorised twin of affineParams.
std::pair<torch::Tensor, torch::Tensor> channelParams(torch::Tensor lo, torch::Tensor hi, int bits, bool symmetric) {
    const IntegerRange r = integerRange(bits, symmetric);
    lo = lo.to(torch::kFloat64);
    hi = hi.to(torch::kFloat64);
    torch::Tensor scale, zero;
    if (symmetric) {
        scale = torch::maximum(lo.abs(), hi.abs()).div(static_cast<double>(r.qmax)).clamp_min(kMinScale).to(torch::kFloat32);
        zero = torch::zeros_like(scale, torch::kInt32);
    } else {
        lo = lo.clamp_max(0.0);
        hi = hi.clamp_min(0.0);
        scale = (hi - lo).div(static_cast<double>(r.qmax - r.qmin)).clamp_min(kMinScale).to(torch::kFloat32);
        zero = torch::round(-lo / scale.to(torch::kFloat64))
                   .clamp(static_cast<double>(r.qmin), static_cast<double>(r.qmax))
                   .to(torch::kInt32);
    }
    return {scale, zero};
}

torch::Tensor broadcastChannel(const torch::Tensor& perChannel, int64_t dims) {
    std::vector<int64_t> shape(static_cast<std::size_t>(dims), 1);
    shape[0] = -1;
    return perChannel.view(shape);
}
}  // namespace

torch::ScalarType codeType(int bits, bool symmetric) {
    if (bits <= 8) return symmetric ? torch::kInt8 : torch::kUInt8;
    return bits <= 15 || symmetric ? torch::kInt16 : torch::kInt32;
}

ChannelQuantized quantizePerChannel(const torch::Tensor& weight, const torch::Tensor& lo, const torch::Tensor& hi,
                                    int bits, bool symmetric) {
    const IntegerRange r = integerRange(bits, symmetric);
    auto [scale, zero] = channelParams(lo, hi, bits, symmetric);
    const torch::Tensor w = weight.to(torch::kFloat32);
    const int64_t dims = w.dim();
    scale = scale.to(w.device());
    zero = zero.to(w.device());
    torch::Tensor q = torch::round(w / broadcastChannel(scale, dims)) + broadcastChannel(zero, dims).to(torch::kFloat32);
    q = q.clamp(static_cast<double>(r.qmin), static_cast<double>(r.qmax)).to(codeType(bits, symmetric));
    return {q, scale, zero, bits, symmetric};
}

torch::Tensor dequantize(const ChannelQuantized& quantized) {
    const int64_t dims = quantized.q.dim();
    const torch::Tensor scale = broadcastChannel(quantized.scale.to(quantized.q.device()), dims);
    const torch::Tensor zero = broadcastChannel(quantized.zeroPoint.to(quantized.q.device()), dims);
    return (quantized.q.to(torch::kInt32) - zero).to(torch::kFloat32) * scale;
}

std::pair<torch::Tensor, torch::Tensor> weightRanges(const torch::Tensor& weight, int bits, bool symmetric,
                                                     bool mseSearch) {
    const torch::Tensor flat = weight.detach().flatten(1).to(torch::kFloat32);
    torch::Tensor lo = std::get<0>(flat.min(1)), hi = std::get<0>(flat.max(1));
    if (!mseSearch) return {lo, hi};
    torch::Tensor bestError, bestLo = lo.clone(), bestHi = hi.clone();
    for (int i = 0; i < kClipRatioCount; ++i) {
        const double ratio = clipRatio(i);
        const torch::Tensor candLo = lo * ratio, candHi = hi * ratio;
        const ChannelQuantized q = quantizePerChannel(flat, candLo, candHi, bits, symmetric);
        const torch::Tensor error = (dequantize(q) - flat).abs().pow(kLpNorm).sum(1);
        if (i == 0) {
            bestError = error;
            continue;
        }
        const torch::Tensor better = error < bestError;
        bestError = torch::where(better, error, bestError);
        bestLo = torch::where(better, candLo, bestLo);
        bestHi = torch::where(better, candHi, bestHi);
    }
    return {bestLo, bestHi};
}

torch::Tensor fakeQuantizeSte(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& zeroPoint,
                              int bits, bool symmetric) {
    const IntegerRange r = integerRange(bits, symmetric);
    const torch::Tensor v = x * scale.reciprocal();  // the inference path's x · (1/Δ)
    const torch::Tensor rounded = v + (torch::round(v) - v).detach();  // forward: round; backward: identity
    const torch::Tensor q = torch::clamp(rounded + zeroPoint, static_cast<double>(r.qmin), static_cast<double>(r.qmax));
    return (q - zeroPoint) * scale;
}

}  // namespace dq
