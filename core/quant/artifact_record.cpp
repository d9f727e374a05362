#include "core/quant/artifact_record.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {
using ojson = nlohmann::ordered_json;
using Fields = JsonFields<ojson>;

constexpr const char* kFormat = "diffquant-quantized-model";
constexpr int64_t kMaxSites = 100000;
constexpr int64_t kMaxGrids = 100000;  // one per sampling step at most
constexpr int64_t kMaxDimension = int64_t{1} << 24;

// The symmetric (or not) integer range of a width, as the quantizer uses it.
void zeroPointRange(int bits, bool symmetric, int64_t& lo, int64_t& hi) {
    if (symmetric) {
        lo = -(int64_t{1} << (bits - 1));
        hi = (int64_t{1} << (bits - 1)) - 1;
    } else {
        lo = 0;
        hi = (int64_t{1} << bits) - 1;
    }
}

WeightPartRecord readWeightPart(const Fields& part) {
    WeightPartRecord w;
    w.bits = static_cast<int>(part.requiredInteger("bits", 2, 16));
    w.symmetric = part.requiredBoolean("symmetric");
    const ojson& shape = part.require("shape");
    if (!shape.is_array() || shape.empty() || shape.size() > 8)
        part.reject("shape", "must be an array of 1 to 8 dimensions");
    for (const ojson& d : shape) w.shape.push_back(part.integerValue(d, "shape", 1, kMaxDimension));
    return w;
}

GridRecord readGrid(const Fields& g, bool symmetric) {
    GridRecord grid;
    grid.timestep = g.requiredInteger("timestep", -1, 1000000);
    grid.bits = static_cast<int>(g.requiredInteger("bits", 2, 16));
    const NumberRange anyFloat = NumberRange::closed(-std::numeric_limits<float>::max(), std::numeric_limits<float>::max());
    grid.lo = static_cast<float>(g.requiredNumber("lo", anyFloat));
    grid.hi = static_cast<float>(g.requiredNumber("hi", anyFloat));
    // Subnormal scales pass "> 0" but make every value 0 or overflow on division.
    grid.scale = static_cast<float>(g.requiredNumber("scale", NumberRange{0, std::numeric_limits<float>::max(), true, false, true}));
    if (!std::isnormal(grid.scale))
        g.reject("scale", "must be a positive, normal single-precision number");
    int64_t lo = 0, hi = 0;
    zeroPointRange(grid.bits, symmetric, lo, hi);
    grid.zeroPoint = static_cast<int32_t>(g.requiredInteger("zero_point", lo, hi));
    return grid;
}

}  // namespace

ArtifactRecord parseArtifactRecord(const std::string& text, const std::string& path) {
    const std::string what = "Quantized model '" + path + "'";
    const ojson root = parseBoundedOrderedJson(text, what);
    const Fields f(root, what);
    if (f.text("format", "") != kFormat) f.reject("format", std::string("must be \"") + kFormat + "\"");
    (void)f.requiredInteger("version", 1, 1);
    ArtifactRecord record;
    const Fields fp = f.child("fp_model");
    record.fpFolder = fp.text("folder", "");
    record.fpWeightsStamp = fp.text("weights_fnv1a", "");
    record.weightsStamp = f.textValue(f.require("weights_fnv1a"), "weights_fnv1a");
    const ojson& plan = f.require("plan");
    if (!plan.is_object()) f.reject("plan", "must be an object");
    record.planJson = plan.dump();
    if (const ojson* calibration = f.find("calibration")) {
        if (!calibration->is_object()) f.reject("calibration", "must be an object");
        record.calibrationJson = calibration->dump();
    } else {
        record.calibrationJson = "{}";
    }
    const ojson& sites = f.require("sites");
    if (!sites.is_array() || static_cast<int64_t>(sites.size()) > kMaxSites)
        f.reject("sites", "must be an array of site entries");
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const std::string at = "sites." + std::to_string(i) + ".";
        const Fields s(sites[i], what, at);
        SiteRecord site;
        site.name = s.textValue(s.require("name"), "name");
        site.split = s.integer("split", 0, 0, kMaxDimension);
        const std::size_t parts = site.split > 0 ? 2u : 1u;
        if (const ojson* weight = s.find("weight")) {
            if (!weight->is_array() || weight->size() != parts)
                s.reject("weight", "must be an array of " + std::to_string(parts) + " part" + (parts == 1 ? "" : "s") +
                                       (site.split > 0 ? " (the site is split)" : ""));
            site.hasWeight = true;
            for (std::size_t p = 0; p < parts; ++p)
                site.weight.push_back(readWeightPart(Fields((*weight)[p], what, at + "weight." + std::to_string(p) + ".")));
        }
        if (const ojson* activation = s.find("activation")) {
            if (!activation->is_array() || activation->size() != parts)
                s.reject("activation", "must be an array of " + std::to_string(parts) + " part" + (parts == 1 ? "" : "s") +
                                           (site.split > 0 ? " (the site is split)" : ""));
            site.hasActivation = true;
            for (std::size_t p = 0; p < parts; ++p) {
                const std::string partAt = at + "activation." + std::to_string(p) + ".";
                const Fields part((*activation)[p], what, partAt);
                ActivationPartRecord a;
                a.symmetric = part.requiredBoolean("symmetric");
                const ojson& grids = part.require("grids");
                if (!grids.is_array() || grids.empty() || static_cast<int64_t>(grids.size()) > kMaxGrids)
                    part.reject("grids", "must be a non-empty array of activation grids");
                for (std::size_t gi = 0; gi < grids.size(); ++gi)
                    a.grids.push_back(readGrid(Fields(grids[gi], what, partAt + "grids." + std::to_string(gi) + "."),
                                               a.symmetric));
                site.activation.push_back(std::move(a));
            }
        }
        record.sites.push_back(std::move(site));
    }
    if (const ojson* components = f.find("components")) {
        if (!components->is_array() || components->size() > 2)
            f.reject("components", "must be an array of at most two entries (text_encoder, vae)");
        for (std::size_t i = 0; i < components->size(); ++i) {
            const std::string at = "components." + std::to_string(i) + ".";
            const Fields c((*components)[i], what, at);
            ComponentRecord component;
            component.name = c.textValue(c.require("name"), "name");
            if (component.name != "text_encoder" && component.name != "vae")
                c.reject("name", "must be \"text_encoder\" or \"vae\"");
            for (const ComponentRecord& earlier : record.components)
                if (earlier.name == component.name) c.reject("name", "names a component listed before");
            component.bits = static_cast<int>(c.requiredInteger("bits", 2, 16));
            component.mseSearch = c.requiredBoolean("mse_search");
            const ojson& weights = c.require("weights");
            if (!weights.is_array() || weights.empty() || static_cast<int64_t>(weights.size()) > kMaxSites)
                c.reject("weights", "must be a non-empty array of weight entries");
            for (std::size_t k = 0; k < weights.size(); ++k) {
                const Fields w(weights[k], what, at + "weights." + std::to_string(k) + ".");
                ComponentWeightRecord weight;
                weight.key = w.textValue(w.require("key"), "key");
                const ojson& shape = w.require("shape");
                if (!shape.is_array() || (shape.size() != 2 && shape.size() != 4))
                    w.reject("shape", "must be the 2 or 4 dimensions of a Linear or Conv weight");
                for (const ojson& d : shape) weight.shape.push_back(w.integerValue(d, "shape", 1, kMaxDimension));
                component.weights.push_back(std::move(weight));
            }
            record.components.push_back(std::move(component));
        }
    }
    return record;
}

}  // namespace dq
