#include "core/model/model_summary.h"

namespace dq {

const char* siteKindName(SiteKind kind) {
    switch (kind) {
        case SiteKind::Conv2d: return "Conv2d";
        case SiteKind::Linear: return "Linear";
        case SiteKind::AttentionQuery: return "attn-q";
        case SiteKind::AttentionKey: return "attn-k";
        case SiteKind::AttentionValue: return "attn-v";
        case SiteKind::AttentionProbs: return "attn-softmax";
    }
    return "?";
}

bool isAttentionOperand(SiteKind kind) { return kind != SiteKind::Conv2d && kind != SiteKind::Linear; }

}  // namespace dq
