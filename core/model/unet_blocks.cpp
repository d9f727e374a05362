#include "core/model/unet_blocks.h"

#include <cmath>

#include <torch/torch.h>

namespace dq {

// ---------------------------------------------------------------- ResnetBlock

ResnetBlock::ResnetBlock(const std::string& p, const std::string& block, int64_t in, int64_t out,
                         int64_t tembChannels, int64_t groups, double eps, double outputScale, int64_t splitChannels)
    : norm1_(p + ".norm1", in, groups, eps),
      norm2_(p + ".norm2", out, groups, eps),
      conv1_(WeightedLayer::conv(p + ".conv1", block, in, out, 3, 1, 1)),
      timeEmbProj_(WeightedLayer::linear(p + ".time_emb_proj", block, tembChannels, out)),
      conv2_(WeightedLayer::conv(p + ".conv2", block, out, out, 3, 1, 1)),
      outputScale_(outputScale) {
    if (in != out) convShortcut_ = WeightedLayer::conv(p + ".conv_shortcut", block, in, out, 1, 1, 0);
    // Both convs that consume cat(h, skip) know where h ends.
    conv1_.site.splitChannels = splitChannels;
    if (convShortcut_) {
        convShortcut_->site.splitChannels = splitChannels;
        convShortcut_->site.rawConcatInput = splitChannels > 0;
    }
    unit_ = {p, UnitKind::Resnet, {conv1_.site.name, timeEmbProj_.site.name, conv2_.site.name}};
    if (convShortcut_) unit_.sites.push_back(convShortcut_->site.name);
}

torch::Tensor ResnetBlock::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                   const InterceptionState& state) const {
    if (!state.unitObserver) return compute(x, temb, state);
    notifyUnitInput(state, unit_, {x, temb, {}});
    torch::Tensor out = compute(x, temb, state);
    notifyUnitOutput(state, unit_, out);
    return out;
}

void ResnetBlock::collectUnits(std::vector<UnitRunner>& units) const {
    units.push_back({&unit_, [this](const UnitInputs& in, const InterceptionState& state) {
                         return compute(in.x, in.temb, state);
                     }});
}

torch::Tensor ResnetBlock::compute(const torch::Tensor& x, const torch::Tensor& temb,
                                   const InterceptionState& state) const {
    torch::Tensor h = conv1_.forward(torch::silu(norm1_.forward(x)), state);
    h = h + timeEmbProj_.forward(torch::silu(temb), state).unsqueeze(-1).unsqueeze(-1);
    // Dropout is the identity at inference.
    h = conv2_.forward(torch::silu(norm2_.forward(h)), state);
    torch::Tensor shortcut = convShortcut_ ? convShortcut_->forward(x, state) : x;
    torch::Tensor result = shortcut + h;
    return outputScale_ == 1.0 ? result : result / outputScale_;
}

void ResnetBlock::registerParameters(ParameterRegistry& r) {
    norm1_.registerParameters(r);
    conv1_.registerParameters(r);
    timeEmbProj_.registerParameters(r);
    norm2_.registerParameters(r);
    conv2_.registerParameters(r);
    if (convShortcut_) convShortcut_->registerParameters(r);
}

void ResnetBlock::collectSites(std::vector<SiteInfo*>& sites) {
    sites.push_back(&conv1_.site);
    sites.push_back(&timeEmbProj_.site);
    sites.push_back(&conv2_.site);
    if (convShortcut_) sites.push_back(&convShortcut_->site);
}

// ------------------------------------------------------------- AttentionBlock

namespace {
SiteInfo operandSite(const std::string& prefix, const std::string& block, const char* suffix, SiteKind kind) {
    SiteInfo site;
    site.name = prefix + "." + suffix;
    site.block = block;
    site.kind = kind;
    return site;
}
}  // namespace

