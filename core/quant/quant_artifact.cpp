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
#include "core/quant/bit_packing.h"
#include "core/quant/calibration_data.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {
constexpr const char* kJsonFile = "quantized_model.json";
constexpr const char* kWeightsFile = "quantized_weights.safetensors";
constexpr const char* kFormat = "diffquant-quantized-model";
constexpr const char* kFpWeights = "diffusion_pytorch_model.safetensors";

std::string partKey(const std::string& site, std::size_t part) { return site + ".weight." + std::to_string(part); }

uint64_t fileSize(const std::string& path) { return fs::exists(path) ? static_cast<uint64_t>(fs::file_size(path)) : 0; }
}  // namespace

ArtifactSizes saveQuantizedModel(const std::string& folder, const QuantizedUNet& quantized, const std::string& fpFolder,
                                 const std::string& calibrationJson) {
    fs::create_directories(folder);
    const std::string fpWeights = fpFolder + "/" + kFpWeights;
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
                const IntegerRange r = integerRange(w.bits, w.symmetric);
                const torch::Tensor offset = (w.q.to(torch::kCPU, torch::kInt32) - static_cast<int>(r.qmin)).contiguous();
                std::vector<uint16_t> values(static_cast<std::size_t>(offset.numel()));
                const int32_t* data = offset.data_ptr<int32_t>();
                for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint16_t>(data[i]);
                const std::vector<uint8_t> packed = packBits(values, w.bits);
                tensors[partKey(st.site.name, p) + ".packed"] =
                    torch::from_blob(const_cast<uint8_t*>(packed.data()), {static_cast<int64_t>(packed.size())}, torch::kUInt8).clone();
                tensors[partKey(st.site.name, p) + ".scale"] = w.scale.to(torch::kCPU).contiguous();
                tensors[partKey(st.site.name, p) + ".zero_point"] = w.zeroPoint.to(torch::kCPU).contiguous();
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

ojson readArtifactJson(const std::string& folder) {
    const std::string path = folder + "/" + kJsonFile;
    if (!fs::exists(path))
        throw Error("'" + folder + "' is not a quantized model: " + kJsonFile + " is missing (create one with `diffquant calibrate`).");
    const std::string what = "Quantized model '" + path + "'";
    const ojson root = parseBoundedOrderedJson(readTextFile(path), what);
    const JsonFields<ojson> f(root, what);
    if (f.text("format", "") != kFormat) f.reject("format", std::string("must be \"") + kFormat + "\"");
    (void)f.integer("version", 0, 1, 1);
    for (const char* key : {"fp_model", "plan", "sites", "weights_fnv1a"})
        if (!f.find(key)) f.reject(key, "is missing; calibrate again");
    const JsonFields<ojson> fp = f.child("fp_model");
    (void)fp.text("folder", "");
    (void)fp.text("weights_fnv1a", "");
    (void)f.text("weights_fnv1a", "");
    if (!root["sites"].is_array()) f.reject("sites", "must be an array of site entries");
    return root;
}

// A string of the (validated) fp_model record; empty when absent or null.
std::string fpModelField(const ojson& root, const char* key) {
    const ojson& fp = root["fp_model"];
    auto it = fp.find(key);
    return it == fp.end() || !it->is_string() ? std::string() : it->get<std::string>();
}

}  // namespace

