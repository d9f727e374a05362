#pragma once
// The text encoder of Stable Diffusion 1.x/2.x: Hugging Face's CLIPTextModel
// (OpenAI CLIP's text transformer) with its key names and config.json, as a
// pipeline's text_encoder/ folder holds it. Causal self-attention, QuickGELU
// (SD 1.x) or GELU (SD 2.x), the final LayerNorm. Its linear layers are
// interception sites (listed by sites()); nothing installs an interceptor on
// it yet, so it runs in full precision, the default.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/model/model_summary.h"
#include "core/model/parameter_info.h"

namespace dq {

struct ClipTextConfig {
    int vocabSize = 49408;
    int hiddenSize = 768;
    int intermediateSize = 3072;
    int numLayers = 12;
    int numHeads = 12;
    int maxPositions = 77;
    double layerNormEps = 1e-5;
    bool quickGelu = true;  // hidden_act quick_gelu (SD 1.x); false: gelu (SD 2.x)

    static ClipTextConfig fromJson(const std::string& jsonText, const std::string& source);
    std::string toJson() const;
};

struct ClipTextNetwork;  // the module tree; defined in clip_text_model.cpp

class ClipTextModel {
public:
    explicit ClipTextModel(ClipTextConfig config);
    ~ClipTextModel();
    ClipTextModel(ClipTextModel&&) noexcept;
    ClipTextModel& operator=(ClipTextModel&&) noexcept;

    // Reads config.json and model.safetensors from `folder`.
    static ClipTextModel load(const std::string& folder);
    // Writes both atomically (Hugging Face's names).
    void save(const std::string& folder) const;
    // Embeddings N(0, 1), linears PyTorch's default, norms 1/0; deterministic for a seed.
    void initializeRandom(uint64_t seed);

    // input_ids [B, L] (L ≤ max_position_embeddings) → hidden states [B, L, hidden].
    // skipLastLayers 0 gives last_hidden_state; 1 the penultimate layer's
    // output ("clip skip"), which also passes through the final LayerNorm.
    torch::Tensor forward(const torch::Tensor& inputIds, int skipLastLayers = 0) const;

    std::map<std::string, torch::Tensor> stateDict() const;
    void loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source);
    std::vector<ParameterInfo> parameterInfos() const;
    int64_t parameterCount() const;
    const std::vector<SiteInfo>& sites() const { return sites_; }
    void to(const torch::Device& device);
    torch::Device device() const;
    const ClipTextConfig& config() const { return config_; }

private:
    ClipTextConfig config_;
    std::unique_ptr<ClipTextNetwork> net_;
    std::vector<SiteInfo> sites_;
};

}  // namespace dq
