#include "core/model/autoencoder_kl.h"

#include <set>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/forward_inputs.h"
#include "core/model/layers.h"
#include "core/model/parameter_store.h"
#include "core/model/unet_blocks.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {

using nlohmann::json;
constexpr int kMaxChannels = 8192;
constexpr double kResnetEps = 1e-6;  // diffusers' Encoder and Decoder fix it

// No time embedding, no attention: what the VAE's down and up blocks hold.
BlockSettings vaeSettings(int groups) { return BlockSettings{0, groups, std::nullopt, kResnetEps, std::nullopt, {}, false}; }

// DownEncoderBlock2D: resnets, then a stride-2 conv after right/bottom padding.
class EncoderDownBlock : public Module {
public:
    EncoderDownBlock(int64_t in, int64_t out, int layers, bool downsample, int groups) {
        for (int i = 0; i < layers; ++i)
            resnets_.push_back(addChild<ResnetBlock>("resnets." + std::to_string(i), i == 0 ? in : out, out, 0, groups,
                                                     kResnetEps, 1.0));
        if (downsample) downsampler_ = addChild<WeightedLayer>("downsamplers.0.conv", WeightedLayer::Conv{out, out, 3, 2, 0});
    }
    torch::Tensor forward(torch::Tensor x, const InterceptionState& state) const {
        for (const ResnetBlock* r : resnets_) x = r->forward(x, torch::Tensor(), state);
        if (downsampler_) x = downsampler_->forward(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0.0), state);
        return x;
    }

private:
    std::vector<ResnetBlock*> resnets_;
    WeightedLayer* downsampler_ = nullptr;
};

// UpDecoderBlock2D: resnets (no skips), then nearest ×2 and a conv.
class DecoderUpBlock : public Module {
public:
    DecoderUpBlock(int64_t in, int64_t out, int layers, bool upsample, int groups) {
        for (int i = 0; i < layers; ++i)
            resnets_.push_back(addChild<ResnetBlock>("resnets." + std::to_string(i), i == 0 ? in : out, out, 0, groups,
                                                     kResnetEps, 1.0));
        if (upsample) upsampler_ = addChild<WeightedLayer>("upsamplers.0.conv", WeightedLayer::Conv{out, out, 3, 1, 1});
    }
    torch::Tensor forward(torch::Tensor x, const InterceptionState& state) const {
        for (const ResnetBlock* r : resnets_) x = r->forward(x, torch::Tensor(), state);
        if (upsampler_) {
            x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
            x = upsampler_->forward(x, state);
        }
        return x;
    }

private:
    std::vector<ResnetBlock*> resnets_;
    WeightedLayer* upsampler_ = nullptr;
};

class VaeEncoder : public Module {
public:
    explicit VaeEncoder(const AutoencoderKLConfig& c) {
        const auto& ch = c.blockOutChannels;
        convIn_ = addChild<WeightedLayer>("conv_in", WeightedLayer::Conv{c.inChannels, ch[0], 3, 1, 1});
        int64_t out = ch[0];
        for (std::size_t i = 0; i < ch.size(); ++i) {
            const int64_t in = out;
            out = ch[i];
            down_.push_back(addChild<EncoderDownBlock>("down_blocks." + std::to_string(i), in, out, c.layersPerBlock,
                                                       i + 1 < ch.size(), c.normNumGroups));
        }
        mid_ = addChild<MidBlock>("mid_block", ch.back(), true, 1.0, vaeSettings(c.normNumGroups));
        normOut_ = addChild<GroupNormLayer>("conv_norm_out", ch.back(), c.normNumGroups, kResnetEps);
        convOut_ = addChild<WeightedLayer>("conv_out", WeightedLayer::Conv{ch.back(), 2 * c.latentChannels, 3, 1, 1});
    }
    torch::Tensor forward(const torch::Tensor& image, const InterceptionState& state) const {
        torch::Tensor h = convIn_->forward(image, state);
        for (const EncoderDownBlock* b : down_) h = b->forward(h, state);
        h = mid_->forward(h, torch::Tensor(), torch::Tensor(), state);
        return convOut_->forward(torch::silu(normOut_->forward(h)), state);
    }

private:
    WeightedLayer *convIn_, *convOut_;
    std::vector<EncoderDownBlock*> down_;
    MidBlock* mid_;
    GroupNormLayer* normOut_;
};

