#pragma once
// The subset of diffusers' UNet2DConditionModel config.json (Stable Diffusion
// 1.x and 2.x U-Nets) that this engine reproduces. Every other key must keep
// its default value; anything else is rejected by key name.
#include <string>
#include <vector>

namespace dq {

struct UNetConditionConfig {
    int sampleSize = 64;
    int inChannels = 4;
    int outChannels = 4;
    bool centerInputSample = false;
    bool flipSinToCos = true;
    double freqShift = 0;
    std::vector<int> blockOutChannels{320, 640, 1280, 1280};
    std::vector<bool> downCrossAttention{true, true, true, false};  // CrossAttnDownBlock2D or DownBlock2D
    std::vector<bool> upCrossAttention{false, true, true, true};    // UpBlock2D or CrossAttnUpBlock2D
    bool hasMidBlock = true;                                        // UNetMidBlock2DCrossAttn
    int layersPerBlock = 2;
    int downsamplePadding = 1;
    double midBlockScaleFactor = 1.0;
    int normNumGroups = 32;
    double normEps = 1e-5;
    int crossAttentionDim = 1280;
    int transformerLayersPerBlock = 1;
    // Heads per down block (the up blocks use them reversed, the mid block the
    // last). diffusers' quirk: SD 1.x configs give the number of heads as
    // `attention_head_dim`; `num_attention_heads`, when set, takes precedence.
    std::vector<int> attentionHeads{8, 8, 8, 8};
    bool useLinearProjection = false;
    bool upcastAttention = false;  // float32 inference: no effect, accepted

    int timeEmbedDim() const { return 4 * blockOutChannels.at(0); }

    static UNetConditionConfig fromJson(const std::string& jsonText, const std::string& source);
    std::string toJson() const;
};

}  // namespace dq
