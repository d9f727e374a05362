#include "core/model/unet2d.h"

#include <cmath>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/validation/message_text.h"
#include "core/validation/tensor_checks.h"
#include "core/model/forward_inputs.h"
#include "core/model/layers.h"
#include "core/model/parameter_store.h"
#include "core/model/unet_blocks.h"

namespace dq {

namespace {
constexpr const char* kConfigFile = "config.json";
constexpr const char* kWeightsFile = "diffusion_pytorch_model.safetensors";

}  // namespace

// The root of the module tree, with diffusers' top-level names.
struct UNetNetwork : Module {
    explicit UNetNetwork(const UNetConfig& c) {
        const auto& ch = c.blockOutChannels;
        const int64_t embInput = ch[0];
        const int64_t temb = c.timeEmbedDim();
        BlockSettings settings{temb, c.normNumGroups, std::nullopt, c.normEps, std::nullopt};
        if (c.attnNormNumGroups) settings.attentionGroups = *c.attnNormNumGroups;
        if (c.attentionHeadDim) settings.headDim = *c.attentionHeadDim;

        // Declaration order = diffusers' state-dict order.
        convIn = addChild<WeightedLayer>("conv_in", WeightedLayer::Conv{c.inChannels, ch[0], 3, 1, 1});
        timeEmbedding = addChild<TimestepEmbedding>("time_embedding", embInput, temb);
        // Class conditioning: an embedding table, or a second timestep MLP.
        if (c.classEmbedType == ClassEmbedType::Embedding)
            addParameter("class_embedding.weight", &classEmbedding, {*c.numClassEmbeds, temb}, InitKind::Normal);
        if (c.classEmbedType == ClassEmbedType::Timestep)
            classTimestepEmbedding = addChild<TimestepEmbedding>("class_embedding", embInput, temb);

        int64_t outCh = ch[0];
        for (std::size_t i = 0; i < ch.size(); ++i) {
            const int64_t inCh = outCh;
            outCh = ch[i];
            const bool last = i + 1 == ch.size();
            down.push_back(addChild<DownBlock>("down_blocks." + std::to_string(i), inCh, outCh, c.layersPerBlock,
                                               c.downBlocks[i] == DownBlockType::Attention, !last, c.downsamplePadding,
                                               settings));
        }
        if (c.hasMidBlock) mid = addChild<MidBlock>("mid_block", ch.back(), c.addAttention, c.midBlockScaleFactor, settings);

        std::vector<int> reversed(ch.rbegin(), ch.rend());
        outCh = reversed[0];
        for (std::size_t i = 0; i < reversed.size(); ++i) {
            const int64_t prevOut = outCh;
            outCh = reversed[i];
            const int64_t inCh = reversed[std::min(i + 1, reversed.size() - 1)];
            const bool last = i + 1 == reversed.size();
            up.push_back(addChild<UpBlock>("up_blocks." + std::to_string(i), inCh, prevOut, outCh, c.layersPerBlock + 1,
                                           c.upBlocks[i] == UpBlockType::Attention, !last, settings));
        }
        normOut = addChild<GroupNormLayer>("conv_norm_out", ch[0], c.normNumGroups, c.normEps);
        convOut = addChild<WeightedLayer>("conv_out", WeightedLayer::Conv{ch[0], c.outChannels, 3, 1, 1});
        // forward() embeds the timestep and the class before conv_in runs.
        setExecutionOrder({"time_embedding", "class_embedding"});

        nameTree();
        parameters = ParameterStore(*this);
        collectSites(sitePointers);
        collectUnits(units);
    }

    WeightedLayer* convIn = nullptr;
    TimestepEmbedding* timeEmbedding = nullptr;
    torch::Tensor classEmbedding;
    TimestepEmbedding* classTimestepEmbedding = nullptr;
    std::vector<DownBlock*> down;
    MidBlock* mid = nullptr;
    std::vector<UpBlock*> up;
    GroupNormLayer* normOut = nullptr;
    WeightedLayer* convOut = nullptr;

