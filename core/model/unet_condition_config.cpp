#include "core/model/unet_condition_config.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {

using nlohmann::json;
using Fields = JsonFields<json>;

constexpr int kMaxSampleSize = 4096;
constexpr int kMaxIoChannels = 64;
constexpr int kMaxChannels = 8192;
constexpr int kMaxBlocks = 8;
constexpr int kMaxLayers = 16;

// Keys whose value this engine reproduces.
const std::set<std::string> kSupportedKeys = {
    "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift",
    "down_block_types", "mid_block_type", "up_block_types", "block_out_channels", "layers_per_block",
    "downsample_padding", "mid_block_scale_factor", "dropout", "act_fn", "norm_num_groups", "norm_eps",
    "cross_attention_dim", "transformer_layers_per_block", "attention_head_dim", "num_attention_heads",
    "use_linear_projection", "upcast_attention", "only_cross_attention", "dual_cross_attention",
    "resnet_time_scale_shift", "resnet_skip_time_act", "resnet_out_scale_factor", "time_embedding_type",
    "conv_in_kernel", "conv_out_kernel", "attention_type", "class_embeddings_concat",
    "addition_embed_type_num_heads"};
// Keys of features this engine does not reproduce: accepted only when null.
const std::set<std::string> kMustBeNull = {
    "encoder_hid_dim", "encoder_hid_dim_type", "class_embed_type", "addition_embed_type", "addition_time_embed_dim",
    "num_class_embeds", "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act", "time_cond_proj_dim",
    "projection_class_embeddings_input_dim", "mid_block_only_cross_attention", "cross_attention_norm"};

// An int for every block, or one int for all.
std::vector<int> perBlock(const Fields& f, const std::string& key, std::size_t blocks, int fallback, int min, int max) {
    const json* v = f.find(key);
    if (!v) return std::vector<int>(blocks, fallback);
    if (!v->is_array()) return std::vector<int>(blocks, int(f.integerValue(*v, key, min, max)));
    if (v->size() != blocks) f.reject(key, "must have one entry per block_out_channels entry");
    std::vector<int> out;
    for (const auto& entry : *v) out.push_back(int(f.integerValue(entry, key, min, max)));
    return out;
}

}  // namespace

