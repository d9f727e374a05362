#include "core/model/unet_blocks.h"

#include <cmath>

#include <torch/torch.h>

namespace dq {

namespace {
WeightedLayer::Conv conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t padding = 1) {
    return {in, out, 3, stride, padding};
}
}  // namespace

// ---------------------------------------------------------------- ResnetBlock

ResnetBlock::ResnetBlock(int64_t in, int64_t out, int64_t tembChannels, int64_t groups, double eps,
                         double outputScale, int64_t splitChannels)
    : outputScale_(outputScale) {
    norm1_ = addChild<GroupNormLayer>("norm1", in, groups, eps);
    conv1_ = addChild<WeightedLayer>("conv1", conv3x3(in, out));
    // The VAE's resnets have no time embedding (temb_channels None).
    if (tembChannels > 0) timeEmbProj_ = addChild<WeightedLayer>("time_emb_proj", WeightedLayer::Linear{tembChannels, out});
    norm2_ = addChild<GroupNormLayer>("norm2", out, groups, eps);
    conv2_ = addChild<WeightedLayer>("conv2", conv3x3(out, out));
    if (in != out) convShortcut_ = addChild<WeightedLayer>("conv_shortcut", WeightedLayer::Conv{in, out, 1, 1, 0});
    // Both convs that consume cat(h, skip) know where h ends.
    conv1_->site.splitChannels = splitChannels;
    if (convShortcut_) {
        convShortcut_->site.splitChannels = splitChannels;
        convShortcut_->site.rawConcatInput = splitChannels > 0;
    }
    makeUnit(UnitKind::Resnet);
}

torch::Tensor ResnetBlock::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                   const InterceptionState& state) const {
    return observeUnit(state, {x, temb, {}}, [&](const InterceptionState& inner) { return compute(x, temb, inner); });
}

torch::Tensor ResnetBlock::runUnit(const UnitInputs& in, const InterceptionState& state) const {
    return compute(in.x, in.temb, state);
}

torch::Tensor ResnetBlock::compute(const torch::Tensor& x, const torch::Tensor& temb,
                                   const InterceptionState& state) const {
    torch::Tensor h = conv1_->forward(torch::silu(norm1_->forward(x)), state);
    if (timeEmbProj_) h = h + timeEmbProj_->forward(torch::silu(temb), state).unsqueeze(-1).unsqueeze(-1);
    // Dropout is the identity at inference.
    h = conv2_->forward(torch::silu(norm2_->forward(h)), state);
    torch::Tensor shortcut = convShortcut_ ? convShortcut_->forward(x, state) : x;
    torch::Tensor result = shortcut + h;
    return outputScale_ == 1.0 ? result : result / outputScale_;
}

// ------------------------------------------------------------- AttentionBlock

AttentionBlock::AttentionBlock(int64_t channels, int64_t headDim, int64_t groups, double eps, double rescale)
    : heads_(channels / headDim), headDim_(headDim), rescale_(rescale) {
    const WeightedLayer::Linear projection{channels, channels};
    norm_ = addChild<GroupNormLayer>("group_norm", channels, groups, eps);
    toQ_ = addChild<WeightedLayer>("to_q", projection);
    toK_ = addChild<WeightedLayer>("to_k", projection);
    toV_ = addChild<WeightedLayer>("to_v", projection);
    // Projections first, then the matmul operands: the order they run in.
    qSite_.kind = SiteKind::AttentionQuery;
    kSite_.kind = SiteKind::AttentionKey;
    vSite_.kind = SiteKind::AttentionValue;
    probsSite_.kind = SiteKind::AttentionProbs;
    addSite("q", &qSite_);
    addSite("k", &kSite_);
    addSite("v", &vSite_);
    addSite("softmax", &probsSite_);
    toOut_ = addChild<WeightedLayer>("to_out.0", projection);
    // Checkpoints saved before diffusers 0.14 name the projections differently.
    toQ_->setLegacyName("query");
    toK_->setLegacyName("key");
    toV_->setLegacyName("value");
    toOut_->setLegacyName("proj_attn");
    makeUnit(UnitKind::Attention);
}

torch::Tensor AttentionBlock::forward(const torch::Tensor& x, const torch::Tensor&, const InterceptionState& state) const {
    return observeUnit(state, {x, {}, {}}, [&](const InterceptionState& inner) { return compute(x, inner); });
}

