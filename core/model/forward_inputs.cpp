#include "core/model/forward_inputs.h"

#include <sstream>

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

std::string tensorShapeText(at::IntArrayRef shape) {
    std::ostringstream s;
    s << "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
    s << "]";
    return s.str();
}

void checkSampleShape(const torch::Tensor& sample, int64_t channels, int64_t factor) {
    if (sample.dim() != 4 || sample.size(1) != channels)
        throw Error("The model expects samples shaped [B," + std::to_string(channels) + ",H,W], got " +
                    tensorShapeText(sample.sizes()) + ".");
    if (sample.size(2) < factor || sample.size(3) < factor || sample.size(2) % factor != 0 ||
        sample.size(3) % factor != 0)
        throw Error("Sample height and width must be positive multiples of " + std::to_string(factor) +
                    " for this model, got " + tensorShapeText(sample.sizes()) + ".");
    if (sample.size(0) == 0) throw Error("The sample batch is empty.");
}

torch::Tensor timestepsForBatch(const torch::Tensor& timestepsIn, int64_t batch, const torch::Device& device) {
    torch::Tensor timesteps = timestepsIn.to(device);
    if (timesteps.numel() == 1) timesteps = timesteps.reshape({}).expand({batch});
    if (timesteps.dim() != 1 || timesteps.size(0) != batch)
        throw Error("timestep must be a scalar or hold one value per sample (" + std::to_string(batch) + "), got " +
                    tensorShapeText(timestepsIn.sizes()) + ".");
    return timesteps;
}

}  // namespace dq