    ParameterStore parameters;              // declaration order
    std::vector<SiteInfo*> sitePointers;    // execution order
    std::vector<UnitRunner> units;          // execution order
};

UNet2DModel::UNet2DModel(UNetConfig config) : config_(std::move(config)), net_(std::make_unique<UNetNetwork>(config_)) {
    rebuildSiteList();
}

void UNet2DModel::initializeRandom(uint64_t seed) { net_->parameters.initializeRandom(seed); }
std::map<std::string, torch::Tensor> UNet2DModel::stateDict() const { return net_->parameters.stateDict(); }
void UNet2DModel::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    net_->parameters.load(tensors, source);
}
std::vector<torch::Tensor> UNet2DModel::parameters() const { return net_->parameters.tensors(); }
std::vector<ParameterInfo> UNet2DModel::parameterInfos() const { return net_->parameters.infos(); }
int64_t UNet2DModel::parameterCount() const { return net_->parameters.count(); }
void UNet2DModel::to(const torch::Device& device) { net_->parameters.moveTo(device); }
torch::Device UNet2DModel::device() const { return net_->parameters.device(); }

UNet2DModel::~UNet2DModel() = default;
UNet2DModel::UNet2DModel(UNet2DModel&&) noexcept = default;
UNet2DModel& UNet2DModel::operator=(UNet2DModel&&) noexcept = default;

void UNet2DModel::rebuildSiteList() {
    sites_.clear();
    for (const SiteInfo* s : net_->sitePointers) sites_.push_back(*s);
    units_.clear();
    for (const UnitRunner& u : net_->units) units_.push_back(*u.info);
}

torch::Tensor UNet2DModel::runUnit(std::size_t index, const UnitInputs& inputs) const {
    return runUnitAlone(net_->units, index, inputs, state_);
}

torch::Tensor UNet2DModel::forward(const torch::Tensor& sample, const torch::Tensor& timesteps,
                                   const torch::Tensor& classLabels) const {
    return forward(sample, timesteps, Conditioning::classLabels(classLabels));
}

ConditioningSpec UNet2DModel::conditioningSpec() const {
    const UNetConfig& c = config_;
    ConditioningSpec spec;
    if (!c.isClassConditional()) return spec;
    spec.kind = ConditioningKind::ClassLabels;
    spec.nullClassLabel = c.nullClassLabel;
    if (c.classEmbedType == ClassEmbedType::Embedding) {
        const int total = c.numClassEmbeds.value_or(0);
        // The null label is usually the extra last row; then it is not a real class.
        spec.classCount = c.nullClassLabel && *c.nullClassLabel == total - 1 ? total - 1 : total;
    }
    return spec;
}

SampleShape UNet2DModel::sampleShape() const { return {config_.inChannels, config_.sampleSize, config_.sampleSize}; }

double UNet2DModel::workingBytes(int64_t batch, int64_t height, int64_t width) const {
    // The widest feature maps at full resolution, a dozen of them alive at
    // once (resnets, the skips).
    return double(batch) * double(config_.blockOutChannels.front()) * double(height) * double(width) * sizeof(float) *
           12.0;
}