QuantizedUNet loadQuantizedState(const std::string& folder, const UNet2DModel& model) {
    const std::string jsonPath = folder + "/" + kJsonFile;
    const std::string weightsPath = folder + "/" + kWeightsFile;
    const ojson root = readArtifactJson(folder);
    QuantPlan plan = QuantPlan::fromJson(root["plan"].dump(), jsonPath + " (plan)");
    plan.validateAgainst(model.sites(), jsonPath + " (plan)");
    if (!fs::exists(weightsPath)) bad(weightsPath, "is missing; calibrate again.");
    if (fileStamp(weightsPath) != root["weights_fnv1a"].get<std::string>())
        bad(weightsPath, "does not match its quantized_model.json (damaged or from another calibration); calibrate again.");
    if (!model.folder().empty()) {
        const std::string fpWeights = model.folder() + "/" + kFpWeights;
        if (fs::exists(fpWeights) && fileStamp(fpWeights) != fpModelField(root, "weights_fnv1a"))
            throw Error("Quantized model '" + folder + "' was calibrated for other weights than '" + model.folder() +
                        "' (recorded: '" + fpModelField(root, "folder") + "'); open the FP model it was made from.");
    }
    const TensorFile weights = loadSafetensors(weightsPath);
    const ojson& sites = root["sites"];
    const std::string what = "Quantized model '" + jsonPath + "'";
    if (sites.size() != model.sites().size())
        bad(jsonPath, "lists " + std::to_string(sites.size()) + " sites but the model has " +
                          std::to_string(model.sites().size()) + "; it belongs to another model.");
    std::vector<SiteQuantState> states;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const SiteInfo& info = model.sites()[i];
        const std::string where = "site '" + info.name + "'";
        const JsonFields<ojson> s(sites[i], what, "sites." + std::to_string(i) + ".");
        const std::string name = s.text("name", "");
        if (name != info.name)
            bad(jsonPath, "site " + std::to_string(i) + " is " + inQuotes(name) + " but the model's is '" + info.name + "'.");
        SiteQuantState st;
        st.site = info;
        st.plan = *plan.find(info.name);
        st.split = s.integer("split", 0, 0, std::max<int64_t>(0, info.inputChannels - 1));
        if (st.split > 0 && st.split != info.splitChannels)
            bad(jsonPath, where + " has split " + std::to_string(st.split) + ", which the model does not have.");
        // What the file holds must be what the plan asks for.
        const bool wantsWeight = st.plan.quantizesWeight() && !isAttentionOperand(info.kind);
        if ((s.find("weight") != nullptr) != wantsWeight)
            bad(jsonPath, where + (wantsWeight ? " has no quantized weight although its plan quantizes it."
                                               : " has a quantized weight although its plan keeps it in FP."));
        if ((s.find("activation") != nullptr) != st.plan.quantizesActivation())
            bad(jsonPath, where + (st.plan.quantizesActivation()
                                       ? " has no activation grid although its plan quantizes its input."
                                       : " has activation grids although its plan keeps its input in FP."));
        const std::size_t expectedParts = st.split > 0 ? 2u : 1u;
        if (const ojson* weight = s.find("weight")) {
            if (!weight->is_array() || weight->size() != expectedParts)
                bad(jsonPath, where + " has the wrong number of weight parts (expected " + std::to_string(expectedParts) + ").");
            for (std::size_t p = 0; p < expectedParts; ++p) {
                const JsonFields<ojson> part((*weight)[p], what, "sites." + std::to_string(i) + ".weight." + std::to_string(p) + ".");
                const int bits = part.integer32("bits", 0, 2, 16);
                const bool symmetric = part.boolean("symmetric", false);
                if (bits != st.plan.weightBits || symmetric != st.plan.weightSymmetric)
                    bad(jsonPath, where + " weight part " + std::to_string(p) + " is " + std::to_string(bits) +
                                      "-bit but the plan says " + std::to_string(st.plan.weightBits) + ".");
                const IntegerRange r = integerRange(bits, symmetric);
                const ojson* shapeJson = part.find("shape");
                if (!shapeJson || !shapeJson->is_array() || shapeJson->size() > 8) part.reject("shape", "must be an array of dimensions");
                std::vector<int64_t> shape;
                for (const ojson& d : *shapeJson) shape.push_back(part.integerValue(d, "shape", 1, int64_t{1} << 24));
                const auto [from, to] = st.partChannels(p);
                std::vector<int64_t> expected = info.weightShape;
                if (expected.size() < 2) bad(jsonPath, where + " has no weight to quantize.");
                expected[1] = to - from;
                if (shape != expected) bad(jsonPath, where + " weight part " + std::to_string(p) + " has the wrong shape.");
                const std::string key = partKey(info.name, p);
                const torch::Tensor packed = weights.at(key + ".packed", weightsPath).contiguous();
                const torch::Tensor scale = weights.at(key + ".scale", weightsPath).to(torch::kFloat32).contiguous();
                const torch::Tensor zero = weights.at(key + ".zero_point", weightsPath).to(torch::kInt32).contiguous();
                if (packed.scalar_type() != torch::kUInt8) bad(weightsPath, "tensor '" + key + ".packed' must be U8.");
                if (scale.numel() != shape[0] || zero.numel() != shape[0])
                    bad(weightsPath, "'" + key + "' needs " + std::to_string(shape[0]) + " scales and zero points.");
                // Subnormal scales pass "> 0" but make every weight 0 or overflow on division.
                if (!torch::isfinite(scale).all().item<bool>() || !(scale >= std::numeric_limits<float>::min()).all().item<bool>())
                    bad(weightsPath, "'" + key + ".scale' holds a scale that is not a positive, normal, finite number; calibrate again.");
                if ((zero < r.qmin).any().item<bool>() || (zero > r.qmax).any().item<bool>())
                    bad(weightsPath, "'" + key + ".zero_point' is outside the " + std::to_string(bits) + "-bit range.");
                int64_t count = 1;
                for (int64_t d : shape) count *= d;
                std::vector<uint16_t> values;
                try {
                    values = unpackBits(packed.data_ptr<uint8_t>(), static_cast<std::size_t>(packed.numel()),
                                        static_cast<std::size_t>(count), bits);
                } catch (const Error& e) {
                    bad(weightsPath, "tensor '" + key + ".packed' of " + where + ": " + e.what());
                }
                torch::Tensor q = torch::empty({count}, torch::kInt32);
                int32_t* qd = q.data_ptr<int32_t>();
                for (std::size_t k = 0; k < values.size(); ++k)
                    qd[k] = static_cast<int32_t>(static_cast<int64_t>(values[k]) + r.qmin);
                st.weightParts.push_back({q.view(shape), scale.clone(), zero.clone(), bits, symmetric});
            }
        }
        if (const ojson* activation = s.find("activation")) {
            if (!activation->is_array() || activation->size() != expectedParts)
                bad(jsonPath, where + " has the wrong number of activation parts (expected " + std::to_string(expectedParts) + ").");
            for (std::size_t p = 0; p < expectedParts; ++p) {
                const std::string at = "sites." + std::to_string(i) + ".activation." + std::to_string(p) + ".";
                const JsonFields<ojson> part((*activation)[p], what, at);
                ActivationQuantizer a;
                a.symmetric = part.boolean("symmetric", false);
                const ojson* grids = part.find("grids");
                if (!grids || !grids->is_array() || grids->empty() || grids->size() > 100000)
                    part.reject("grids", "must be a non-empty array of activation grids");
                for (std::size_t gi = 0; gi < grids->size(); ++gi) {
                    const JsonFields<ojson> g((*grids)[gi], what, at + "grids." + std::to_string(gi) + ".");
                    ActivationGrid grid;
                    grid.timestep = g.integer("timestep", -1, -1, 1000000);
                    grid.bits = g.integer32("bits", 0, 2, 16);
                    grid.lo = static_cast<float>(g.number("lo", 0, NumberRange::closed(-3e38, 3e38)));
                    grid.hi = static_cast<float>(g.number("hi", 0, NumberRange::closed(-3e38, 3e38)));
                    grid.params.scale = static_cast<float>(g.number("scale", 0, NumberRange{0, 3e38, true, false, true}));
                    if (!std::isnormal(grid.params.scale))
                        g.reject("scale", "must be a positive, normal single-precision number, not " + plainNumber(grid.params.scale));
                    const IntegerRange r = integerRange(grid.bits, a.symmetric);
                    grid.params.zeroPoint = static_cast<int32_t>(g.integer("zero_point", 0, r.qmin, r.qmax));
                    const auto& relaxed = st.plan.stepActivationBits;
                    const bool planned = grid.bits == st.plan.activationBits ||
                                         std::any_of(relaxed.begin(), relaxed.end(),
                                                     [&](const auto& kv) { return kv.second == grid.bits; });
                    if (!planned)
                        bad(jsonPath, where + " has a " + std::to_string(grid.bits) +
                                          "-bit activation grid that its plan does not ask for.");
                    a.grids.push_back(grid);
                }
                st.activationParts.push_back(std::move(a));
            }
        }
        states.push_back(std::move(st));
    }
    QuantizedUNet q(std::move(plan), std::move(states));
    q.to(model.device());
    return q;
}

