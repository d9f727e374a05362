#include "core/quant/quant_artifact.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/denoiser.h"
#include "core/model/model_folder.h"
#include "core/quant/bit_packing.h"
#include "core/quant/artifact_record.h"
#include "core/quant/calibration_data.h"
#include "core/validation/message_text.h"

namespace dq {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {
constexpr const char* kJsonFile = "quantized_model.json";
constexpr const char* kWeightsFile = "quantized_weights.safetensors";
constexpr const char* kFormat = "diffquant-quantized-model";
constexpr const char* kFpWeights = "diffusion_pytorch_model.safetensors";  // in the denoiser's own folder

std::string partKey(const std::string& site, std::size_t part) { return site + ".weight." + std::to_string(part); }

uint64_t fileSize(const std::string& path) { return fs::exists(path) ? static_cast<uint64_t>(fs::file_size(path)) : 0; }

// The tensors-file key of a quantized text encoder or VAE weight.
std::string componentKey(const std::string& component, const std::string& key) {
    return "components." + component + "." + key;
}

// Integer weights bit-packed at their width (offset to start at 0), with their
// per-channel scales and zero points, under `key` + .packed/.scale/.zero_point.
void storePacked(std::map<std::string, torch::Tensor>& tensors, const std::string& key, const ChannelQuantized& w) {
    const IntegerRange r = integerRange(w.bits, w.symmetric);
    const torch::Tensor offset = (w.q.to(torch::kCPU, torch::kInt32) - static_cast<int>(r.qmin)).contiguous();
    std::vector<uint16_t> values(static_cast<std::size_t>(offset.numel()));
    const int32_t* data = offset.data_ptr<int32_t>();
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint16_t>(data[i]);
    const std::vector<uint8_t> packed = packBits(values, w.bits);
    tensors[key + ".packed"] =
        torch::from_blob(const_cast<uint8_t*>(packed.data()), {static_cast<int64_t>(packed.size())}, torch::kUInt8).clone();
    tensors[key + ".scale"] = w.scale.to(torch::kCPU).contiguous();
    tensors[key + ".zero_point"] = w.zeroPoint.to(torch::kCPU).contiguous();
}
}  // namespace

ArtifactSizes saveQuantizedModel(const std::string& folder, const QuantizedUNet& quantized, const std::string& fpFolder,
                                 const std::string& calibrationJson) {
    fs::create_directories(folder);
    const std::string fpWeights = denoiserWeightsFile(fpFolder);
    std::map<std::string, torch::Tensor> tensors;
    ojson sites = ojson::array();
    for (const SiteQuantState& st : quantized.sites()) {
        ojson s;
        s["name"] = st.site.name;
        s["split"] = st.split;
        if (!st.weightParts.empty()) {
            ojson parts = ojson::array();
            for (std::size_t p = 0; p < st.weightParts.size(); ++p) {
                const ChannelQuantized& w = st.weightParts[p];
                storePacked(tensors, partKey(st.site.name, p), w);
                parts.push_back({{"bits", w.bits}, {"symmetric", w.symmetric}, {"shape", w.q.sizes().vec()}});
            }
            s["weight"] = parts;
        }
        if (!st.activationParts.empty()) {
            ojson parts = ojson::array();
            for (const ActivationQuantizer& a : st.activationParts) {
                ojson grids = ojson::array();
                for (const ActivationGrid& g : a.grids)
                    grids.push_back({{"timestep", g.timestep}, {"bits", g.bits}, {"lo", g.lo}, {"hi", g.hi},
                                     {"scale", g.params.scale}, {"zero_point", g.params.zeroPoint}});
                parts.push_back({{"symmetric", a.symmetric}, {"grids", grids}});
            }
            s["activation"] = parts;
        }
        sites.push_back(s);
    }
    ojson root;
    root["format"] = kFormat;
    root["version"] = 1;
    root["fp_model"] = {{"folder", fs::absolute(fpFolder).lexically_normal().string()},
                        {"weights_fnv1a", fileStamp(fpWeights)}};
    root["plan"] = ojson::parse(quantized.plan().toJson());
    root["calibration"] = calibrationJson.empty() ? ojson::object() : ojson::parse(calibrationJson);
    root["sites"] = sites;
    if (!quantized.components().empty()) {
        ojson components = ojson::array();
        for (const QuantizedComponent& c : quantized.components().parts) {
            ojson weights = ojson::array();
            for (const auto& [key, w] : c.weights) {
                storePacked(tensors, componentKey(c.name, key), w);
                weights.push_back({{"key", key}, {"shape", w.q.sizes().vec()}});
            }
            components.push_back({{"name", c.name}, {"bits", c.bits}, {"mse_search", c.mseSearch}, {"weights", weights}});
        }
        root["components"] = components;
    }
    saveSafetensors(folder + "/" + kWeightsFile, tensors, {{"format", kFormat}});
    // The JSON names the exact weights file it belongs to, so any damage to
    // the packed payload (or a mixed-up pair of files) is caught on load.
    root["weights_fnv1a"] = fileStamp(folder + "/" + kWeightsFile);
    writeTextFileAtomically(folder + "/" + kJsonFile, root.dump(1) + "\n");
    return {fileSize(folder + "/" + kJsonFile) + fileSize(folder + "/" + kWeightsFile), fileSize(fpWeights)};
}

namespace {

[[noreturn]] void bad(const std::string& file, const std::string& what) {
    throw Error("Quantized model '" + file + "': " + what);
}

ArtifactRecord readRecord(const std::string& folder) {
    const std::string path = folder + "/" + kJsonFile;
    if (!fs::exists(path))
        throw Error("'" + folder + "' is not a quantized model: " + kJsonFile + " is missing (create one with `diffquant calibrate`).");
    return parseArtifactRecord(readTextFile(path), path);
}

// The integer weights of one part, unpacked from the weights file and checked
// against what the record says (shape, width, scales, zero points).
ChannelQuantized loadWeightPart(const TensorFile& weights, const std::string& weightsPath, const std::string& key,
                                const std::string& where, const WeightPartRecord& part) {
    const IntegerRange r = integerRange(part.bits, part.symmetric);
    const torch::Tensor packed = weights.at(key + ".packed", weightsPath).contiguous();
    const torch::Tensor scale = weights.at(key + ".scale", weightsPath).to(torch::kFloat32).contiguous();
    const torch::Tensor zero = weights.at(key + ".zero_point", weightsPath).to(torch::kInt32).contiguous();
    if (packed.scalar_type() != torch::kUInt8) bad(weightsPath, "tensor '" + key + ".packed' of " + where + " must be U8.");
    if (scale.numel() != part.shape[0] || zero.numel() != part.shape[0])
        bad(weightsPath, "'" + key + "' of " + where + " needs " + std::to_string(part.shape[0]) +
                             " scales and zero points.");
    // Subnormal scales pass "> 0" but make every weight 0 or overflow on division.
    if (!torch::isfinite(scale).all().item<bool>() || !(scale >= std::numeric_limits<float>::min()).all().item<bool>())
        bad(weightsPath, "'" + key + ".scale' of " + where +
                             " holds a scale that is not a positive, normal, finite number; calibrate again.");
    if ((zero < r.qmin).any().item<bool>() || (zero > r.qmax).any().item<bool>())
        bad(weightsPath, "'" + key + ".zero_point' of " + where + " is outside the " + std::to_string(part.bits) +
                             "-bit range.");
    int64_t count = 1;
    for (int64_t d : part.shape) count *= d;
    std::vector<uint16_t> values;
    try {
        values = unpackBits(packed.data_ptr<uint8_t>(), static_cast<std::size_t>(packed.numel()),
                            static_cast<std::size_t>(count), part.bits);
    } catch (const Error& e) {
        bad(weightsPath, "tensor '" + key + ".packed' of " + where + ": " + e.what());
    }
    torch::Tensor q = torch::empty({count}, torch::kInt32);
    int32_t* qd = q.data_ptr<int32_t>();
    for (std::size_t k = 0; k < values.size(); ++k) qd[k] = static_cast<int32_t>(static_cast<int64_t>(values[k]) + r.qmin);
    return {q.view(part.shape).to(codeType(part.bits, part.symmetric)), scale.clone(), zero.clone(), part.bits,
            part.symmetric};
}

}  // namespace

std::string readCalibrationRecord(const std::string& folder) { return readRecord(folder).calibrationJson; }

QuantizedUNet loadQuantizedState(const std::string& folder, const Denoiser& model) {
    const std::string jsonPath = folder + "/" + kJsonFile;
    const std::string weightsPath = folder + "/" + kWeightsFile;
    const ArtifactRecord record = readRecord(folder);
    QuantPlan plan = QuantPlan::fromJson(record.planJson, jsonPath + " (plan)");
    plan.validateAgainst(model.sites(), jsonPath + " (plan)");
    if (!fs::exists(weightsPath)) bad(weightsPath, "is missing; calibrate again.");
    if (fileStamp(weightsPath) != record.weightsStamp)
        bad(weightsPath, "does not match its quantized_model.json (damaged or from another calibration); calibrate again.");
    if (!model.folder().empty()) {
        const std::string fpWeights = model.folder() + "/" + kFpWeights;
        if (fs::exists(fpWeights) && fileStamp(fpWeights) != record.fpWeightsStamp)
            throw Error("Quantized model '" + folder + "' was calibrated for other weights than '" + model.folder() +
                        "' (recorded: " + inQuotes(record.fpFolder, 120) + "); open the FP model it was made from.");
    }
    const TensorFile weights = loadSafetensors(weightsPath);
    if (record.sites.size() != model.sites().size())
        bad(jsonPath, "lists " + std::to_string(record.sites.size()) + " sites but the model has " +
                          std::to_string(model.sites().size()) + "; it belongs to another model.");
    std::vector<SiteQuantState> states;
    for (std::size_t i = 0; i < record.sites.size(); ++i) {
        const SiteRecord& s = record.sites[i];
        const SiteInfo& info = model.sites()[i];
        const std::string where = "site '" + info.name + "'";
        if (s.name != info.name)
            bad(jsonPath, "site " + std::to_string(i) + " is " + inQuotes(s.name) + " but the model's is '" + info.name + "'.");
        SiteQuantState st;
        st.site = info;
        st.plan = *plan.find(info.name);
        st.split = s.split;
        if (st.split > 0 && st.split != info.splitChannels)
            bad(jsonPath, where + " has split " + std::to_string(st.split) + ", which the model does not have.");
        if ((st.split > 0) != splitsSite(plan, info))
            bad(jsonPath, where + (st.split > 0 ? " is split although its plan's split_scope does not split it"
                                                : " is not split although its plan splits it") +
                              "; the artifact is inconsistent: calibrate it again with `diffquant calibrate`.");
        // What the file holds must be what the plan asks for.
        const bool wantsWeight = st.plan.quantizesWeight() && !isAttentionOperand(info.kind);
        if (s.hasWeight != wantsWeight)
            bad(jsonPath, where + (wantsWeight ? " has no quantized weight although its plan quantizes it."
                                               : " has a quantized weight although its plan keeps it in FP."));
        if (s.hasActivation != st.plan.quantizesActivation())
            bad(jsonPath, where + (st.plan.quantizesActivation()
                                       ? " has no activation grid although its plan quantizes its input."
                                       : " has activation grids although its plan keeps its input in FP."));
        for (std::size_t p = 0; p < s.weight.size(); ++p) {
            const WeightPartRecord& part = s.weight[p];
            if (part.bits != st.plan.weightBits || part.symmetric != st.plan.weightSymmetric)
                bad(jsonPath, where + " weight part " + std::to_string(p) + " is " + std::to_string(part.bits) +
                                  "-bit but the plan says " + std::to_string(st.plan.weightBits) + ".");
            const auto [from, to] = st.partChannels(p);
            std::vector<int64_t> expected = info.weightShape;
            if (expected.size() < 2) bad(jsonPath, where + " has no weight to quantize.");
            expected[1] = to - from;
            if (part.shape != expected) bad(jsonPath, where + " weight part " + std::to_string(p) + " has the wrong shape.");
            st.weightParts.push_back(loadWeightPart(weights, weightsPath, partKey(info.name, p), where, part));
        }
        for (const ActivationPartRecord& part : s.activation) {
            ActivationQuantizer a;
            a.symmetric = part.symmetric;
            for (const GridRecord& g : part.grids) {
                const auto& relaxed = st.plan.stepActivationBits;
                const bool planned = g.bits == st.plan.activationBits ||
                                     std::any_of(relaxed.begin(), relaxed.end(),
                                                 [&](const auto& kv) { return kv.second == g.bits; });
                if (!planned)
                    bad(jsonPath, where + " has a " + std::to_string(g.bits) +
                                      "-bit activation grid that its plan does not ask for.");
                ActivationGrid grid;
                grid.timestep = g.timestep;
                grid.bits = g.bits;
                grid.lo = g.lo;
                grid.hi = g.hi;
                grid.params.scale = g.scale;
                grid.params.zeroPoint = g.zeroPoint;
                a.grids.push_back(grid);
            }
            st.activationParts.push_back(std::move(a));
        }
        states.push_back(std::move(st));
    }
    QuantizedUNet q(std::move(plan), std::move(states));
    q.to(model.device());
    return q;
}

std::vector<QuantizedComponent> loadQuantizedComponents(const std::string& folder) {
    const ArtifactRecord record = readRecord(folder);
    if (record.components.empty()) return {};
    const std::string weightsPath = folder + "/" + kWeightsFile;
    if (!fs::exists(weightsPath)) bad(weightsPath, "is missing; calibrate again.");
    if (fileStamp(weightsPath) != record.weightsStamp)
        bad(weightsPath, "does not match its quantized_model.json (damaged or from another calibration); calibrate again.");
    const TensorFile weights = loadSafetensors(weightsPath);
    std::vector<QuantizedComponent> parts;
    for (const ComponentRecord& c : record.components) {
        QuantizedComponent part;
        part.name = c.name;
        part.bits = c.bits;
        part.mseSearch = c.mseSearch;
        for (const ComponentWeightRecord& w : c.weights)
            part.weights.emplace(w.key, loadWeightPart(weights, weightsPath, componentKey(c.name, w.key),
                                                       "the " + c.name + " weight '" + w.key + "'",
                                                       WeightPartRecord{c.bits, false, w.shape}));
        parts.push_back(std::move(part));
    }
    return parts;
}

LoadedQuantizedModel loadQuantizedModel(const std::string& folder, const std::string& fpFolderOverride) {
    const ArtifactRecord record = readRecord(folder);
    const std::string jsonPath = folder + "/" + kJsonFile;
    const std::string& recorded = record.fpFolder;
    const std::string& stamp = record.fpWeightsStamp;
    std::string fpFolder;
    if (!fpFolderOverride.empty()) {
        if (fileStamp(denoiserWeightsFile(fpFolderOverride)) != stamp)
            throw Error("Quantized model '" + folder + "' was calibrated for other weights than '" + fpFolderOverride +
                        "'; pass the FP model it was made from (recorded: " + inQuotes(recorded, 120) + ").");
        fpFolder = fpFolderOverride;
    } else {
        for (const std::string& candidate : {recorded, defaultModelFolder()}) {
            if (candidate.empty() || !fs::exists(denoiserWeightsFile(candidate))) continue;
            if (fileStamp(denoiserWeightsFile(candidate)) == stamp) {
                fpFolder = candidate;
                break;
            }
        }
        if (fpFolder.empty())
            throw Error("The FP model of quantized model '" + folder + "' was not found or has changed (recorded: " +
                        inQuotes(recorded, 120) + "); pass it with --model.");
    }
    LoadedQuantizedModel loaded{DiffusionPipeline::load(fpFolder), QuantizedUNet(), fpFolder, {}, {}};
    loaded.quantized = loadQuantizedState(folder, loaded.fp.denoiser());
    loaded.quantized.setComponents(loaded.fp.attachComponents(loadQuantizedComponents(folder)));
    loaded.calibrationJson = record.calibrationJson;
    loaded.sizes = {fileSize(jsonPath) + fileSize(folder + "/" + kWeightsFile), fileSize(denoiserWeightsFile(fpFolder))};
    return loaded;
}

}  // namespace dq