torch::Tensor UNet2DModel::forward(const torch::Tensor& sampleIn, const torch::Tensor& timestepsIn,
                                   const Conditioning& conditioning) const {
    const UNetConfig& c = config_;
    if (conditioning.kind() == ConditioningKind::EncoderStates)
        throw Error("This UNet2DModel has no cross-attention; it cannot take encoder_hidden_states (text conditioning).");
    const torch::Tensor& classLabels = conditioning.tensor();
    const UNetNetwork& n = *net_;
    checkSampleShape(sampleIn, c.inChannels, int64_t(1) << (c.blockOutChannels.size() - 1));
    const int64_t batch = sampleIn.size(0);
    torch::Tensor sample = sampleIn.to(device());
    if (c.centerInputSample) sample = 2 * sample - 1.0;
    const torch::Tensor timesteps = timestepsForBatch(timestepsIn, batch, sample.device());

    const InterceptionState& state = state_;
    torch::Tensor tEmb = sinusoidalEmbedding(timesteps, c.blockOutChannels[0], c.flipSinToCos, c.freqShift);
    torch::Tensor emb = n.timeEmbedding->forward(tEmb, state);
    if (c.isClassConditional()) {
        if (!classLabels.defined())
            throw Error("This model is class-conditional (num_class_embeds " +
                        std::to_string(c.numClassEmbeds.value_or(0)) + "): class labels are required.");
        if (classLabels.is_floating_point() || classLabels.is_complex())
            throw Error("class_labels must be integers, got " + std::string(c10::toString(classLabels.scalar_type())) + ".");
        torch::Tensor labels = classLabels.to(sample.device());
        if (labels.numel() == 1) labels = labels.reshape({}).expand({batch});
        if (labels.dim() != 1 || labels.size(0) != batch)
            throw Error("class_labels must hold one label per sample (" + std::to_string(batch) + ").");
        if (c.classEmbedType == ClassEmbedType::Embedding) {
            labels = labels.to(torch::kInt64);
            const int64_t lo = labels.min().item<int64_t>(), hi = labels.max().item<int64_t>();
            if (lo < 0 || hi >= *c.numClassEmbeds)
                throw Error("Class label " + std::to_string(lo < 0 ? lo : hi) + " is outside [0, " +
                            std::to_string(*c.numClassEmbeds - 1) + "] for this model.");
            emb = emb + torch::embedding(n.classEmbedding, labels);
        } else {
            torch::Tensor cEmb = sinusoidalEmbedding(labels, c.blockOutChannels[0], c.flipSinToCos, c.freqShift);
            emb = emb + n.classTimestepEmbedding->forward(cEmb, state);
        }
    } else if (classLabels.defined()) {
        throw Error("This model is not class-conditional, but class labels were given.");
    }

    torch::Tensor h = n.convIn->forward(sample, state);
    std::vector<torch::Tensor> skips{h};
    const torch::Tensor noContext;
    for (const DownBlock* block : n.down) h = block->forward(h, emb, noContext, skips, state);
    if (n.mid) h = n.mid->forward(h, emb, noContext, state);
    for (const UpBlock* block : n.up) h = block->forward(h, emb, noContext, skips, state);
    h = torch::silu(n.normOut->forward(h));
    return n.convOut->forward(h, state);
}




UNet2DModel UNet2DModel::load(const std::string& folder) {
    const std::string configPath = folder + "/" + kConfigFile;
    const std::string weightsPath = folder + "/" + kWeightsFile;
    UNetConfig config = UNetConfig::fromJson(readTextFile(configPath), configPath);
    // The weights are mapped, not read, so their element count is known before
    // the model is built: a config that cannot belong to them is rejected
    // before it allocates anything.
    TensorFile weights = loadSafetensors(weightsPath);
    double stored = 0;
    for (const auto& [key, tensor] : weights.tensors) stored += double(tensor.numel());
    if (config.minimumParameterCount() > stored)
        throw Error("Model config '" + configPath + "' describes at least " +
                    std::to_string(int64_t(config.minimumParameterCount())) + " parameters, but '" + weightsPath +
                    "' holds only " + std::to_string(int64_t(stored)) +
                    "; the config does not belong to these weights (check block_out_channels, layers_per_block and "
                    "num_class_embeds).");
    UNet2DModel model(std::move(config));
    model.loadStateDict(weights.tensors, weightsPath);
    model.folder_ = folder;
    return model;
}

void UNet2DModel::save(const std::string& folder) const {
    writeTextFileAtomically(folder + "/" + kConfigFile, config_.toJson());
    net_->parameters.saveWeights(folder + "/" + kWeightsFile);
}






ModelSummary UNet2DModel::summary() const {
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
    if (config_.isClassConditional())
        s.classConditioning = std::to_string(config_.numClassEmbeds.value_or(0)) + " class embeddings, null class " +
                              (config_.nullClassLabel ? std::to_string(*config_.nullClassLabel) : "none");
    else
        s.classConditioning = "none";
    return s;
}

}  // namespace dq
