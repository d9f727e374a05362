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

struct UNetNetwork {
    WeightedLayer convIn;
    WeightedLayer timeLinear1, timeLinear2;
    // Class conditioning: an embedding table, or a second timestep MLP.
    torch::Tensor classEmbedding;
    WeightedLayer classLinear1, classLinear2;
    std::vector<DownBlock> down;
    std::optional<MidBlock> mid;
    std::vector<UpBlock> up;
    GroupNormLayer normOut;
    WeightedLayer convOut;
    ParameterRegistry registry;
    std::vector<SiteInfo*> sitePointers;
    std::vector<UnitRunner> units;  // execution order
};

UNet2DModel::UNet2DModel(UNetConfig config) : config_(std::move(config)), net_(std::make_unique<UNetNetwork>()) {
    const UNetConfig& c = config_;
    UNetNetwork& n = *net_;
    const auto& ch = c.blockOutChannels;
    const int64_t embInput = ch[0];
    const int64_t temb = c.timeEmbedDim();
    BlockSettings settings{temb, c.normNumGroups, std::nullopt, c.normEps, std::nullopt};
    if (c.attnNormNumGroups) settings.attentionGroups = *c.attnNormNumGroups;
    if (c.attentionHeadDim) settings.headDim = *c.attentionHeadDim;

    n.convIn = WeightedLayer::conv("conv_in", "conv_in", c.inChannels, ch[0], 3, 1, 1);
    n.timeLinear1 = WeightedLayer::linear("time_embedding.linear_1", "time_embedding", embInput, temb);
    n.timeLinear2 = WeightedLayer::linear("time_embedding.linear_2", "time_embedding", temb, temb);
    if (c.classEmbedType == ClassEmbedType::Timestep) {
        n.classLinear1 = WeightedLayer::linear("class_embedding.linear_1", "class_embedding", embInput, temb);
        n.classLinear2 = WeightedLayer::linear("class_embedding.linear_2", "class_embedding", temb, temb);
    }

    int64_t outCh = ch[0];
    for (std::size_t i = 0; i < ch.size(); ++i) {
        const int64_t inCh = outCh;
        outCh = ch[i];
        const bool last = i + 1 == ch.size();
        n.down.emplace_back(static_cast<int>(i), inCh, outCh, c.layersPerBlock,
                            c.downBlocks[i] == DownBlockType::Attention, !last, c.downsamplePadding, settings);
    }
    if (c.hasMidBlock) n.mid.emplace(ch.back(), c.addAttention, c.midBlockScaleFactor, settings);

    std::vector<int> reversed(ch.rbegin(), ch.rend());
    outCh = reversed[0];
    for (std::size_t i = 0; i < reversed.size(); ++i) {
        const int64_t prevOut = outCh;
        outCh = reversed[i];
        const int64_t inCh = reversed[std::min(i + 1, reversed.size() - 1)];
        const bool last = i + 1 == reversed.size();
        n.up.emplace_back(static_cast<int>(i), inCh, prevOut, outCh, c.layersPerBlock + 1,
                          c.upBlocks[i] == UpBlockType::Attention, !last, settings);
    }
    n.normOut = GroupNormLayer("conv_norm_out", ch[0], c.normNumGroups, c.normEps);
    n.convOut = WeightedLayer::conv("conv_out", "conv_out", ch[0], c.outChannels, 3, 1, 1);

    // Registration order = diffusers' state-dict order within each group.
    ParameterRegistry& r = n.registry;
    n.convIn.registerParameters(r);
    n.timeLinear1.registerParameters(r);
    n.timeLinear2.registerParameters(r);
    if (c.classEmbedType == ClassEmbedType::Embedding)
        r.add({"class_embedding.weight", "", &n.classEmbedding, {*c.numClassEmbeds, temb}, InitKind::Normal, 1});
    if (c.classEmbedType == ClassEmbedType::Timestep) {
        n.classLinear1.registerParameters(r);
        n.classLinear2.registerParameters(r);
    }
    for (auto& b : n.down) b.registerParameters(r);
    if (n.mid) n.mid->registerParameters(r);
    for (auto& b : n.up) b.registerParameters(r);
    n.normOut.registerParameters(r);
    n.convOut.registerParameters(r);
    for (auto& slot : r.slots()) *slot.tensor = torch::zeros(slot.shape);

    // Execution order of the interception points: forward() embeds the
    // timestep before the class.
    auto& sites = n.sitePointers;
    sites.push_back(&n.timeLinear1.site);
    sites.push_back(&n.timeLinear2.site);
    if (c.classEmbedType == ClassEmbedType::Timestep) {
        sites.push_back(&n.classLinear1.site);
        sites.push_back(&n.classLinear2.site);
    }
    sites.push_back(&n.convIn.site);
    for (auto& b : n.down) b.collectSites(sites);
    if (n.mid) n.mid->collectSites(sites);
    for (auto& b : n.up) b.collectSites(sites);
    sites.push_back(&n.convOut.site);

    // Reconstruction units, in the same execution order.
    for (WeightedLayer* layer : {&n.convIn, &n.timeLinear1, &n.timeLinear2, &n.classLinear1, &n.classLinear2, &n.convOut})
        layer->makeStandaloneUnit();
    collectLayerUnit(n.timeLinear1, n.units);
    collectLayerUnit(n.timeLinear2, n.units);
    if (c.classEmbedType == ClassEmbedType::Timestep) {
        collectLayerUnit(n.classLinear1, n.units);
        collectLayerUnit(n.classLinear2, n.units);
    }
    collectLayerUnit(n.convIn, n.units);
    for (const auto& b : n.down) b.collectUnits(n.units);
    if (n.mid) n.mid->collectUnits(n.units);
    for (const auto& b : n.up) b.collectUnits(n.units);
    collectLayerUnit(n.convOut, n.units);
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
    torch::Tensor emb = n.timeLinear2.forward(torch::silu(n.timeLinear1.forward(tEmb, state)), state);
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
            emb = emb + n.classLinear2.forward(torch::silu(n.classLinear1.forward(cEmb, state)), state);
        }
    } else if (classLabels.defined()) {
        throw Error("This model is not class-conditional, but class labels were given.");
    }

    torch::Tensor h = n.convIn.forward(sample, state);
    std::vector<torch::Tensor> skips{h};
    for (const auto& block : n.down) h = block.forward(h, emb, skips, state);
    if (n.mid) h = n.mid->forward(h, emb, state);
    for (const auto& block : n.up) h = block.forward(h, emb, skips, state);
    h = torch::silu(n.normOut.forward(h));
    return n.convOut.forward(h, state);
}

