#include "core/model/unet_config.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {

using nlohmann::json;
using Fields = JsonFields<json>;

// Bounds on sizes, far above any diffusers UNet2DModel (Stable Diffusion's
// U-Net has 4 blocks of at most 1280 channels, 64x64 latents), checked before
// the model is built so a damaged config cannot ask for gigabytes.
constexpr int kMaxSampleSize = 4096;
constexpr int kMaxIoChannels = 64;
constexpr int kMaxChannels = 8192;
constexpr int kMaxBlocks = 8;
constexpr int kMaxLayersPerBlock = 16;
constexpr int kMaxClassEmbeds = 100000;

const std::set<std::string> kKnownKeys = {
    "sample_size", "in_channels", "out_channels", "center_input_sample", "time_embedding_type",
    "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types", "mid_block_type",
    "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor",
    "downsample_padding", "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim",
    "norm_num_groups", "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention",
    "class_embed_type", "num_class_embeds", "num_train_timesteps"};

}  // namespace

UNetConfig UNetConfig::fromJson(const std::string& jsonText, const std::string& source) {
    const std::string what = "Model config '" + source + "'";
    const json root = parseBoundedJson(jsonText, what);
    const Fields f(root, what);
    f.allowOnly(kKnownKeys, /*metadataKeys=*/true, "it is not a UNet2DModel setting this engine reproduces");
    if (const json* v = f.find("_class_name"); v && v->is_string() && *v != "UNet2DModel")
        f.reject("_class_name", "is " + jsonValueText(*v) + "; only UNet2DModel folders are supported");

    UNetConfig c;
    c.sampleSize = f.integer32("sample_size", c.sampleSize, 1, kMaxSampleSize);
    c.inChannels = f.integer32("in_channels", c.inChannels, 1, kMaxIoChannels);
    c.outChannels = f.integer32("out_channels", c.outChannels, 1, kMaxIoChannels);
    c.centerInputSample = f.boolean("center_input_sample", false);
    (void)f.text("time_embedding_type", "positional", {"positional"});
    c.timeEmbeddingDim = f.integer32("time_embedding_dim", 0, 0, 4 * kMaxChannels);
    c.freqShift = f.number("freq_shift", 0, NumberRange::closed(-1e6, 1e6));
    c.flipSinToCos = f.boolean("flip_sin_to_cos", true);
    c.layersPerBlock = f.integer32("layers_per_block", 2, 1, kMaxLayersPerBlock);
    c.midBlockScaleFactor = f.number("mid_block_scale_factor", 1.0, NumberRange::closed(-1e6, 1e6));
    c.downsamplePadding = f.integer32("downsample_padding", 1, 0, 1);
    (void)f.text("downsample_type", "conv", {"conv"});
    (void)f.text("upsample_type", "conv", {"conv"});
    // Dropout is inactive at inference, so any rate gives the same outputs.
    (void)f.number("dropout", 0.0, NumberRange::closed(0, 1));
    (void)f.text("act_fn", "silu", {"silu", "swish"});
    (void)f.text("resnet_time_scale_shift", "default", {"default"});
    if (auto it = root.find("mid_block_type"); it != root.end() && it->is_null()) c.hasMidBlock = false;
    else (void)f.text("mid_block_type", "UNetMidBlock2D", {"UNetMidBlock2D"});
    (void)f.integer("num_train_timesteps", 0, 0, 1000000);  // used only by fourier embeddings

    if (auto it = root.find("attention_head_dim"); it != root.end()) {
        if (it->is_null()) c.attentionHeadDim.reset();
        else c.attentionHeadDim = f.integer32("attention_head_dim", 8, 1, kMaxChannels);
    }
    c.normNumGroups = f.integer32("norm_num_groups", 32, 1, kMaxChannels);
    if (f.find("attn_norm_num_groups")) c.attnNormNumGroups = f.integer32("attn_norm_num_groups", 0, 1, kMaxChannels);
    c.normEps = f.number("norm_eps", 1e-5, NumberRange{0, 1, true, true, true});
    c.addAttention = f.boolean("add_attention", true);

    if (const json* v = f.find("block_out_channels")) {
        if (!v->is_array() || v->empty() || v->size() > kMaxBlocks)
            f.reject("block_out_channels", "must be an array of 1 to " + std::to_string(kMaxBlocks) + " channel counts");
        c.blockOutChannels.clear();
        for (const auto& entry : *v) c.blockOutChannels.push_back(int(f.integerValue(entry, "block_out_channels", 1, kMaxChannels)));
    }
    auto readTypes = [&](const char* key, const char* plain, const char* attn, std::vector<bool>& isAttn,
                         std::vector<std::string> names) {
        if (const json* v = f.find(key)) {
            if (!v->is_array() || v->size() > kMaxBlocks)
                f.reject(key, "must be an array of at most " + std::to_string(kMaxBlocks) + " block type names");
            names.clear();
            for (const auto& entry : *v) names.push_back(f.textValue(entry, key, {plain, attn}));
        }
        for (const auto& n : names) isAttn.push_back(n == attn);
    };
    std::vector<bool> downAttn, upAttn;
    readTypes("down_block_types", "DownBlock2D", "AttnDownBlock2D", downAttn,
              {"DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"});
    readTypes("up_block_types", "UpBlock2D", "AttnUpBlock2D", upAttn,
              {"AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"});
    for (bool a : downAttn) c.downBlocks.push_back(a ? DownBlockType::Attention : DownBlockType::Plain);
    for (bool a : upAttn) c.upBlocks.push_back(a ? UpBlockType::Attention : UpBlockType::Plain);
    if (c.downBlocks.size() != c.blockOutChannels.size())
        f.reject("down_block_types", "must have one entry per block_out_channels entry");
    if (c.upBlocks.size() != c.blockOutChannels.size())
        f.reject("up_block_types", "must have one entry per block_out_channels entry");

    if (f.find("num_class_embeds")) c.numClassEmbeds = f.integer32("num_class_embeds", 0, 1, kMaxClassEmbeds);
    if (f.find("class_embed_type")) {
        (void)f.text("class_embed_type", "timestep", {"timestep"});
        c.classEmbedType = ClassEmbedType::Timestep;
    } else if (c.numClassEmbeds) {
        c.classEmbedType = ClassEmbedType::Embedding;
    }
    if (f.find("_null_class_label")) {
        if (!c.numClassEmbeds) f.reject("_null_class_label", "needs num_class_embeds");
        c.nullClassLabel = f.integer32("_null_class_label", 0, 0, *c.numClassEmbeds - 1);
    } else if (c.numClassEmbeds) {
        c.nullClassLabel = *c.numClassEmbeds - 1;
    }

    // Consistency checks that would otherwise surface as shape errors (or worse) deep inside.
    for (int ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            f.reject("norm_num_groups", "(" + std::to_string(c.normNumGroups) + ") must divide every block_out_channels entry");
    if (c.attnNormNumGroups && c.blockOutChannels.back() % *c.attnNormNumGroups != 0)
        f.reject("attn_norm_num_groups", "must divide the mid block's channels");
    if (c.attentionHeadDim) {
        // Heads = channels / head dim in every block that has attention.
        auto check = [&](int channels) {
            if (channels % *c.attentionHeadDim != 0)
                f.reject("attention_head_dim", "(" + std::to_string(*c.attentionHeadDim) +
                                                   ") must divide the channels of every attention block (" +
                                                   std::to_string(channels) + ")");
        };
        for (std::size_t i = 0; i < c.blockOutChannels.size(); ++i) {
            if (c.downBlocks[i] == DownBlockType::Attention) check(c.blockOutChannels[i]);
            if (c.upBlocks[i] == UpBlockType::Attention) check(c.blockOutChannels[c.blockOutChannels.size() - 1 - i]);
        }
        if (c.hasMidBlock && c.addAttention) check(c.blockOutChannels.back());
    }
    if (c.blockOutChannels[0] % 2 != 0) f.reject("block_out_channels", "[0] must be even for the sinusoidal embedding");
    const int factor = 1 << (c.blockOutChannels.size() - 1);
    if (c.sampleSize % factor != 0)
        f.reject("sample_size", "(" + std::to_string(c.sampleSize) + ") must be a multiple of " + std::to_string(factor) +
                                    ", the downsampling factor of its " + std::to_string(c.blockOutChannels.size()) +
                                    " blocks");
    return c;
}

double UNetConfig::minimumParameterCount() const {
    // A lower bound from the largest weights alone (the 3x3 convolutions of
    // each resnet, conv_in, conv_out and the class embedding), enough to tell
    // a config that cannot belong to a weights file before building it.
    double count = 9.0 * inChannels * blockOutChannels.front() + 9.0 * outChannels * blockOutChannels.front();
    for (std::size_t i = 0; i < blockOutChannels.size(); ++i) {
        const double ch = blockOutChannels[i];
        count += 9.0 * ch * ch * (2.0 * layersPerBlock + 1);  // down resnets' conv2 and up resnets' conv2
    }
    if (hasMidBlock) count += 2 * 9.0 * blockOutChannels.back() * blockOutChannels.back();
    if (numClassEmbeds && classEmbedType == ClassEmbedType::Embedding) count += double(*numClassEmbeds) * (timeEmbeddingDim ? timeEmbeddingDim : 4.0 * blockOutChannels.front());
    return count;
}

std::string UNetConfig::toJson() const {
    nlohmann::ordered_json j;
    j["_class_name"] = "UNet2DModel";
    j["sample_size"] = sampleSize;
    j["in_channels"] = inChannels;
    j["out_channels"] = outChannels;
    j["center_input_sample"] = centerInputSample;
    j["time_embedding_type"] = "positional";
    if (timeEmbeddingDim > 0) j["time_embedding_dim"] = timeEmbeddingDim;
    j["freq_shift"] = freqShift;
    j["flip_sin_to_cos"] = flipSinToCos;
    std::vector<std::string> down, up;
    for (auto t : downBlocks) down.push_back(t == DownBlockType::Attention ? "AttnDownBlock2D" : "DownBlock2D");
    for (auto t : upBlocks) up.push_back(t == UpBlockType::Attention ? "AttnUpBlock2D" : "UpBlock2D");
    j["down_block_types"] = down;
    j["up_block_types"] = up;
    j["mid_block_type"] = hasMidBlock ? json("UNetMidBlock2D") : json(nullptr);
    j["block_out_channels"] = blockOutChannels;
    j["layers_per_block"] = layersPerBlock;
    j["mid_block_scale_factor"] = midBlockScaleFactor;
    j["downsample_padding"] = downsamplePadding;
    j["act_fn"] = "silu";
    j["attention_head_dim"] = attentionHeadDim ? json(*attentionHeadDim) : json(nullptr);
    j["norm_num_groups"] = normNumGroups;
    if (attnNormNumGroups) j["attn_norm_num_groups"] = *attnNormNumGroups;
    j["norm_eps"] = normEps;
    j["resnet_time_scale_shift"] = "default";
    j["add_attention"] = addAttention;
    if (classEmbedType == ClassEmbedType::Timestep) j["class_embed_type"] = "timestep";
    j["num_class_embeds"] = numClassEmbeds ? json(*numClassEmbeds) : json(nullptr);
    if (nullClassLabel) j["_null_class_label"] = *nullClassLabel;
    return j.dump(2) + "\n";
}

}  // namespace dq
