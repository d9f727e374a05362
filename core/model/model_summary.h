#pragma once
// Plain description of a loaded model for front ends (CLI `info`, the GUI):
// no torch types, so Qt code can include it freely.
#include <cstdint>
#include <string>
#include <vector>

namespace dq {

enum class SiteKind { Conv2d, Linear, AttentionQuery, AttentionKey, AttentionValue, AttentionProbs };

const char* siteKindName(SiteKind kind);
bool isAttentionOperand(SiteKind kind);

// One interception point: a Conv2d/Linear layer or an attention matmul operand.
struct SiteInfo {
    std::string name;   // state-dict prefix, e.g. "up_blocks.2.resnets.0.conv_shortcut"
    SiteKind kind = SiteKind::Conv2d;
    std::string block;  // e.g. "up_blocks.2" or "time_embedding"
    std::vector<int64_t> weightShape;  // empty for attention operands
    // >0 when the input is cat(h, skip): channels [0, splitChannels) come from h.
    int64_t splitChannels = 0;
    // The input is the raw cat(h, skip) (the shortcut conv). conv1 of the same
    // block sees it after GroupNorm and SiLU, which is why Q-Diffusion splits
    // only the shortcut conv.
    bool rawConcatInput = false;
    // The input comes from the conditioning context (text-encoder states), not
    // from the image: cross-attention's to_k/to_v and its k/v operands. It is
    // the same at every timestep for a given prompt.
    bool contextInput = false;
    int64_t inputChannels = 0;
    int64_t stride = 1;   // Conv2d only
    int64_t padding = 0;  // Conv2d only
};

struct ModelSummary {
    std::string folder;
    int64_t parameterCount = 0;
    int64_t tensorCount = 0;
    int sampleSize = 0;
    int inChannels = 0;
    int outChannels = 0;
    std::vector<std::string> blocks;  // one line per block: "down_blocks.1 AttnDownBlock2D 128→256 ↓"
    std::vector<SiteInfo> sites;      // in execution order
    std::string classConditioning;    // e.g. "11 class embeddings, null class 10" or "none"
};

}  // namespace dq
