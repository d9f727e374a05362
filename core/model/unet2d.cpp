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
#include "core/model/layers.h"
#include "core/model/unet_blocks.h"

namespace dq {

namespace {
constexpr const char* kConfigFile = "config.json";
constexpr const char* kWeightsFile = "diffusion_pytorch_model.safetensors";

std::string shapeText(at::IntArrayRef shape) {
    std::ostringstream s;
    s << "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
    s << "]";
    return s.str();
}
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
        collectParameters(parameters);
        collectSites(sitePointers);
        collectUnits(units);
        for (auto& slot : parameters) *slot.tensor = torch::zeros(slot.info.shape);
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

    std::vector<ParameterSlot> parameters;  // registration order
    std::vector<SiteInfo*> sitePointers;    // execution order
    std::vector<UnitRunner> units;          // execution order
};

UNet2DModel::UNet2DModel(UNetConfig config) : config_(std::move(config)), net_(std::make_unique<UNetNetwork>(config_)) {
    rebuildSiteList();
}

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
    if (index >= net_->units.size())
        throw Error("There is no reconstruction unit " + std::to_string(index) + " (the model has " +
                    std::to_string(net_->units.size()) + ").");
    InterceptionState state = state_;
    state.unitObserver = nullptr;
    return net_->units[index].run(inputs, state);
}

torch::Tensor UNet2DModel::forward(const torch::Tensor& sampleIn, const torch::Tensor& timestepsIn,
                                   const torch::Tensor& classLabels) const {
    const UNetConfig& c = config_;
    const UNetNetwork& n = *net_;
    if (sampleIn.dim() != 4 || sampleIn.size(1) != c.inChannels)
        throw Error("The model expects samples shaped [B," + std::to_string(c.inChannels) + ",H,W], got " +
                    shapeText(sampleIn.sizes()) + ".");
    const int64_t factor = int64_t(1) << (c.blockOutChannels.size() - 1);
    if (sampleIn.size(2) < factor || sampleIn.size(3) < factor || sampleIn.size(2) % factor != 0 ||
        sampleIn.size(3) % factor != 0)
        throw Error("Sample height and width must be positive multiples of " + std::to_string(factor) + " for this model, got " +
                    shapeText(sampleIn.sizes()) + ".");
    const int64_t batch = sampleIn.size(0);
    if (batch == 0) throw Error("The sample batch is empty.");
    torch::Tensor sample = sampleIn.to(device());
    if (c.centerInputSample) sample = 2 * sample - 1.0;

    torch::Tensor timesteps = timestepsIn.to(sample.device());
    if (timesteps.numel() == 1) timesteps = timesteps.reshape({}).expand({batch});
    if (timesteps.dim() != 1 || timesteps.size(0) != batch)
        throw Error("timestep must be a scalar or hold one value per sample (" + std::to_string(batch) + "), got " +
                    shapeText(timestepsIn.sizes()) + ".");

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
    for (const DownBlock* block : n.down) h = block->forward(h, emb, skips, state);
    if (n.mid) h = n.mid->forward(h, emb, state);
    for (const UpBlock* block : n.up) h = block->forward(h, emb, skips, state);
    h = torch::silu(n.normOut->forward(h));
    return n.convOut->forward(h, state);
}

void UNet2DModel::initializeRandom(uint64_t seed) {
    torch::NoGradGuard noGrad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto& slot : net_->parameters) {
        torch::Tensor t = torch::empty(slot.info.shape);
        switch (slot.info.init) {
            case InitKind::FanInUniform: {
                const double bound = 1.0 / std::sqrt(static_cast<double>(slot.info.fanIn));
                t.uniform_(-bound, bound, gen);
                break;
            }
            case InitKind::Ones: t.fill_(1.0); break;
            case InitKind::Zeros: t.zero_(); break;
            case InitKind::Normal: t.normal_(0.0, 1.0, gen); break;
        }
        *slot.tensor = t.to(device());
    }
}

std::map<std::string, torch::Tensor> UNet2DModel::stateDict() const {
    std::map<std::string, torch::Tensor> out;
    for (const auto& slot : net_->parameters) out.emplace(slot.info.name, *slot.tensor);
    return out;
}

void UNet2DModel::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    std::set<std::string> used;
    std::vector<std::pair<torch::Tensor*, torch::Tensor>> assignments;
    for (auto& slot : net_->parameters) {
        auto it = tensors.find(slot.info.name);
        if (it == tensors.end() && !slot.info.legacyName.empty()) it = tensors.find(slot.info.legacyName);
        if (it == tensors.end())
            throw Error("'" + source + "' lacks tensor '" + slot.info.name + "' that config.json implies; the weights do not " +
                        "belong to this config.");
        const torch::Tensor& t = it->second;
        if (t.sizes() != at::IntArrayRef(slot.info.shape))
            throw Error("Tensor '" + it->first + "' in '" + source + "' has shape " + shapeText(t.sizes()) +
                        " but config.json implies " + shapeText(slot.info.shape) + ".");
        if (!t.is_floating_point())
            throw Error("Tensor '" + it->first + "' in '" + source + "' is not floating point.");
        requireFinite(t, "Tensor '" + it->first + "' in '" + source + "'",
                      "the weights are damaged; restore them from their source or train again");
        used.insert(it->first);
        assignments.emplace_back(slot.tensor, t);
    }
    for (const auto& [key, tensor] : tensors)
        if (!used.count(key))
            throw Error("'" + source + "' holds tensor " + inQuotes(key) + " that this model config has no place for; check " +
                        "that config.json matches the weights.");
    // Convert everything before assigning anything, so a failed load changes nothing.
    const torch::Device dev = device();
    for (auto& assignment : assignments) assignment.second = assignment.second.to(dev, torch::kFloat32).contiguous();
    for (auto& [slot, tensor] : assignments) *slot = std::move(tensor);
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
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [k, v] : stateDict()) tensors.emplace(k, v.detach().to(torch::kCPU).contiguous());
    saveSafetensors(folder + "/" + kWeightsFile, tensors, {{"format", "pt"}});
}

std::vector<torch::Tensor> UNet2DModel::parameters() const {
    std::vector<torch::Tensor> out;
    for (const auto& slot : net_->parameters) out.push_back(*slot.tensor);
    return out;
}

std::vector<ParameterInfo> UNet2DModel::parameterInfos() const {
    std::vector<ParameterInfo> out;
    for (const auto& slot : net_->parameters) out.push_back(slot.info);
    return out;
}

int64_t UNet2DModel::parameterCount() const {
    int64_t total = 0;
    for (const auto& slot : net_->parameters) total += slot.tensor->numel();
    return total;
}

void UNet2DModel::to(const torch::Device& device) {
    // Copy everything first, then swap, so a failure (e.g. out of GPU memory)
    // leaves the model whole on its old device.
    std::vector<torch::Tensor> moved;
    for (const auto& slot : net_->parameters) moved.push_back(slot.tensor->to(device));
    auto& slots = net_->parameters;
    for (std::size_t i = 0; i < slots.size(); ++i) *slots[i].tensor = std::move(moved[i]);
}

torch::Device UNet2DModel::device() const {
    const auto& slots = net_->parameters;
    return slots.empty() ? torch::Device(torch::kCPU) : slots.front().tensor->device();
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