torch::Tensor AttentionBlock::runUnit(const UnitInputs& in, const InterceptionState& state) const {
    return compute(in.x, state);
}

torch::Tensor AttentionBlock::compute(const torch::Tensor& x, const InterceptionState& state) const {
    const int64_t b = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
    // [B, HW, C], contiguous: LibTorch 1.13 runs Linear on a transposed view ~10x slower.
    torch::Tensor tokens = norm_->forward(x).view({b, c, hw}).transpose(1, 2).contiguous();
    auto splitHeads = [&](const torch::Tensor& t) { return t.view({b, hw, heads_, headDim_}).transpose(1, 2); };
    torch::Tensor q = splitHeads(toQ_->forward(tokens, state));
    torch::Tensor k = splitHeads(toK_->forward(tokens, state));
    torch::Tensor v = splitHeads(toV_->forward(tokens, state));
    q = interceptOperand(qSite_, q, state);
    k = interceptOperand(kSite_, k, state);
    v = interceptOperand(vSite_, v, state);
    const double scale = 1.0 / std::sqrt(static_cast<double>(headDim_));
    // Scale fused into the GEMM (as diffusers' AttnProcessor's baddbmm does).
    // In place on zeros, not baddbmm(empty, ...) as in diffusers: LibTorch
    // 1.13's small-matrix baddbmm kernel (contraction × rows × cols < 400)
    // computes beta·r + alpha·acc on its freshly allocated output even when
    // beta = 0, so uninitialised memory became NaN about one call in 500
    // (found by the golden fixture unet2d_timestep_class: one head of 16
    // channels on a 2×2 map). Updating zeros in place gives the same kernel,
    // the same rounding, and 0·0 instead of 0·garbage.
    torch::Tensor scores = torch::zeros({b * heads_, hw, hw}, q.options())
                               .baddbmm_(q.reshape({b * heads_, hw, headDim_}),
                                         k.reshape({b * heads_, hw, headDim_}).transpose(1, 2), 0.0, scale);
    torch::Tensor probs = torch::softmax(scores.view({b, heads_, hw, hw}), -1);
    probs = interceptOperand(probsSite_, probs, state);
    torch::Tensor out = torch::matmul(probs, v).transpose(1, 2).reshape({b, hw, c});
    out = toOut_->forward(out, state).transpose(1, 2).reshape({b, c, x.size(2), x.size(3)});
    out = out + x;
    return rescale_ == 1.0 ? out : out / rescale_;
}

// ---------------------------------------------------------- TimestepEmbedding

TimestepEmbedding::TimestepEmbedding(int64_t in, int64_t out) {
    linear1_ = addChild<WeightedLayer>("linear_1", WeightedLayer::Linear{in, out});
    linear2_ = addChild<WeightedLayer>("linear_2", WeightedLayer::Linear{out, out});
}

torch::Tensor TimestepEmbedding::forward(const torch::Tensor& x, const InterceptionState& state) const {
    return linear2_->forward(torch::silu(linear1_->forward(x, state)), state);
}

// ------------------------------------------------------------------ helpers

namespace {
std::string channelText(int64_t in, int64_t out) { return std::to_string(in) + "->" + std::to_string(out); }
}  // namespace

std::unique_ptr<SpatialAttention> BlockSettings::attention(int64_t channels, bool mid, double rescale) const {
    if (makeAttention) return makeAttention(channels, mid);
    // diffusers applies attn_norm_num_groups to the mid block only.
    const int64_t normGroups = mid ? attentionGroups.value_or(groups) : groups;
    return std::make_unique<AttentionBlock>(channels, headDim ? *headDim : channels, normGroups, eps, rescale);
}

// ------------------------------------------------------- ResnetAttentionBlock

void ResnetAttentionBlock::addLayer(ResnetBlock* resnet, SpatialAttention* attention) {
    resnets_.push_back(resnet);
    if (attention) attentions_.push_back(attention);
}

torch::Tensor ResnetAttentionBlock::forwardLayer(std::size_t i, const torch::Tensor& x, const torch::Tensor& temb,
                                                 const torch::Tensor& context, const InterceptionState& state) const {
    torch::Tensor h = resnets_[i]->forward(x, temb, state);
    return attentions_.empty() ? h : attentions_[i]->forward(h, context, state);
}

// ------------------------------------------------------------------ DownBlock

