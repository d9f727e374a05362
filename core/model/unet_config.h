#pragma once
// The subset of diffusers' UNet2DModel config.json that this engine
// reproduces. Anything else is rejected by key name, never silently ignored.
#include <optional>
#include <string>
#include <vector>

namespace dq {

enum class DownBlockType { Plain, Attention };  // DownBlock2D, AttnDownBlock2D
enum class UpBlockType { Plain, Attention };    // UpBlock2D, AttnUpBlock2D
enum class ClassEmbedType { None, Embedding, Timestep };

struct UNetConfig {
    int sampleSize = 32;
    int inChannels = 3;
    int outChannels = 3;
    std::vector<int> blockOutChannels{224, 448, 672, 896};
    std::vector<DownBlockType> downBlocks;
    std::vector<UpBlockType> upBlocks;
    int layersPerBlock = 2;
    std::optional<int> attentionHeadDim = 8;  // nullopt: one head spanning all channels
    int normNumGroups = 32;
    std::optional<int> attnNormNumGroups;     // nullopt: normNumGroups
    double normEps = 1e-5;
    int downsamplePadding = 1;
    bool flipSinToCos = true;
    double freqShift = 0;
    bool centerInputSample = false;
    double midBlockScaleFactor = 1.0;
    bool addAttention = true;
    bool hasMidBlock = true;
    int timeEmbeddingDim = 0;  // 0: 4 × blockOutChannels[0]
    std::optional<int> numClassEmbeds;
    ClassEmbedType classEmbedType = ClassEmbedType::None;
    // Convention of this product for classifier-free guidance: the label that
    // means "no class". Read from the metadata key `_null_class_label`; when
    // absent, num_class_embeds − 1 (the extra row added for label dropout).
    std::optional<int> nullClassLabel;

    int timeEmbedDim() const { return timeEmbeddingDim > 0 ? timeEmbeddingDim : 4 * blockOutChannels.at(0); }
    bool isClassConditional() const { return classEmbedType != ClassEmbedType::None; }

    // Parses config.json text; `source` names the file in errors.
    static UNetConfig fromJson(const std::string& jsonText, const std::string& source);
    // Writes config.json text in diffusers' vocabulary.
    std::string toJson() const;
    // A lower bound on the parameter count this config implies, computed
    // without building the model (checked against the weights file first).
    double minimumParameterCount() const;
};

}  // namespace dq