void UNet2DModel::initializeRandom(uint64_t seed) {
    torch::NoGradGuard noGrad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto& slot : net_->registry.slots()) {
        torch::Tensor t = torch::empty(slot.shape);
        switch (slot.init) {
            case InitKind::FanInUniform: {
                const double bound = 1.0 / std::sqrt(static_cast<double>(slot.fanIn));
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
    for (const auto& slot : net_->registry.slots()) out.emplace(slot.name, *slot.tensor);
    return out;
}

void UNet2DModel::loadStateDict(const std::map<std::string, torch::Tensor>& tensors, const std::string& source) {
    std::set<std::string> used;
    std::vector<std::pair<torch::Tensor*, torch::Tensor>> assignments;
    for (auto& slot : net_->registry.slots()) {
        auto it = tensors.find(slot.name);
        if (it == tensors.end() && !slot.legacyName.empty()) it = tensors.find(slot.legacyName);
        if (it == tensors.end())
            throw Error("'" + source + "' lacks tensor '" + slot.name + "' that config.json implies; the weights do not " +
                        "belong to this config.");
        const torch::Tensor& t = it->second;
        if (t.sizes() != at::IntArrayRef(slot.shape))
            throw Error("Tensor '" + it->first + "' in '" + source + "' has shape " + shapeText(t.sizes()) +
                        " but config.json implies " + shapeText(slot.shape) + ".");
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
    for (const auto& slot : net_->registry.slots()) out.push_back(*slot.tensor);
    return out;
}

std::vector<ParameterInfo> UNet2DModel::parameterInfos() const {
    std::vector<ParameterInfo> out;
    for (const auto& slot : net_->registry.slots())
        out.push_back({slot.name, slot.legacyName, slot.shape, slot.init, slot.fanIn});
    return out;
}

int64_t UNet2DModel::parameterCount() const {
    int64_t total = 0;
    for (const auto& slot : net_->registry.slots()) total += slot.tensor->numel();
    return total;
}

void UNet2DModel::to(const torch::Device& device) {
    // Copy everything first, then swap, so a failure (e.g. out of GPU memory)
    // leaves the model whole on its old device.
    std::vector<torch::Tensor> moved;
    for (const auto& slot : net_->registry.slots()) moved.push_back(slot.tensor->to(device));
    auto& slots = net_->registry.slots();
    for (std::size_t i = 0; i < slots.size(); ++i) *slots[i].tensor = std::move(moved[i]);
}

torch::Device UNet2DModel::device() const {
    const auto& slots = net_->registry.slots();
    return slots.empty() ? torch::Device(torch::kCPU) : slots.front().tensor->device();
}

ModelSummary UNet2DModel::summary() const {
    ModelSummary s;
    s.folder = folder_;
    s.parameterCount = parameterCount();
    s.tensorCount = static_cast<int64_t>(net_->registry.slots().size());
    s.sampleSize = config_.sampleSize;
    s.inChannels = config_.inChannels;
    s.outChannels = config_.outChannels;
    for (const auto& b : net_->down) s.blocks.push_back(b.describe());
    if (net_->mid) s.blocks.push_back(net_->mid->describe());
    for (const auto& b : net_->up) s.blocks.push_back(b.describe());
    s.sites = sites_;
    if (config_.isClassConditional())
        s.classConditioning = std::to_string(config_.numClassEmbeds.value_or(0)) + " class embeddings, null class " +
                              (config_.nullClassLabel ? std::to_string(*config_.nullClassLabel) : "none");
    else
        s.classConditioning = "none";
    return s;
}

}  // namespace dq