AttentionBlock::AttentionBlock(const std::string& p, const std::string& block, int64_t channels, int64_t headDim,
                               int64_t groups, double eps, double rescale)
    : prefix_(p),
      norm_(p + ".group_norm", channels, groups, eps),
      toQ_(WeightedLayer::linear(p + ".to_q", block, channels, channels)),
      toK_(WeightedLayer::linear(p + ".to_k", block, channels, channels)),
      toV_(WeightedLayer::linear(p + ".to_v", block, channels, channels)),
      toOut_(WeightedLayer::linear(p + ".to_out.0", block, channels, channels)),
      qSite_(operandSite(p, block, "q", SiteKind::AttentionQuery)),
      kSite_(operandSite(p, block, "k", SiteKind::AttentionKey)),
      vSite_(operandSite(p, block, "v", SiteKind::AttentionValue)),
      probsSite_(operandSite(p, block, "softmax", SiteKind::AttentionProbs)),
      heads_(channels / headDim),
      headDim_(headDim),
      rescale_(rescale) {
    unit_ = {p, UnitKind::Attention, {}};
    for (const SiteInfo* site : {&toQ_.site, &toK_.site, &toV_.site, &qSite_, &kSite_, &vSite_, &probsSite_, &toOut_.site})
        unit_.sites.push_back(site->name);
}

torch::Tensor AttentionBlock::forward(const torch::Tensor& x, const InterceptionState& state) const {
    if (!state.unitObserver) return compute(x, state);
    notifyUnitInput(state, unit_, {x, {}, {}});
    torch::Tensor out = compute(x, state);
    notifyUnitOutput(state, unit_, out);
    return out;
}

void AttentionBlock::collectUnits(std::vector<UnitRunner>& units) const {
    units.push_back({&unit_, [this](const UnitInputs& in, const InterceptionState& state) { return compute(in.x, state); }});
}

torch::Tensor AttentionBlock::compute(const torch::Tensor& x, const InterceptionState& state) const {
    const int64_t b = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
    // [B, HW, C], contiguous: LibTorch 1.13 runs Linear on a transposed view ~10x slower.
    torch::Tensor tokens = norm_.forward(x).view({b, c, hw}).transpose(1, 2).contiguous();
    auto splitHeads = [&](const torch::Tensor& t) { return t.view({b, hw, heads_, headDim_}).transpose(1, 2); };
    // Projections first, then the matmul operands: the order sites() reports.
    torch::Tensor q = splitHeads(toQ_.forward(tokens, state));
    torch::Tensor k = splitHeads(toK_.forward(tokens, state));
    torch::Tensor v = splitHeads(toV_.forward(tokens, state));
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
    out = toOut_.forward(out, state).transpose(1, 2).reshape({b, c, x.size(2), x.size(3)});
    out = out + x;
    return rescale_ == 1.0 ? out : out / rescale_;
}

void AttentionBlock::registerParameters(ParameterRegistry& r) {
    norm_.registerParameters(r);
    // Checkpoints saved before diffusers 0.14 name the projections differently.
    toQ_.registerParameters(r, prefix_ + ".query");
    toK_.registerParameters(r, prefix_ + ".key");
    toV_.registerParameters(r, prefix_ + ".value");
    toOut_.registerParameters(r, prefix_ + ".proj_attn");
}

void AttentionBlock::collectSites(std::vector<SiteInfo*>& sites) {
    for (SiteInfo* s : {&toQ_.site, &toK_.site, &toV_.site, &qSite_, &kSite_, &vSite_, &probsSite_, &toOut_.site})
        sites.push_back(s);
}

// ------------------------------------------------------------------ helpers

namespace {
int64_t headDimFor(const BlockSettings& s, int64_t channels) { return s.headDim ? *s.headDim : channels; }
std::string channelText(int64_t in, int64_t out) { return std::to_string(in) + "->" + std::to_string(out); }
}  // namespace

// ------------------------------------------------------- ResnetAttentionStack

