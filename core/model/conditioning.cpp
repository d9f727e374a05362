#include "core/model/conditioning.h"

#include <torch/torch.h>

#include "core/errors.h"

namespace dq {

const char* conditioningKindName(ConditioningKind kind) {
    switch (kind) {
        case ConditioningKind::None: return "none";
        case ConditioningKind::ClassLabels: return "class labels";
        case ConditioningKind::EncoderStates: return "encoder hidden states";
    }
    return "?";
}

Conditioning Conditioning::classLabels(const torch::Tensor& labels) {
    if (!labels.defined()) return {};
    return Conditioning(ConditioningKind::ClassLabels, labels);
}

Conditioning Conditioning::encoderStates(const torch::Tensor& states) {
    if (!states.defined()) return {};
    if (states.dim() != 3)
        throw Error("encoder_hidden_states must be shaped [batch, tokens, dim], got " + std::to_string(states.dim()) +
                    " dimensions.");
    return Conditioning(ConditioningKind::EncoderStates, states);
}

Conditioning Conditioning::to(const torch::Device& device) const {
    return isNone() ? *this : Conditioning(kind_, tensor_.to(device));
}

Conditioning Conditioning::narrow(int64_t start, int64_t length) const {
    return isNone() ? *this : Conditioning(kind_, tensor_.narrow(0, start, length));
}

Conditioning Conditioning::cat(const Conditioning& first, const Conditioning& second) {
    if (first.kind_ != second.kind_)
        throw Error(std::string("Cannot stack conditionings of different kinds (") + conditioningKindName(first.kind_) +
                    " and " + conditioningKindName(second.kind_) + ").");
    if (first.isNone()) return first;
    return Conditioning(first.kind_, torch::cat({first.tensor_, second.tensor_}));
}

Conditioning Conditioning::cat(const std::vector<Conditioning>& parts) {
    if (parts.empty() || parts.front().isNone()) return {};
    std::vector<torch::Tensor> tensors;
    for (const Conditioning& part : parts) {
        if (part.kind_ != parts.front().kind_)
            throw Error(std::string("Cannot stack conditionings of different kinds (") +
                        conditioningKindName(parts.front().kind_) + " and " + conditioningKindName(part.kind_) + ").");
        tensors.push_back(part.tensor_);
    }
    return Conditioning(parts.front().kind_, torch::cat(tensors));
}

}  // namespace dq
