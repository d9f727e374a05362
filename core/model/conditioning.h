#pragma once
// What a denoiser is conditioned on, as one value that sampling, guidance,
// calibration and statistics can carry without knowing which kind it is:
// class labels (class-conditional UNet2DModel), text-encoder hidden states
// (UNet2DConditionModel, cross-attention), or nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace dq {

enum class ConditioningKind { None, ClassLabels, EncoderStates };
const char* conditioningKindName(ConditioningKind kind);

// What a model accepts, and what "unconditional" means for it.
struct ConditioningSpec {
    ConditioningKind kind = ConditioningKind::None;
    int classCount = 0;                 // real (non-null) classes, for class labels
    std::optional<int> nullClassLabel;  // the "no class" label of classifier-free guidance
    // The order of the guidance batch: diffusers' Stable Diffusion pipeline
    // stacks [unconditional; conditional], this product's class-conditional
    // sampler has always stacked [conditional; null class].
    bool unconditionalFirst = false;

    bool supportsGuidance() const { return kind == ConditioningKind::ClassLabels && nullClassLabel.has_value(); }
};

class Conditioning {
public:
    Conditioning() = default;  // unconditional
    static Conditioning classLabels(const torch::Tensor& labels);  // [B] integers; undefined gives none
    static Conditioning encoderStates(const torch::Tensor& states);  // [B, tokens, dim]

    ConditioningKind kind() const { return kind_; }
    bool isNone() const { return kind_ == ConditioningKind::None; }
    // The tensor of its kind (undefined when none).
    const torch::Tensor& tensor() const { return tensor_; }
    int64_t batch() const { return tensor_.defined() ? tensor_.size(0) : 0; }

    Conditioning to(const torch::Device& device) const;
    Conditioning narrow(int64_t start, int64_t length) const;
    // Two conditionings of the same kind, stacked along the batch.
    static Conditioning cat(const Conditioning& first, const Conditioning& second);
    // Any number of them, all of one kind (none for an empty list).
    static Conditioning cat(const std::vector<Conditioning>& parts);

private:
    Conditioning(ConditioningKind kind, torch::Tensor tensor) : kind_(kind), tensor_(std::move(tensor)) {}
    ConditioningKind kind_ = ConditioningKind::None;
    torch::Tensor tensor_;
};

// A text-conditioned model's prompts as its text encoder states them, and the
// unconditional (negative or empty) prompt of classifier-free guidance.
struct PromptStates {
    torch::Tensor prompts;        // [P, tokens, dim]
    torch::Tensor unconditional;  // [1, tokens, dim]
};

}  // namespace dq
