#include "core/model/unet_config.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/json_text.h"

namespace dq {

namespace {

using nlohmann::json;

[[noreturn]] void reject(const std::string& source, const std::string& key, const std::string& why) {
    throw Error("Unsupported model config '" + source + "': key '" + key + "' " + why + ".");
}

int getInt(const json& root, const char* key, int fallback, const std::string& source) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return fallback;
    if (!it->is_number_integer()) reject(source, key, "must be an integer, not " + jsonValueText(*it));
    return it->get<int>();
}

double getNumber(const json& root, const char* key, double fallback, const std::string& source) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return fallback;
    if (!it->is_number()) reject(source, key, "must be a number, not " + jsonValueText(*it));
    return it->get<double>();
}

bool getBool(const json& root, const char* key, bool fallback, const std::string& source) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) reject(source, key, "must be true or false, not " + jsonValueText(*it));
    return it->get<bool>();
}

// A string key that only this one value (or absence/null) is supported for.
void requireString(const json& root, const char* key, const std::set<std::string>& allowed, const std::string& source) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return;
    if (!it->is_string() || !allowed.count(it->get<std::string>())) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
        reject(source, key, "has value " + jsonValueText(*it) + "; supported: " + list);
    }
}

const std::set<std::string> kKnownKeys = {
    "sample_size", "in_channels", "out_channels", "center_input_sample", "time_embedding_type",
    "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types", "mid_block_type",
    "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor",
    "downsample_padding", "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim",
    "norm_num_groups", "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention",
    "class_embed_type", "num_class_embeds", "num_train_timesteps"};

}  // namespace