void ResnetAttentionStack::add(ResnetBlock resnet, std::optional<AttentionBlock> attention) {
    resnets_.push_back(std::move(resnet));
    if (attention) attentions_.push_back(std::move(*attention));
}

torch::Tensor ResnetAttentionStack::forwardLayer(std::size_t i, const torch::Tensor& x, const torch::Tensor& temb,
                                                 const InterceptionState& state) const {
    torch::Tensor h = resnets_[i].forward(x, temb, state);
    return attentions_.empty() ? h : attentions_[i].forward(h, state);
}

void ResnetAttentionStack::registerParameters(ParameterRegistry& r) {
    for (std::size_t i = 0; i < resnets_.size(); ++i) {
        resnets_[i].registerParameters(r);
        if (!attentions_.empty()) attentions_[i].registerParameters(r);
    }
}

void ResnetAttentionStack::collectSites(std::vector<SiteInfo*>& sites) {
    for (std::size_t i = 0; i < resnets_.size(); ++i) {
        resnets_[i].collectSites(sites);
        if (!attentions_.empty()) attentions_[i].collectSites(sites);
    }
}

void ResnetAttentionStack::collectUnits(std::vector<UnitRunner>& units) const {
    for (std::size_t i = 0; i < resnets_.size(); ++i) {
        resnets_[i].collectUnits(units);
        if (!attentions_.empty()) attentions_[i].collectUnits(units);
    }
}

namespace {
// A standalone layer as a unit.
UnitRunner layerUnit(const WeightedLayer& layer) {
    return {layer.unit(), [&layer](const UnitInputs& in, const InterceptionState& state) {
                InterceptionState inner = state;
                inner.unitObserver = nullptr;
                return layer.forward(in.x, inner);
            }};
}
}  // namespace

void collectLayerUnit(const WeightedLayer& layer, std::vector<UnitRunner>& units) { units.push_back(layerUnit(layer)); }

// ------------------------------------------------------------------ DownBlock

DownBlock::DownBlock(int index, int64_t in, int64_t out, int layers, bool attention, bool downsample,
                     int downsamplePadding, const BlockSettings& s)
    : downsamplePadding_(downsamplePadding) {
    const std::string block = "down_blocks." + std::to_string(index);
    for (int i = 0; i < layers; ++i) {
        const std::string idx = std::to_string(i);
        ResnetBlock resnet(block + ".resnets." + idx, block, i == 0 ? in : out, out, s.tembChannels, s.groups, s.eps,
                           1.0);
        std::optional<AttentionBlock> attn;
        if (attention) attn.emplace(block + ".attentions." + idx, block, out, headDimFor(s, out), s.groups, s.eps, 1.0);
        layers_.add(std::move(resnet), std::move(attn));
    }
    if (downsample) {
        downsampler_ = WeightedLayer::conv(block + ".downsamplers.0.conv", block, out, out, 3, 2, downsamplePadding);
        downsampler_->makeStandaloneUnit();
    }
    description_ = block + " " + (attention ? "AttnDownBlock2D " : "DownBlock2D ") + channelText(in, out) +
                   (downsample ? " downsample" : "");
}