class VaeDecoder : public Module {
public:
    explicit VaeDecoder(const AutoencoderKLConfig& c) {
        std::vector<int> reversed(c.blockOutChannels.rbegin(), c.blockOutChannels.rend());
        convIn_ = addChild<WeightedLayer>("conv_in", WeightedLayer::Conv{c.latentChannels, reversed[0], 3, 1, 1});
        mid_ = addChild<MidBlock>("mid_block", reversed[0], true, 1.0, vaeSettings(c.normNumGroups));
        int64_t out = reversed[0];
        for (std::size_t i = 0; i < reversed.size(); ++i) {
            const int64_t prev = out;
            out = reversed[i];
            up_.push_back(addChild<DecoderUpBlock>("up_blocks." + std::to_string(i), prev, out, c.layersPerBlock + 1,
                                                   i + 1 < reversed.size(), c.normNumGroups));
        }
        normOut_ = addChild<GroupNormLayer>("conv_norm_out", c.blockOutChannels[0], c.normNumGroups, kResnetEps);
        convOut_ = addChild<WeightedLayer>("conv_out", WeightedLayer::Conv{c.blockOutChannels[0], c.outChannels, 3, 1, 1});
    }
    torch::Tensor forward(const torch::Tensor& z, const InterceptionState& state) const {
        torch::Tensor h = convIn_->forward(z, state);
        h = mid_->forward(h, torch::Tensor(), torch::Tensor(), state);
        for (const DecoderUpBlock* b : up_) h = b->forward(h, state);
        return convOut_->forward(torch::silu(normOut_->forward(h)), state);
    }

private:
    WeightedLayer *convIn_, *convOut_;
    MidBlock* mid_;
    std::vector<DecoderUpBlock*> up_;
    GroupNormLayer* normOut_;
};

}  // namespace

// The root, with diffusers' top-level names (encoder, decoder, quant_conv, post_quant_conv).
struct AutoencoderNetwork : Module {
    explicit AutoencoderNetwork(const AutoencoderKLConfig& c) {
        encoder = addChild<VaeEncoder>("encoder", c);
        decoder = addChild<VaeDecoder>("decoder", c);
        quantConv = addChild<WeightedLayer>("quant_conv", WeightedLayer::Conv{2 * c.latentChannels, 2 * c.latentChannels, 1, 1, 0});
        postQuantConv = addChild<WeightedLayer>("post_quant_conv", WeightedLayer::Conv{c.latentChannels, c.latentChannels, 1, 1, 0});
        nameTree();
        parameters = ParameterStore(*this);
    }
    VaeEncoder* encoder;
    VaeDecoder* decoder;
    WeightedLayer *quantConv, *postQuantConv;
    ParameterStore parameters;
};