LoadedQuantizedModel loadQuantizedModel(const std::string& folder, const std::string& fpFolderOverride) {
    const ojson root = readArtifactJson(folder);
    const std::string jsonPath = folder + "/" + kJsonFile;
    const std::string recorded = fpModelField(root, "folder");
    const std::string stamp = fpModelField(root, "weights_fnv1a");
    std::string fpFolder;
    if (!fpFolderOverride.empty()) {
        if (fileStamp(fpFolderOverride + "/" + kFpWeights) != stamp)
            throw Error("Quantized model '" + folder + "' was calibrated for other weights than '" + fpFolderOverride +
                        "'; pass the FP model it was made from (recorded: '" + recorded + "').");
        fpFolder = fpFolderOverride;
    } else {
        for (const std::string& candidate : {recorded, defaultModelFolder()}) {
            if (candidate.empty() || !fs::exists(candidate + "/" + kFpWeights)) continue;
            if (fileStamp(candidate + "/" + kFpWeights) == stamp) {
                fpFolder = candidate;
                break;
            }
        }
        if (fpFolder.empty())
            throw Error("The FP model of quantized model '" + folder + "' was not found or has changed (recorded: '" +
                        recorded + "'); pass it with --model.");
    }
    LoadedQuantizedModel loaded{loadModelFolder(fpFolder), QuantizedUNet(), fpFolder, {}, {}};
    loaded.quantized = loadQuantizedState(folder, loaded.fp.unet);
    loaded.calibrationJson = root.contains("calibration") ? root["calibration"].dump() : "{}";
    loaded.sizes = {fileSize(jsonPath) + fileSize(folder + "/" + kWeightsFile), fileSize(fpFolder + "/" + kFpWeights)};
    return loaded;
}

}  // namespace dq
