#pragma once
// Turning batches of model-space images into 8-bit pictures and PNG files.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace dq {

// A plain 8-bit image, row-major, `channels` interleaved (1 = grey, 3 = RGB).
// It carries no torch types so GUI code can take it directly.
struct Image8 {
    int width = 0;
    int height = 0;
    int channels = 1;
    std::vector<uint8_t> pixels;
};

// Maps model space [-1, 1] to [0, 1] as diffusers does ((x/2 + 0.5) clamped).
torch::Tensor toUnitRange(const torch::Tensor& samples);

// Tiles a batch [B,C,H,W] of [0,1] images into one picture with `columns`
// columns (0: a square-ish layout) and `padding` pixels of gap.
Image8 makeGrid(const torch::Tensor& unitImages, int columns = 0, int padding = 2);

// Writes an Image8 as PNG (atomically). Throws dq::Error naming the path.
void writePng(const std::string& path, const Image8& image);

}  // namespace dq