AutoencoderKLConfig AutoencoderKLConfig::fromJson(const std::string& jsonText, const std::string& source) {
    const std::string what = "VAE config '" + source + "'";
    const json root = parseBoundedJson(jsonText, what);
    const JsonFields<json> f(root, what);
    f.allowOnly({"in_channels", "out_channels", "down_block_types", "up_block_types", "block_out_channels",
                 "layers_per_block", "act_fn", "latent_channels", "norm_num_groups", "sample_size", "scaling_factor",
                 "force_upcast"},
                /*metadataKeys=*/true, "it is not an AutoencoderKL setting this engine reproduces");
    if (const json* v = f.find("_class_name"); v && v->is_string() && *v != "AutoencoderKL")
        f.reject("_class_name", "is " + jsonValueText(*v) + "; expected AutoencoderKL");
    AutoencoderKLConfig c;
    c.inChannels = f.integer32("in_channels", 3, 1, 64);
    c.outChannels = f.integer32("out_channels", 3, 1, 64);
    c.layersPerBlock = f.integer32("layers_per_block", 1, 1, 16);
    c.latentChannels = f.integer32("latent_channels", 4, 1, 64);
    c.normNumGroups = f.integer32("norm_num_groups", 32, 1, kMaxChannels);
    c.sampleSize = f.integer32("sample_size", 32, 1, 8192);
    c.scalingFactor = f.number("scaling_factor", 0.18215, NumberRange::positive(1e6));
    (void)f.boolean("force_upcast", true);  // float32 inference: no effect
    (void)f.text("act_fn", "silu", {"silu", "swish"});
    if (const json* v = f.find("block_out_channels")) {
        if (!v->is_array() || v->empty() || v->size() > 8) f.reject("block_out_channels", "must be an array of 1 to 8 channel counts");
        c.blockOutChannels.clear();
        for (const auto& e : *v) c.blockOutChannels.push_back(int(f.integerValue(e, "block_out_channels", 1, kMaxChannels)));
    }
    auto checkTypes = [&](const char* key, const char* type) {
        std::size_t n = 1;
        if (const json* v = f.find(key)) {
            if (!v->is_array()) f.reject(key, "must be an array of block type names");
            for (const auto& e : *v) (void)f.textValue(e, key, {type});
            n = v->size();
        }
        if (n != c.blockOutChannels.size()) f.reject(key, "must have one entry per block_out_channels entry");
    };
    checkTypes("down_block_types", "DownEncoderBlock2D");
    checkTypes("up_block_types", "UpDecoderBlock2D");
    for (int ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            f.reject("norm_num_groups", "(" + std::to_string(c.normNumGroups) + ") must divide every block_out_channels entry");
    return c;
}

std::string AutoencoderKLConfig::toJson() const {
    nlohmann::ordered_json j;
    j["_class_name"] = "AutoencoderKL";
    j["in_channels"] = inChannels;
    j["out_channels"] = outChannels;
    j["down_block_types"] = std::vector<std::string>(blockOutChannels.size(), "DownEncoderBlock2D");
    j["up_block_types"] = std::vector<std::string>(blockOutChannels.size(), "UpDecoderBlock2D");
    j["block_out_channels"] = blockOutChannels;
    j["layers_per_block"] = layersPerBlock;
    j["act_fn"] = "silu";
    j["latent_channels"] = latentChannels;
    j["norm_num_groups"] = normNumGroups;
    j["sample_size"] = sampleSize;
    j["scaling_factor"] = scalingFactor;
    return j.dump(2) + "\n";
}

AutoencoderKL::AutoencoderKL(AutoencoderKLConfig config)
    : config_(std::move(config)), net_(std::make_unique<AutoencoderNetwork>(config_)) {}
AutoencoderKL::~AutoencoderKL() = default;
AutoencoderKL::AutoencoderKL(AutoencoderKL&&) noexcept = default;
AutoencoderKL& AutoencoderKL::operator=(AutoencoderKL&&) noexcept = default;

int AutoencoderKL::downsamplingFactor() const { return 1 << (config_.blockOutChannels.size() - 1); }

LatentDistribution AutoencoderKL::encode(const torch::Tensor& image) const {
    checkSampleShape(image, config_.inChannels, downsamplingFactor());
    const InterceptionState none;
    const torch::Tensor moments =
        net_->quantConv->forward(net_->encoder->forward(image.to(device(), torch::kFloat32), none), none);
    const auto halves = moments.chunk(2, 1);
    return {halves[0], torch::clamp(halves[1], -30.0, 20.0)};
}

torch::Tensor AutoencoderKL::decode(const torch::Tensor& latents) const {
    checkSampleShape(latents, config_.latentChannels, 1);
    const InterceptionState none;
    return net_->decoder->forward(net_->postQuantConv->forward(latents.to(device(), torch::kFloat32), none), none);
}

AutoencoderKL AutoencoderKL::load(const std::string& folder) {
    const std::string configPath = folder + "/config.json";
    const std::string weightsPath = folder + "/diffusion_pytorch_model.safetensors";
    AutoencoderKL vae(AutoencoderKLConfig::fromJson(readTextFile(configPath), configPath));
    vae.loadStateDict(loadSafetensors(weightsPath).tensors, weightsPath);
    return vae;
}

void AutoencoderKL::save(const std::string& folder) const {
    writeTextFileAtomically(folder + "/config.json", config_.toJson());
    net_->parameters.saveWeights(folder + "/diffusion_pytorch_model.safetensors");
}

void AutoencoderKL::initializeRandom(uint64_t seed) { net_->parameters.initializeRandom(seed); }
std::map<std::string, torch::Tensor> AutoencoderKL::stateDict() const { return net_->parameters.stateDict(); }
void AutoencoderKL::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    net_->parameters.load(tensors, source);
}
std::vector<ParameterInfo> AutoencoderKL::parameterInfos() const { return net_->parameters.infos(); }
int64_t AutoencoderKL::parameterCount() const { return net_->parameters.count(); }
void AutoencoderKL::to(const torch::Device& device) { net_->parameters.moveTo(device); }
torch::Device AutoencoderKL::device() const { return net_->parameters.device(); }

}  // namespace dq
