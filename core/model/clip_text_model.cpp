#include "core/model/clip_text_model.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/forward_inputs.h"
#include "core/model/layers.h"
#include "core/model/parameter_store.h"
#include "core/model/transformer_blocks.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {

using nlohmann::json;

// Hugging Face's CLIPAttention: q scaled after projection, additive causal mask.
class ClipAttention : public Module {
public:
    ClipAttention(int64_t width, int64_t heads) : heads_(heads), headDim_(width / heads) {
        const WeightedLayer::Linear projection{width, width};
        q_ = addChild<WeightedLayer>("q_proj", projection);
        k_ = addChild<WeightedLayer>("k_proj", projection);
        v_ = addChild<WeightedLayer>("v_proj", projection);
        out_ = addChild<WeightedLayer>("out_proj", projection);
    }
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const InterceptionState& state) const {
        const int64_t b = x.size(0), n = x.size(1);
        auto heads = [&](const torch::Tensor& t) {
            return t.view({b, n, heads_, headDim_}).transpose(1, 2).reshape({b * heads_, n, headDim_});
        };
        const torch::Tensor q = heads(q_->forward(x, state) * std::pow(double(headDim_), -0.5));
        const torch::Tensor k = heads(k_->forward(x, state));
        const torch::Tensor v = heads(v_->forward(x, state));
        const torch::Tensor scores = torch::bmm(q, k.transpose(1, 2)) + mask;
        const torch::Tensor out = torch::bmm(torch::softmax(scores, -1), v);
        return out_->forward(out.view({b, heads_, n, headDim_}).transpose(1, 2).reshape({b, n, heads_ * headDim_}), state);
    }

private:
    WeightedLayer *q_, *k_, *v_, *out_;
    int64_t heads_, headDim_;
};

class ClipEncoderLayer : public Module {
public:
    ClipEncoderLayer(const ClipTextConfig& c) : quickGelu_(c.quickGelu) {
        attention_ = addChild<ClipAttention>("self_attn", c.hiddenSize, c.numHeads);
        norm1_ = addChild<LayerNormLayer>("layer_norm1", c.hiddenSize, c.layerNormEps);
        fc1_ = addChild<WeightedLayer>("mlp.fc1", WeightedLayer::Linear{c.hiddenSize, c.intermediateSize});
        fc2_ = addChild<WeightedLayer>("mlp.fc2", WeightedLayer::Linear{c.intermediateSize, c.hiddenSize});
        norm2_ = addChild<LayerNormLayer>("layer_norm2", c.hiddenSize, c.layerNormEps);
    }
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const InterceptionState& state) const {
        torch::Tensor h = x + attention_->forward(norm1_->forward(x), mask, state);
        torch::Tensor m = fc1_->forward(norm2_->forward(h), state);
        m = quickGelu_ ? m * torch::sigmoid(1.702 * m) : torch::gelu(m);
        return h + fc2_->forward(m, state);
    }

private:
    ClipAttention* attention_;
    LayerNormLayer *norm1_, *norm2_;
    WeightedLayer *fc1_, *fc2_;
    bool quickGelu_;
};

}  // namespace

// The root, with Hugging Face's CLIPTextModel names.
struct ClipTextNetwork : Module {
    explicit ClipTextNetwork(const ClipTextConfig& c) {
        addParameter("text_model.embeddings.token_embedding.weight", &tokenEmbedding, {c.vocabSize, c.hiddenSize},
                     InitKind::Normal);
        addParameter("text_model.embeddings.position_embedding.weight", &positionEmbedding,
                     {c.maxPositions, c.hiddenSize}, InitKind::Normal);
        for (int i = 0; i < c.numLayers; ++i)
            layers.push_back(addChild<ClipEncoderLayer>("text_model.encoder.layers." + std::to_string(i), c));
        finalNorm = addChild<LayerNormLayer>("text_model.final_layer_norm", c.hiddenSize, c.layerNormEps);
        nameTree();
        parameters = ParameterStore(*this);
        collectSites(sitePointers);
    }
    torch::Tensor tokenEmbedding, positionEmbedding;
    std::vector<ClipEncoderLayer*> layers;
    LayerNormLayer* finalNorm;
    ParameterStore parameters;
    std::vector<SiteInfo*> sitePointers;
};

ClipTextConfig ClipTextConfig::fromJson(const std::string& jsonText, const std::string& source) {
    const std::string what = "Text encoder config '" + source + "'";
    const json root = parseBoundedJson(jsonText, what);
    const JsonFields<json> f(root, what);
    f.allowOnly({"architectures", "model_type", "hidden_act", "hidden_size", "intermediate_size", "num_attention_heads",
                 "num_hidden_layers", "max_position_embeddings", "vocab_size", "layer_norm_eps", "projection_dim",
                 "torch_dtype", "bos_token_id", "eos_token_id", "pad_token_id", "attention_dropout", "dropout",
                 "initializer_factor", "initializer_range", "transformers_version"},
                /*metadataKeys=*/true, "it is not a CLIPTextModel setting this engine reproduces");
    if (f.find("model_type")) (void)f.text("model_type", "clip_text_model", {"clip_text_model"});
    ClipTextConfig c;
    c.quickGelu = f.text("hidden_act", "quick_gelu", {"quick_gelu", "gelu"}) == "quick_gelu";
    c.hiddenSize = f.integer32("hidden_size", c.hiddenSize, 1, 16384);
    c.intermediateSize = f.integer32("intermediate_size", c.intermediateSize, 1, 65536);
    c.numHeads = f.integer32("num_attention_heads", c.numHeads, 1, 1024);
    c.numLayers = f.integer32("num_hidden_layers", c.numLayers, 1, 256);
    c.maxPositions = f.integer32("max_position_embeddings", c.maxPositions, 1, 4096);
    c.vocabSize = f.integer32("vocab_size", c.vocabSize, 1, 1 << 20);
    c.layerNormEps = f.number("layer_norm_eps", 1e-5, NumberRange{0, 1, true, true, true});
    if (c.hiddenSize % c.numHeads != 0)
        f.reject("num_attention_heads", "(" + std::to_string(c.numHeads) + ") must divide hidden_size (" +
                                            std::to_string(c.hiddenSize) + ")");
    return c;
}

