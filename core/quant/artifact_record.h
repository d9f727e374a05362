#pragma once
// quantized_model.json as plain data, read without torch: every key of the
// artifact's record is validated here (types, ranges, counts) before the
// loader touches a tensor, and a fuzz target exercises this reader alone.
// The loader (quant_artifact.cpp) then checks the record against the model
// and its plan and unpacks the weights.
#include <cstdint>
#include <string>
#include <vector>

namespace dq {

struct WeightPartRecord {
    int bits = 0;
    bool symmetric = true;
    std::vector<int64_t> shape;
};

struct GridRecord {
    int64_t timestep = -1;  // -1: one grid for every step
    int bits = 0;
    float lo = 0, hi = 0;
    float scale = 1;        // positive, normal, finite
    int32_t zeroPoint = 0;  // inside the width's integer range
};

struct ActivationPartRecord {
    bool symmetric = false;
    std::vector<GridRecord> grids;  // at least one
};

struct SiteRecord {
    std::string name;
    int64_t split = 0;
    bool hasWeight = false;
    std::vector<WeightPartRecord> weight;  // 1 part, or 2 when split
    bool hasActivation = false;
    std::vector<ActivationPartRecord> activation;
};

// A pipeline's text encoder or VAE, quantized weight-only (component_quantization.h).
struct ComponentWeightRecord {
    std::string key;  // the component's state-dict key
    std::vector<int64_t> shape;
};

struct ComponentRecord {
    std::string name;  // "text_encoder" or "vae"
    int bits = 8;
    bool mseSearch = true;
    std::vector<ComponentWeightRecord> weights;  // at least one
};

struct ArtifactRecord {
    std::string fpFolder;       // as recorded; may be empty
    std::string fpWeightsStamp;
    std::string weightsStamp;   // of quantized_weights.safetensors
    std::string planJson;       // the plan object, as text for QuantPlan::fromJson
    std::string calibrationJson;
    std::vector<SiteRecord> sites;
    std::vector<ComponentRecord> components;  // absent (empty) when they stay FP
};

// Parses the text of quantized_model.json; `path` names it in messages.
// Throws dq::Error naming the key path (e.g. "sites.3.weight.0.bits").
ArtifactRecord parseArtifactRecord(const std::string& text, const std::string& path);

}  // namespace dq
