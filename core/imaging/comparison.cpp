#include "core/imaging/comparison.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

torch::Tensor amplifiedDifference(const torch::Tensor& a, const torch::Tensor& b, double factor) {
    return ((a - b).abs() * factor).clamp(0, 1);
}

Image8 joinHorizontally(const std::vector<Image8>& panels, int gap) {
    if (panels.empty()) return {};
    Image8 out;
    out.channels = panels.front().channels;
    for (const Image8& p : panels) {
        if (p.channels != out.channels) throw Error("Cannot join images with different channel counts.");
        out.width += p.width;
        out.height = std::max(out.height, p.height);
    }
    out.width += gap * static_cast<int>(panels.size() - 1);
    out.pixels.assign(static_cast<std::size_t>(out.width) * out.height * out.channels, 128);
    int x0 = 0;
    for (const Image8& p : panels) {
        for (int y = 0; y < p.height; ++y)
            std::copy_n(p.pixels.begin() + static_cast<std::ptrdiff_t>(y) * p.width * p.channels, p.width * p.channels,
                        out.pixels.begin() + (static_cast<std::ptrdiff_t>(y) * out.width + x0) * out.channels);
        x0 += p.width + gap;
    }
    return out;
}

Image8 makeComparisonImage(const torch::Tensor& fp, const torch::Tensor& quantized, double amplify, int columns) {
    if (fp.sizes() != quantized.sizes()) throw Error("FP and quantized batches differ in shape.");
    return joinHorizontally({makeGrid(fp, columns), makeGrid(quantized, columns),
                             makeGrid(amplifiedDifference(fp, quantized, amplify), columns)});
}

}  // namespace dq