UNetConfig UNetConfig::fromJson(const std::string& jsonText, const std::string& source) {
    json root = json::parse(jsonText, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded() || !root.is_object())
        throw Error("Model config '" + source + "' is not a valid JSON object; check the file for truncation.");

    for (auto it = root.begin(); it != root.end(); ++it) {
        if (!it.key().empty() && it.key()[0] == '_') continue;  // metadata
        if (!kKnownKeys.count(it.key()))
            reject(source, it.key(), "is not a UNet2DModel setting this engine reproduces");
    }
    if (auto it = root.find("_class_name"); it != root.end() && it->is_string() && *it != "UNet2DModel")
        reject(source, "_class_name", "is " + jsonValueText(*it) + "; only UNet2DModel folders are supported");

    UNetConfig c;
    c.sampleSize = getInt(root, "sample_size", c.sampleSize, source);
    c.inChannels = getInt(root, "in_channels", c.inChannels, source);
    c.outChannels = getInt(root, "out_channels", c.outChannels, source);
    c.centerInputSample = getBool(root, "center_input_sample", false, source);
    requireString(root, "time_embedding_type", {"positional"}, source);
    c.timeEmbeddingDim = getInt(root, "time_embedding_dim", 0, source);
    c.freqShift = getNumber(root, "freq_shift", 0, source);
    c.flipSinToCos = getBool(root, "flip_sin_to_cos", true, source);
    c.layersPerBlock = getInt(root, "layers_per_block", 2, source);
    c.midBlockScaleFactor = getNumber(root, "mid_block_scale_factor", 1.0, source);
    c.downsamplePadding = getInt(root, "downsample_padding", 1, source);
    if (c.downsamplePadding != 0 && c.downsamplePadding != 1)
        reject(source, "downsample_padding", "must be 0 or 1");
    requireString(root, "downsample_type", {"conv"}, source);
    requireString(root, "upsample_type", {"conv"}, source);
    // Dropout is inactive at inference, so any rate gives the same outputs.
    (void)getNumber(root, "dropout", 0.0, source);
    requireString(root, "act_fn", {"silu", "swish"}, source);
    requireString(root, "resnet_time_scale_shift", {"default"}, source);
    requireString(root, "mid_block_type", {"UNetMidBlock2D"}, source);
    if (auto it = root.find("mid_block_type"); it != root.end() && it->is_null()) c.hasMidBlock = false;
    (void)getInt(root, "num_train_timesteps", 0, source);  // used only by fourier embeddings

    if (auto it = root.find("attention_head_dim"); it != root.end()) {
        if (it->is_null()) c.attentionHeadDim.reset();
        else c.attentionHeadDim = getInt(root, "attention_head_dim", 8, source);
    }
    c.normNumGroups = getInt(root, "norm_num_groups", 32, source);
    if (auto it = root.find("attn_norm_num_groups"); it != root.end() && !it->is_null())
        c.attnNormNumGroups = getInt(root, "attn_norm_num_groups", 0, source);
    c.normEps = getNumber(root, "norm_eps", 1e-5, source);
    c.addAttention = getBool(root, "add_attention", true, source);

    if (auto it = root.find("block_out_channels"); it != root.end()) {
        if (!it->is_array() || it->empty()) reject(source, "block_out_channels", "must be a non-empty array of integers");
        c.blockOutChannels.clear();
        for (const auto& v : *it) {
            if (!v.is_number_integer() || v.get<int>() <= 0)
                reject(source, "block_out_channels", "must hold positive integers, not " + jsonValueText(v));
            c.blockOutChannels.push_back(v.get<int>());
        }
    }
    auto readTypes = [&](const char* key, const char* plain, const char* attn, std::vector<bool>& isAttn,
                         std::vector<std::string> fallback) {
        std::vector<std::string> names = fallback;
        if (auto it = root.find(key); it != root.end()) {
            if (!it->is_array()) reject(source, key, "must be an array of block type names");
            names.clear();
            for (const auto& v : *it) {
                if (!v.is_string()) reject(source, key, "must hold strings, not " + jsonValueText(v));
                names.push_back(v.get<std::string>());
            }
        }
        for (const auto& n : names) {
            if (n == plain) isAttn.push_back(false);
            else if (n == attn) isAttn.push_back(true);
            else reject(source, key, "names block type \"" + n + "\"; supported: " + plain + ", " + attn);
        }
    };
    std::vector<bool> downAttn, upAttn;
    readTypes("down_block_types", "DownBlock2D", "AttnDownBlock2D", downAttn,
              {"DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"});
    readTypes("up_block_types", "UpBlock2D", "AttnUpBlock2D", upAttn,
              {"AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"});
    for (bool a : downAttn) c.downBlocks.push_back(a ? DownBlockType::Attention : DownBlockType::Plain);
    for (bool a : upAttn) c.upBlocks.push_back(a ? UpBlockType::Attention : UpBlockType::Plain);
    if (c.downBlocks.size() != c.blockOutChannels.size())
        reject(source, "down_block_types", "must have one entry per block_out_channels entry");
    if (c.upBlocks.size() != c.blockOutChannels.size())
        reject(source, "up_block_types", "must have one entry per block_out_channels entry");

    if (auto it = root.find("num_class_embeds"); it != root.end() && !it->is_null()) {
        c.numClassEmbeds = getInt(root, "num_class_embeds", 0, source);
        if (*c.numClassEmbeds <= 0) reject(source, "num_class_embeds", "must be positive");
    }
    if (auto it = root.find("class_embed_type"); it != root.end() && !it->is_null()) {
        if (*it == "timestep") c.classEmbedType = ClassEmbedType::Timestep;
        else reject(source, "class_embed_type", "has value " + jsonValueText(*it) + "; supported: null, \"timestep\"");
    } else if (c.numClassEmbeds) {
        c.classEmbedType = ClassEmbedType::Embedding;
    }
    if (auto it = root.find("_null_class_label"); it != root.end() && !it->is_null())
        c.nullClassLabel = getInt(root, "_null_class_label", 0, source);
    else if (c.numClassEmbeds)
        c.nullClassLabel = *c.numClassEmbeds - 1;

    // Sanity checks that would otherwise surface as shape errors (or worse) deep inside.
    if (c.layersPerBlock <= 0) reject(source, "layers_per_block", "must be positive");
    if (c.inChannels <= 0) reject(source, "in_channels", "must be positive");
    if (c.outChannels <= 0) reject(source, "out_channels", "must be positive");
    if (c.sampleSize <= 0) reject(source, "sample_size", "must be positive");
    if (c.timeEmbeddingDim < 0) reject(source, "time_embedding_dim", "must be positive");
    if (c.normNumGroups <= 0) reject(source, "norm_num_groups", "must be positive");
    for (int ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            reject(source, "norm_num_groups", "(" + std::to_string(c.normNumGroups) +
                                                  ") must divide every block_out_channels entry");
    if (c.attnNormNumGroups && (*c.attnNormNumGroups <= 0 || c.blockOutChannels.back() % *c.attnNormNumGroups != 0))
        reject(source, "attn_norm_num_groups", "must be positive and divide the mid block's channels");
    if (c.attentionHeadDim && *c.attentionHeadDim <= 0) reject(source, "attention_head_dim", "must be positive");
    if (c.attentionHeadDim) {
        // Heads = channels / head dim in every block that has attention.
        auto check = [&](int channels) {
            if (channels % *c.attentionHeadDim != 0)
                reject(source, "attention_head_dim", "(" + std::to_string(*c.attentionHeadDim) +
                                                         ") must divide the channels of every attention block (" +
                                                         std::to_string(channels) + ")");
        };
        for (std::size_t i = 0; i < c.blockOutChannels.size(); ++i) {
            if (c.downBlocks[i] == DownBlockType::Attention) check(c.blockOutChannels[i]);
            if (c.upBlocks[i] == UpBlockType::Attention) check(c.blockOutChannels[c.blockOutChannels.size() - 1 - i]);
        }
        if (c.hasMidBlock && c.addAttention) check(c.blockOutChannels.back());
    }
    if (c.nullClassLabel && (!c.numClassEmbeds || *c.nullClassLabel < 0 || *c.nullClassLabel >= *c.numClassEmbeds))
        reject(source, "_null_class_label", "must be a class index in [0, num_class_embeds)");
    if (c.blockOutChannels[0] % 2 != 0) reject(source, "block_out_channels", "[0] must be even for the sinusoidal embedding");
    return c;
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
