#include "core/imaging/image_grid.h"

#include <cmath>
#include <sstream>

#include <png.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"

namespace dq {

torch::Tensor toUnitRange(const torch::Tensor& samples) {
    return (samples / 2 + 0.5).clamp(0.0, 1.0);
}

Image8 makeGrid(const torch::Tensor& unitImages, int columns, int padding) {
    if (unitImages.dim() != 4) throw Error("makeGrid needs a [B,C,H,W] batch.");
    torch::Tensor images = unitImages.detach().to(torch::kCPU, torch::kFloat32);
    const int64_t count = images.size(0), channels = images.size(1), h = images.size(2), w = images.size(3);
    if (channels != 1 && channels != 3)
        throw Error("Images with " + std::to_string(channels) + " channels cannot be shown; 1 or 3 are supported.");
    if (columns <= 0) columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
    columns = std::max(1, std::min<int>(columns, static_cast<int>(std::max<int64_t>(count, 1))));
    const int rows = static_cast<int>((count + columns - 1) / columns);

    Image8 grid;
    grid.channels = static_cast<int>(channels);
    grid.width = static_cast<int>(columns * (w + padding) + padding);
    grid.height = static_cast<int>(rows * (h + padding) + padding);
    grid.pixels.assign(static_cast<std::size_t>(grid.width) * grid.height * grid.channels, 0);

    // [B,H,W,C] bytes, rounded like torchvision's save_image.
    torch::Tensor bytes = images.mul(255).add_(0.5).clamp_(0, 255).to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
    const uint8_t* src = bytes.data_ptr<uint8_t>();
    for (int64_t i = 0; i < count; ++i) {
        const int64_t ox = padding + (i % columns) * (w + padding);
        const int64_t oy = padding + (i / columns) * (h + padding);
        for (int64_t y = 0; y < h; ++y) {
            const uint8_t* row = src + ((i * h + y) * w) * channels;
            uint8_t* dst = grid.pixels.data() + ((oy + y) * grid.width + ox) * channels;
            std::memcpy(dst, row, static_cast<std::size_t>(w * channels));
        }
    }
    return grid;
}

namespace {
void appendToString(png_structp png, png_bytep data, png_size_t length) {
    auto* out = static_cast<std::string*>(png_get_io_ptr(png));
    out->append(reinterpret_cast<const char*>(data), length);
}
void noFlush(png_structp) {}
}  // namespace

void writePng(const std::string& path, const Image8& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
        throw Error("Cannot write '" + path + "': the image is empty or inconsistent.");
    std::string encoded;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        throw Error("Cannot write '" + path + "': libpng could not be initialised.");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw Error("Cannot write '" + path + "': PNG encoding failed.");
    }
    png_set_write_fn(png, &encoded, appendToString, noFlush);
    png_set_IHDR(png, info, image.width, image.height, 8,
                 image.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < image.height; ++y)
        png_write_row(png, const_cast<png_bytep>(image.pixels.data() + static_cast<std::size_t>(y) * image.width * image.channels));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    writeTextFileAtomically(path, encoded);
}

}  // namespace dq