torch::Tensor DownBlock::forward(torch::Tensor x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips,
                                 const InterceptionState& state) const {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        x = layers_.forwardLayer(i, x, temb, state);
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

void DownBlock::registerParameters(ParameterRegistry& r) {
    layers_.registerParameters(r);
    if (downsampler_) downsampler_->registerParameters(r);
}

void DownBlock::collectSites(std::vector<SiteInfo*>& sites) {
    layers_.collectSites(sites);
    if (downsampler_) sites.push_back(&downsampler_->site);
}

void DownBlock::collectUnits(std::vector<UnitRunner>& units) const {
    layers_.collectUnits(units);
    if (downsampler_) collectLayerUnit(*downsampler_, units);
}

// -------------------------------------------------------------------- UpBlock

UpBlock::UpBlock(int index, int64_t in, int64_t prevOut, int64_t out, int layers, bool attention, bool upsample,
                 const BlockSettings& s) {
    const std::string block = "up_blocks." + std::to_string(index);
    for (int i = 0; i < layers; ++i) {
        const std::string idx = std::to_string(i);
        const int64_t skipChannels = i == layers - 1 ? in : out;
        const int64_t hChannels = i == 0 ? prevOut : out;
        ResnetBlock resnet(block + ".resnets." + idx, block, hChannels + skipChannels, out, s.tembChannels, s.groups,
                           s.eps, 1.0, hChannels);
        std::optional<AttentionBlock> attn;
        if (attention) attn.emplace(block + ".attentions." + idx, block, out, headDimFor(s, out), s.groups, s.eps, 1.0);
        layers_.add(std::move(resnet), std::move(attn));
    }
    if (upsample) {
        upsampler_ = WeightedLayer::conv(block + ".upsamplers.0.conv", block, out, out, 3, 1, 1);
        upsampler_->makeStandaloneUnit();
    }
    description_ = block + " " + (attention ? "AttnUpBlock2D " : "UpBlock2D ") + channelText(prevOut, out) +
                   (upsample ? " upsample" : "");
}

torch::Tensor UpBlock::forward(torch::Tensor x, const torch::Tensor& temb, std::vector<torch::Tensor>& skips,
                               const InterceptionState& state) const {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        torch::Tensor skip = std::move(skips.back());
        skips.pop_back();
        x = layers_.forwardLayer(i, torch::cat({x, skip}, 1), temb, state);
    }
    if (upsampler_) {
        x = torch::upsample_nearest2d(x, std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2});
        x = upsampler_->forward(x, state);
    }
    return x;
}

void UpBlock::registerParameters(ParameterRegistry& r) {
    layers_.registerParameters(r);
    if (upsampler_) upsampler_->registerParameters(r);
}

void UpBlock::collectSites(std::vector<SiteInfo*>& sites) {
    layers_.collectSites(sites);
    if (upsampler_) sites.push_back(&upsampler_->site);
}

void UpBlock::collectUnits(std::vector<UnitRunner>& units) const {
    layers_.collectUnits(units);
    if (upsampler_) collectLayerUnit(*upsampler_, units);
}

// ------------------------------------------------------------------- MidBlock

MidBlock::MidBlock(int64_t channels, bool attention, double scale, const BlockSettings& s) {
    const std::string block = "mid_block";
    resnets_.emplace_back(block + ".resnets.0", block, channels, channels, s.tembChannels, s.groups, s.eps, scale);
    if (attention)
        attentions_.emplace_back(block + ".attentions.0", block, channels, headDimFor(s, channels),
                                 s.attentionGroups.value_or(s.groups), s.eps, scale);
    resnets_.emplace_back(block + ".resnets.1", block, channels, channels, s.tembChannels, s.groups, s.eps, scale);
    description_ = block + " UNetMidBlock2D " + std::to_string(channels) + (attention ? " with attention" : "");
}

torch::Tensor MidBlock::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                const InterceptionState& state) const {
    torch::Tensor h = resnets_[0].forward(x, temb, state);
    if (!attentions_.empty()) h = attentions_[0].forward(h, state);
    return resnets_[1].forward(h, temb, state);
}

void MidBlock::registerParameters(ParameterRegistry& r) {
    resnets_[0].registerParameters(r);
    if (!attentions_.empty()) attentions_[0].registerParameters(r);
    resnets_[1].registerParameters(r);
}

void MidBlock::collectSites(std::vector<SiteInfo*>& sites) {
    resnets_[0].collectSites(sites);
    if (!attentions_.empty()) attentions_[0].collectSites(sites);
    resnets_[1].collectSites(sites);
}

void MidBlock::collectUnits(std::vector<UnitRunner>& units) const {
    resnets_[0].collectUnits(units);
    if (!attentions_.empty()) attentions_[0].collectUnits(units);
    resnets_[1].collectUnits(units);
}

}  // namespace dq
