#include "core/model/unet2d_condition.h"

#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/forward_inputs.h"
#include "core/model/layers.h"
#include "core/model/parameter_store.h"
#include "core/model/transformer_blocks.h"
#include "core/model/unet_blocks.h"

namespace dq {

namespace {
constexpr const char* kConfigFile = "config.json";
constexpr const char* kWeightsFile = "diffusion_pytorch_model.safetensors";
}  // namespace

// The root of the module tree, with diffusers' top-level names.
struct UNetConditionNetwork : Module {
    explicit UNetConditionNetwork(const UNetConditionConfig& c) {
        const auto& ch = c.blockOutChannels;
        const int64_t temb = c.timeEmbedDim();
        const std::size_t blocks = ch.size();
        // Heads per block: the down blocks in order, the up blocks reversed,
        // the mid block the last (diffusers' reversed_num_attention_heads).
        auto settingsFor = [&](int heads) {
            BlockSettings s{temb, c.normNumGroups, std::nullopt, c.normEps, std::nullopt, {}, true};
            TransformerSettings t{heads, c.transformerLayersPerBlock, c.crossAttentionDim, c.useLinearProjection,
                                  c.normNumGroups};
            s.makeAttention = [t](int64_t channels, bool) -> std::unique_ptr<SpatialAttention> {
                return std::make_unique<Transformer2D>(channels, t);
            };
            return s;
        };

        convIn = addChild<WeightedLayer>("conv_in", WeightedLayer::Conv{c.inChannels, ch[0], 3, 1, 1});
        timeEmbedding = addChild<TimestepEmbedding>("time_embedding", ch[0], temb);
        int64_t outCh = ch[0];
        for (std::size_t i = 0; i < blocks; ++i) {
            const int64_t inCh = outCh;
            outCh = ch[i];
            const bool last = i + 1 == blocks;
            down.push_back(addChild<DownBlock>("down_blocks." + std::to_string(i), inCh, outCh, c.layersPerBlock,
                                               bool(c.downCrossAttention[i]), !last, c.downsamplePadding,
                                               settingsFor(c.attentionHeads[i])));
        }
        if (c.hasMidBlock)
            mid = addChild<MidBlock>("mid_block", ch.back(), true, c.midBlockScaleFactor,
                                     settingsFor(c.attentionHeads.back()));
        std::vector<int> reversed(ch.rbegin(), ch.rend());
        std::vector<int> reversedHeads(c.attentionHeads.rbegin(), c.attentionHeads.rend());
        outCh = reversed[0];
        for (std::size_t i = 0; i < blocks; ++i) {
            const int64_t prevOut = outCh;
            outCh = reversed[i];
            const int64_t inCh = reversed[std::min(i + 1, blocks - 1)];
            const bool last = i + 1 == blocks;
            up.push_back(addChild<UpBlock>("up_blocks." + std::to_string(i), inCh, prevOut, outCh, c.layersPerBlock + 1,
                                           bool(c.upCrossAttention[i]), !last, settingsFor(reversedHeads[i])));
        }
        normOut = addChild<GroupNormLayer>("conv_norm_out", ch[0], c.normNumGroups, c.normEps);
        convOut = addChild<WeightedLayer>("conv_out", WeightedLayer::Conv{ch[0], c.outChannels, 3, 1, 1});
        // forward() embeds the timestep before conv_in runs.
        setExecutionOrder({"time_embedding"});

        nameTree();
        parameters = ParameterStore(*this);
        collectSites(sitePointers);
        collectUnits(units);
    }

    WeightedLayer* convIn = nullptr;
    TimestepEmbedding* timeEmbedding = nullptr;
    std::vector<DownBlock*> down;
    MidBlock* mid = nullptr;
    std::vector<UpBlock*> up;
    GroupNormLayer* normOut = nullptr;
    WeightedLayer* convOut = nullptr;