UNetConditionConfig UNetConditionConfig::fromJson(const std::string& jsonText, const std::string& source) {
    const std::string what = "Model config '" + source + "'";
    const json root = parseBoundedJson(jsonText, what);
    const Fields f(root, what);
    std::set<std::string> known = kSupportedKeys;
    known.insert(kMustBeNull.begin(), kMustBeNull.end());
    f.allowOnly(known, /*metadataKeys=*/true, "it is not a UNet2DConditionModel setting this engine reproduces");
    if (const json* v = f.find("_class_name"); v && v->is_string() && *v != "UNet2DConditionModel")
        f.reject("_class_name", "is " + jsonValueText(*v) + "; expected UNet2DConditionModel");
    for (const std::string& key : kMustBeNull)
        if (f.find(key)) f.reject(key, "is " + jsonValueText(root.at(key)) + "; only null is supported by this engine");

    UNetConditionConfig c;
    c.sampleSize = f.integer32("sample_size", c.sampleSize, 1, kMaxSampleSize);
    c.inChannels = f.integer32("in_channels", c.inChannels, 1, kMaxIoChannels);
    c.outChannels = f.integer32("out_channels", c.outChannels, 1, kMaxIoChannels);
    c.centerInputSample = f.boolean("center_input_sample", false);
    c.flipSinToCos = f.boolean("flip_sin_to_cos", true);
    c.freqShift = f.number("freq_shift", 0, NumberRange::closed(-1e6, 1e6));
    c.downsamplePadding = f.integer32("downsample_padding", 1, 0, 1);
    c.midBlockScaleFactor = f.number("mid_block_scale_factor", 1.0, NumberRange::closed(-1e6, 1e6));
    (void)f.number("dropout", 0.0, NumberRange::closed(0, 1));  // inactive at inference
    (void)f.text("act_fn", "silu", {"silu", "swish"});
    c.normNumGroups = f.integer32("norm_num_groups", 32, 1, kMaxChannels);
    c.normEps = f.number("norm_eps", 1e-5, NumberRange{0, 1, true, true, true});
    c.useLinearProjection = f.boolean("use_linear_projection", false);
    c.upcastAttention = f.boolean("upcast_attention", false);
    if (f.boolean("dual_cross_attention", false)) f.reject("dual_cross_attention", "must be false");
    if (const json* v = f.find("only_cross_attention"); v && !(v->is_boolean() && !v->get<bool>()))
        f.reject("only_cross_attention", "must be false");
    (void)f.text("resnet_time_scale_shift", "default", {"default"});
    if (f.boolean("resnet_skip_time_act", false)) f.reject("resnet_skip_time_act", "must be false");
    if (f.number("resnet_out_scale_factor", 1.0, NumberRange::any()) != 1.0)
        f.reject("resnet_out_scale_factor", "must be 1");
    (void)f.text("time_embedding_type", "positional", {"positional"});
    (void)f.integer32("conv_in_kernel", 3, 3, 3);
    (void)f.integer32("conv_out_kernel", 3, 3, 3);
    (void)f.text("attention_type", "default", {"default"});
    if (f.boolean("class_embeddings_concat", false)) f.reject("class_embeddings_concat", "must be false");
    if (f.find("mid_block_type")) (void)f.text("mid_block_type", "UNetMidBlock2DCrossAttn", {"UNetMidBlock2DCrossAttn"});
    else if (root.contains("mid_block_type")) c.hasMidBlock = false;  // null: no mid block

    if (const json* v = f.find("block_out_channels")) {
        if (!v->is_array() || v->empty() || v->size() > kMaxBlocks)
            f.reject("block_out_channels", "must be an array of 1 to " + std::to_string(kMaxBlocks) + " channel counts");
        c.blockOutChannels.clear();
        for (const auto& entry : *v) c.blockOutChannels.push_back(int(f.integerValue(entry, "block_out_channels", 1, kMaxChannels)));
    }
    const std::size_t blocks = c.blockOutChannels.size();
    auto readTypes = [&](const char* key, const char* plain, const char* cross, std::vector<bool>& isCross) {
        if (const json* v = f.find(key)) {
            if (!v->is_array()) f.reject(key, "must be an array of block type names");
            isCross.clear();
            for (const auto& entry : *v) isCross.push_back(f.textValue(entry, key, {plain, cross}) == cross);
        }
        if (isCross.size() != blocks) f.reject(key, "must have one entry per block_out_channels entry");
    };
    readTypes("down_block_types", "DownBlock2D", "CrossAttnDownBlock2D", c.downCrossAttention);
    readTypes("up_block_types", "UpBlock2D", "CrossAttnUpBlock2D", c.upCrossAttention);

    const std::vector<int> layers = perBlock(f, "layers_per_block", blocks, 2, 1, kMaxLayers);
    for (int l : layers)
        if (l != layers[0]) f.reject("layers_per_block", "must be the same for every block in this engine");
    c.layersPerBlock = layers[0];
    const std::vector<int> transformerLayers = perBlock(f, "transformer_layers_per_block", blocks, 1, 1, kMaxLayers);
    for (int l : transformerLayers)
        if (l != transformerLayers[0])
            f.reject("transformer_layers_per_block", "must be the same for every block in this engine");
    c.transformerLayersPerBlock = transformerLayers[0];
    const std::vector<int> crossDims = perBlock(f, "cross_attention_dim", blocks, 1280, 1, kMaxChannels);
    for (int d : crossDims)
        if (d != crossDims[0]) f.reject("cross_attention_dim", "must be the same for every block in this engine");
    c.crossAttentionDim = crossDims[0];
    c.attentionHeads = f.find("num_attention_heads") ? perBlock(f, "num_attention_heads", blocks, 8, 1, kMaxChannels)
                                                     : perBlock(f, "attention_head_dim", blocks, 8, 1, kMaxChannels);

    for (int ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            f.reject("norm_num_groups", "(" + std::to_string(c.normNumGroups) + ") must divide every block_out_channels entry");
    for (std::size_t i = 0; i < blocks; ++i)
        if (c.blockOutChannels[i] % c.attentionHeads[i] != 0)
            f.reject(f.find("num_attention_heads") ? "num_attention_heads" : "attention_head_dim",
                     "(" + std::to_string(c.attentionHeads[i]) + " heads) must divide the channels of block " +
                         std::to_string(i) + " (" + std::to_string(c.blockOutChannels[i]) + ")");
    if (c.blockOutChannels[0] % 2 != 0) f.reject("block_out_channels", "[0] must be even for the sinusoidal embedding");
    const int factor = 1 << (blocks - 1);
    if (c.sampleSize % factor != 0)
        f.reject("sample_size", "(" + std::to_string(c.sampleSize) + ") must be a multiple of " + std::to_string(factor));
    return c;
}

std::string UNetConditionConfig::toJson() const {
    nlohmann::ordered_json j;
    j["_class_name"] = "UNet2DConditionModel";
    j["sample_size"] = sampleSize;
    j["in_channels"] = inChannels;
    j["out_channels"] = outChannels;
    j["center_input_sample"] = centerInputSample;
    j["flip_sin_to_cos"] = flipSinToCos;
    j["freq_shift"] = freqShift;
    std::vector<std::string> down, up;
    for (bool x : downCrossAttention) down.push_back(x ? "CrossAttnDownBlock2D" : "DownBlock2D");
    for (bool x : upCrossAttention) up.push_back(x ? "CrossAttnUpBlock2D" : "UpBlock2D");
    j["down_block_types"] = down;
    j["mid_block_type"] = hasMidBlock ? json("UNetMidBlock2DCrossAttn") : json(nullptr);
    j["up_block_types"] = up;
    j["block_out_channels"] = blockOutChannels;
    j["layers_per_block"] = layersPerBlock;
    j["downsample_padding"] = downsamplePadding;
    j["mid_block_scale_factor"] = midBlockScaleFactor;
    j["act_fn"] = "silu";
    j["norm_num_groups"] = normNumGroups;
    j["norm_eps"] = normEps;
    j["cross_attention_dim"] = crossAttentionDim;
    j["transformer_layers_per_block"] = transformerLayersPerBlock;
    j["attention_head_dim"] = attentionHeads;
    j["use_linear_projection"] = useLinearProjection;
    j["upcast_attention"] = upcastAttention;
    return j.dump(2) + "\n";
}

}  // namespace dq
