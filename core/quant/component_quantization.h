#pragma once
// Weight-only quantization of a text-to-image pipeline's other networks, the
// CLIP text encoder and the VAE. Q-Diffusion and PCR keep both in full
// precision, and so does the product by default; this option quantizes every
// Linear and Conv weight of the text encoder and of the VAE's decoder (the
// half generation runs), per output channel, with the U-Net
// weights' ranges (min/max or Q-Diffusion's MSE search) and nearest rounding,
// so that their share of the damage can be measured on its own. Embeddings,
// norms and all their activations stay in full precision.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/quant/quantizer.h"

namespace dq {

class ClipTextModel;
class AutoencoderKL;

inline constexpr const char* kTextEncoderComponent = "text_encoder";
inline constexpr const char* kVaeComponent = "vae";

// How a pipeline's text encoder and VAE are quantized; 0 bits keeps one FP.
// Their ranges follow the U-Net plan's range method (MSE search or min/max).
struct ComponentQuantOptions {
    int textEncoderBits = 0;
    int vaeBits = 0;
    bool any() const { return textEncoderBits > 0 || vaeBits > 0; }
};

// The integer weights of one component, by state-dict key.
struct QuantizedComponent {
    std::string name;  // kTextEncoderComponent or kVaeComponent
    int bits = 8;
    bool mseSearch = true;
    std::map<std::string, ChannelQuantized> weights;  // asymmetric, per output channel
};

// Whether a state-dict entry is quantized: a Linear or Conv weight (a 2-D or
// 4-D ".weight"), not a token or position embedding.
bool isComponentWeight(const std::string& key, const torch::Tensor& value);

// Quantizes every such weight of `stateDict` at `bits` (2..16).
QuantizedComponent quantizeComponent(const std::string& name, const std::map<std::string, torch::Tensor>& stateDict,
                                     int bits, bool mseSearch);

// `fp` with the component's weights replaced by their dequantized values.
std::map<std::string, torch::Tensor> dequantizedStateDict(const std::map<std::string, torch::Tensor>& fp,
                                                          const QuantizedComponent& component);

// What a quantized pipeline runs with besides its U-Net: the integer weights
// (for artifacts) and copies of the text encoder and VAE holding their
// dequantized values; a null model means that component stays FP.
struct QuantizedComponents {
    std::vector<QuantizedComponent> parts;
    std::shared_ptr<ClipTextModel> textEncoder;
    std::shared_ptr<AutoencoderKL> vae;

    bool empty() const { return parts.empty(); }
    const QuantizedComponent* find(const std::string& name) const;
    // The bits of a component, 0 when it is FP.
    int bitsOf(const std::string& name) const;
};

}  // namespace dq