    ParameterStore parameters;
    std::vector<SiteInfo*> sitePointers;
    std::vector<UnitRunner> units;
};

UNet2DConditionModel::UNet2DConditionModel(UNetConditionConfig config)
    : config_(std::move(config)), net_(std::make_unique<UNetConditionNetwork>(config_)) {
    for (const SiteInfo* s : net_->sitePointers) sites_.push_back(*s);
    for (const UnitRunner& u : net_->units) units_.push_back(*u.info);
}

UNet2DConditionModel::~UNet2DConditionModel() = default;
UNet2DConditionModel::UNet2DConditionModel(UNet2DConditionModel&&) noexcept = default;
UNet2DConditionModel& UNet2DConditionModel::operator=(UNet2DConditionModel&&) noexcept = default;

ConditioningSpec UNet2DConditionModel::conditioningSpec() const {
    ConditioningSpec spec;
    spec.kind = ConditioningKind::EncoderStates;
    spec.unconditionalFirst = true;  // diffusers' SD pipeline stacks [unconditional; conditional]
    return spec;
}

SampleShape UNet2DConditionModel::sampleShape() const {
    return {config_.inChannels, config_.sampleSize, config_.sampleSize};
}

double UNet2DConditionModel::workingBytes(int64_t batch, int64_t height, int64_t width) const {
    // A dozen of the widest full-resolution feature maps (resnets, skips), the
    // feed-forward's 8× expansion, and the first block's self-attention matrix.
    const double pixels = double(height) * double(width);
    const double maps = double(batch) * config_.blockOutChannels.front() * pixels * 20.0;
    const double attention = double(batch) * config_.attentionHeads.front() * pixels * pixels;
    return (maps + attention) * sizeof(float);
}

torch::Tensor UNet2DConditionModel::forward(const torch::Tensor& sampleIn, const torch::Tensor& timestepsIn,
                                            const Conditioning& conditioning) const {
    const UNetConditionConfig& c = config_;
    const UNetConditionNetwork& n = *net_;
    if (conditioning.kind() != ConditioningKind::EncoderStates)
        throw Error(std::string("This UNet2DConditionModel is conditioned on text: it needs encoder_hidden_states [B, "
                                "tokens, ") + std::to_string(c.crossAttentionDim) + "], not " +
                    conditioningKindName(conditioning.kind()) + ".");
    checkSampleShape(sampleIn, c.inChannels, int64_t(1) << (c.blockOutChannels.size() - 1));
    const int64_t batch = sampleIn.size(0);
    torch::Tensor context = conditioning.tensor().to(device());
    if (context.size(0) != batch || context.size(2) != c.crossAttentionDim || context.size(1) == 0)
        throw Error("encoder_hidden_states must be shaped [" + std::to_string(batch) + ", tokens, " +
                    std::to_string(c.crossAttentionDim) + "], got " + tensorShapeText(context.sizes()) + ".");
    if (!context.is_floating_point()) throw Error("encoder_hidden_states must be floating point.");
    context = context.to(torch::kFloat32);
    torch::Tensor sample = sampleIn.to(device());
    if (c.centerInputSample) sample = 2 * sample - 1.0;
    const torch::Tensor timesteps = timestepsForBatch(timestepsIn, batch, sample.device());

    const InterceptionState& state = state_;
    const torch::Tensor tEmb = sinusoidalEmbedding(timesteps, c.blockOutChannels[0], c.flipSinToCos, c.freqShift);
    const torch::Tensor emb = n.timeEmbedding->forward(tEmb, state);
    torch::Tensor h = n.convIn->forward(sample, state);
    std::vector<torch::Tensor> skips{h};
    for (const DownBlock* block : n.down) h = block->forward(h, emb, context, skips, state);
    if (n.mid) h = n.mid->forward(h, emb, context, state);
    for (const UpBlock* block : n.up) h = block->forward(h, emb, context, skips, state);
    h = torch::silu(n.normOut->forward(h));
    return n.convOut->forward(h, state);
}

torch::Tensor UNet2DConditionModel::runUnit(std::size_t index, const UnitInputs& inputs) const {
    return runUnitAlone(net_->units, index, inputs, state_);
}

void UNet2DConditionModel::initializeRandom(uint64_t seed) { net_->parameters.initializeRandom(seed); }
std::map<std::string, torch::Tensor> UNet2DConditionModel::stateDict() const { return net_->parameters.stateDict(); }
void UNet2DConditionModel::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    net_->parameters.load(tensors, source);
}
std::vector<torch::Tensor> UNet2DConditionModel::parameters() const { return net_->parameters.tensors(); }
std::vector<ParameterInfo> UNet2DConditionModel::parameterInfos() const { return net_->parameters.infos(); }
int64_t UNet2DConditionModel::parameterCount() const { return net_->parameters.count(); }
void UNet2DConditionModel::to(const torch::Device& device) { net_->parameters.moveTo(device); }
torch::Device UNet2DConditionModel::device() const { return net_->parameters.device(); }

ModelSummary UNet2DConditionModel::summary() const {
    ModelSummary s;
    s.folder = folder_;
    s.parameterCount = parameterCount();
    s.tensorCount = static_cast<int64_t>(net_->parameters.size());
    s.sampleSize = config_.sampleSize;
    s.inChannels = config_.inChannels;
    s.outChannels = config_.outChannels;
    for (const DownBlock* b : net_->down) s.blocks.push_back(b->describe());
    if (net_->mid) s.blocks.push_back(net_->mid->describe());
    for (const UpBlock* b : net_->up) s.blocks.push_back(b->describe());
    s.sites = sites_;
    s.classConditioning = "text (cross-attention on " + std::to_string(config_.crossAttentionDim) + "-channel states)";
    return s;
}

UNet2DConditionModel UNet2DConditionModel::load(const std::string& folder) {
    const std::string configPath = folder + "/" + kConfigFile;
    const std::string weightsPath = folder + "/" + kWeightsFile;
    UNet2DConditionModel model(UNetConditionConfig::fromJson(readTextFile(configPath), configPath));
    model.loadStateDict(loadSafetensors(weightsPath).tensors, weightsPath);
    model.folder_ = folder;
    return model;
}

void UNet2DConditionModel::save(const std::string& folder) const {
    writeTextFileAtomically(folder + "/" + kConfigFile, config_.toJson());
    net_->parameters.saveWeights(folder + "/" + kWeightsFile);
}

}  // namespace dq