DownBlock::DownBlock(int64_t in, int64_t out, int layers, bool attention, bool downsample, int downsamplePadding,
                     const BlockSettings& s)
    : downsamplePadding_(downsamplePadding) {
    for (int i = 0; i < layers; ++i) {
        const std::string idx = std::to_string(i);
        auto* resnet = addChild<ResnetBlock>("resnets." + idx, i == 0 ? in : out, out, s.tembChannels, s.groups, s.eps, 1.0);
        SpatialAttention* attn = nullptr;
        if (attention) attn = adoptChild("attentions." + idx, s.attention(out, false, 1.0));
        addLayer(resnet, attn);
    }
    if (downsample)
        downsampler_ = addChild<WeightedLayer>("downsamplers.0.conv", conv3x3(out, out, 2, downsamplePadding));
    kind_ = std::string(attention ? (s.crossAttention ? "CrossAttnDownBlock2D " : "AttnDownBlock2D ") : "DownBlock2D ") +
            channelText(in, out) +
            (downsample ? " downsample" : "");
}

std::string DownBlock::describe() const { return path() + " " + kind_; }

torch::Tensor DownBlock::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                 std::vector<torch::Tensor>& skips, const InterceptionState& state) const {
    for (std::size_t i = 0; i < layerCount(); ++i) {
        x = forwardLayer(i, x, temb, context, state);
        skips.push_back(x);
    }
    if (downsampler_) {
        // diffusers' padding 0 pads one pixel right and bottom before a stride-2 conv.
        if (downsamplePadding_ == 0) x = torch::constant_pad_nd(x, {0, 1, 0, 1}, 0.0);
        x = downsampler_->forward(x, state);
        skips.push_back(x);
    }
    return x;
}

// -------------------------------------------------------------------- UpBlock

UpBlock::UpBlock(int64_t in, int64_t prevOut, int64_t out, int layers, bool attention, bool upsample,
                 const BlockSettings& s) {
    for (int i = 0; i < layers; ++i) {
        const std::string idx = std::to_string(i);
        const int64_t skipChannels = i == layers - 1 ? in : out;
        const int64_t hChannels = i == 0 ? prevOut : out;
        auto* resnet = addChild<ResnetBlock>("resnets." + idx, hChannels + skipChannels, out, s.tembChannels, s.groups,
                                             s.eps, 1.0, hChannels);
        SpatialAttention* attn = nullptr;
        if (attention) attn = adoptChild("attentions." + idx, s.attention(out, false, 1.0));
        addLayer(resnet, attn);
    }
    if (upsample) upsampler_ = addChild<WeightedLayer>("upsamplers.0.conv", conv3x3(out, out));
    kind_ = std::string(attention ? (s.crossAttention ? "CrossAttnUpBlock2D " : "AttnUpBlock2D ") : "UpBlock2D ") +
            channelText(prevOut, out) +
            (upsample ? " upsample" : "");
}

std::string UpBlock::describe() const { return path() + " " + kind_; }

torch::Tensor UpBlock::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                               std::vector<torch::Tensor>& skips, const InterceptionState& state) const {
    for (std::size_t i = 0; i < layerCount(); ++i) {
        torch::Tensor skip = std::move(skips.back());
        skips.pop_back();
        x = forwardLayer(i, torch::cat({x, skip}, 1), temb, context, state);
    }
    if (upsampler_) {
        x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
        x = upsampler_->forward(x, state);
    }
    return x;
}

// ------------------------------------------------------------------- MidBlock

MidBlock::MidBlock(int64_t channels, bool attention, double scale, const BlockSettings& s) {
    resnet0_ = addChild<ResnetBlock>("resnets.0", channels, channels, s.tembChannels, s.groups, s.eps, scale);
    if (attention) attention_ = adoptChild("attentions.0", s.attention(channels, true, scale));
    resnet1_ = addChild<ResnetBlock>("resnets.1", channels, channels, s.tembChannels, s.groups, s.eps, scale);
    kind_ = std::string(s.crossAttention ? "UNetMidBlock2DCrossAttn " : "UNetMidBlock2D ") + std::to_string(channels) +
            (attention ? " with attention" : "");
}

std::string MidBlock::describe() const { return path() + " " + kind_; }

torch::Tensor MidBlock::forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                                const InterceptionState& state) const {
    torch::Tensor h = resnet0_->forward(x, temb, state);
    if (attention_) h = attention_->forward(h, context, state);
    return resnet1_->forward(h, temb, state);
}

}  // namespace dq