std::string ClipTextConfig::toJson() const {
    nlohmann::ordered_json j;
    j["architectures"] = {"CLIPTextModel"};
    j["model_type"] = "clip_text_model";
    j["hidden_act"] = quickGelu ? "quick_gelu" : "gelu";
    j["hidden_size"] = hiddenSize;
    j["intermediate_size"] = intermediateSize;
    j["num_attention_heads"] = numHeads;
    j["num_hidden_layers"] = numLayers;
    j["max_position_embeddings"] = maxPositions;
    j["vocab_size"] = vocabSize;
    j["layer_norm_eps"] = layerNormEps;
    j["torch_dtype"] = "float32";
    return j.dump(2) + "\n";
}

ClipTextModel::ClipTextModel(ClipTextConfig config)
    : config_(std::move(config)), net_(std::make_unique<ClipTextNetwork>(config_)) {
    for (const SiteInfo* s : net_->sitePointers) sites_.push_back(*s);
}
ClipTextModel::~ClipTextModel() = default;
ClipTextModel::ClipTextModel(ClipTextModel&&) noexcept = default;
ClipTextModel& ClipTextModel::operator=(ClipTextModel&&) noexcept = default;

torch::Tensor ClipTextModel::forward(const torch::Tensor& inputIds, int skipLastLayers) const {
    const ClipTextConfig& c = config_;
    if (inputIds.dim() != 2 || inputIds.size(0) == 0 || inputIds.size(1) == 0 || inputIds.size(1) > c.maxPositions)
        throw Error("input_ids must be shaped [B, L] with 1 ≤ L ≤ " + std::to_string(c.maxPositions) + ", got " +
                    tensorShapeText(inputIds.sizes()) + ".");
    if (inputIds.is_floating_point()) throw Error("input_ids must be integers.");
    if (skipLastLayers < 0 || skipLastLayers >= c.numLayers)
        throw Error("Can skip 0 to " + std::to_string(c.numLayers - 1) + " final layers of this text encoder, not " +
                    std::to_string(skipLastLayers) + ".");
    const torch::Tensor ids = inputIds.to(device(), torch::kInt64);
    const int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    if (lo < 0 || hi >= c.vocabSize)
        throw Error("Token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the vocabulary [0, " +
                    std::to_string(c.vocabSize - 1) + "].");
    const int64_t n = ids.size(1);
    const ClipTextNetwork& net = *net_;
    torch::Tensor h = torch::embedding(net.tokenEmbedding, ids) + net.positionEmbedding.narrow(0, 0, n);
    // Causal: token i attends to tokens 0..i.
    const torch::Tensor mask =
        torch::full({n, n}, -std::numeric_limits<float>::infinity(), h.options()).triu(1);
    const InterceptionState none;
    const std::size_t run = net.layers.size() - static_cast<std::size_t>(skipLastLayers);
    for (std::size_t i = 0; i < run; ++i) h = net.layers[i]->forward(h, mask, none);
    return net.finalNorm->forward(h);
}

ClipTextModel ClipTextModel::load(const std::string& folder) {
    const std::string configPath = folder + "/config.json";
    const std::string weightsPath = folder + "/model.safetensors";
    ClipTextModel model(ClipTextConfig::fromJson(readTextFile(configPath), configPath));
    std::map<std::string, torch::Tensor> tensors = loadSafetensors(weightsPath).tensors;
    // Older transformers versions also save the position_ids buffer; it is arange(L).
    tensors.erase("text_model.embeddings.position_ids");
    model.loadStateDict(tensors, weightsPath);
    return model;
}

void ClipTextModel::save(const std::string& folder) const {
    writeTextFileAtomically(folder + "/config.json", config_.toJson());
    net_->parameters.saveWeights(folder + "/model.safetensors");
}

void ClipTextModel::initializeRandom(uint64_t seed) { net_->parameters.initializeRandom(seed); }

std::map<std::string, torch::Tensor> ClipTextModel::stateDict() const { return net_->parameters.stateDict(); }
void ClipTextModel::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    net_->parameters.load(tensors, source);
}
std::vector<ParameterInfo> ClipTextModel::parameterInfos() const { return net_->parameters.infos(); }
int64_t ClipTextModel::parameterCount() const { return net_->parameters.count(); }
void ClipTextModel::to(const torch::Device& device) { net_->parameters.moveTo(device); }
torch::Device ClipTextModel::device() const { return net_->parameters.device(); }

}  // namespace dq
