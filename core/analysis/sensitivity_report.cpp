#include "core/analysis/sensitivity_report.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace {

using ojson = nlohmann::ordered_json;
using Fields = JsonFields<ojson>;
constexpr const char* kFormat = "diffquant-sensitivity";
constexpr int64_t kMaxEntries = 1 << 20;

ojson measureJson(const ErrorMeasure& m) {
    ojson j;
    j["nmse"] = m.meanNmse;
    j["sqnr_db"] = m.sqnrDb();
    j["per_step_nmse"] = m.perStepNmse;
    if (m.samplePsnrDb) j["sample_psnr_db"] = *m.samplePsnrDb;
    return j;
}

std::vector<double> numberList(const Fields& f, const std::string& key, std::size_t expected) {
    const ojson& list = f.require(key);
    if (!list.is_array()) f.reject(key, "must be a list of numbers");
    if (list.size() != expected)
        f.reject(key, "has " + std::to_string(list.size()) + " entries, but the report measured " +
                          std::to_string(expected) + " steps");
    std::vector<double> values;
    for (std::size_t i = 0; i < list.size(); ++i)
        values.push_back(f.numberValue(list[i], key + "[" + std::to_string(i) + "]", NumberRange::closed(0, 1e30)));
    return values;
}

ErrorMeasure parseMeasure(const Fields& f, std::size_t steps) {
    f.allowOnly({"nmse", "sqnr_db", "per_step_nmse", "sample_psnr_db"}, false, "a measure holds nmse, sqnr_db, "
                                                                              "per_step_nmse and sample_psnr_db");
    ErrorMeasure m;
    m.meanNmse = f.requiredNumber("nmse", NumberRange::closed(0, 1e30));
    m.perStepNmse = numberList(f, "per_step_nmse", steps);
    if (f.find("sample_psnr_db")) m.samplePsnrDb = f.number("sample_psnr_db", 0, NumberRange::closed(-1000, 1000));
    return m;
}

std::vector<int> widthList(const Fields& f, const std::string& key) {
    const ojson& list = f.require(key);
    if (!list.is_array() || list.size() > 16) f.reject(key, "must be a list of at most 16 widths");
    std::vector<int> widths;
    for (std::size_t i = 0; i < list.size(); ++i)
        widths.push_back(static_cast<int>(f.integerValue(list[i], key + "[" + std::to_string(i) + "]", 2, 16)));
    return widths;
}

OperandSensitivity parseOperand(const Fields& f, const std::vector<int>& widths, std::size_t steps) {
    f.allowOnly({"alone", "all_but"}, false, "an operand holds alone and all_but");
    OperandSensitivity o;
    const Fields alone = f.child("alone");
    for (auto it = alone.json().begin(); it != alone.json().end(); ++it) {
        const std::string& key = it.key();
        int bits = 0;
        if (key.empty() || key.size() > 2 || !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            (bits = std::stoi(key)) < 2 || bits > 16 || std::find(widths.begin(), widths.end(), bits) == widths.end())
            alone.reject(key, "is not one of the report's measured widths");
        o.alone[bits] = parseMeasure(alone.child(key), steps);
    }
    if (f.find("all_but")) o.allBut = parseMeasure(f.child("all_but"), steps);
    return o;
}

}  // namespace

double ErrorMeasure::sqnrDb() const { return meanNmse > 1e-20 ? -10.0 * std::log10(meanNmse) : 200.0; }

const SiteSensitivity* SensitivityReport::find(const std::string& site) const {
    for (const SiteSensitivity& s : sites)
        if (s.name == site) return &s;
    return nullptr;
}

std::string SensitivityReport::toJson() const {
    ojson root;
    root["format"] = kFormat;
    root["version"] = 1;
    root["model_stamp"] = modelStamp;
    root["base_weight_bits"] = baseWeightBits;
    root["base_activation_bits"] = baseActivationBits;
    root["weight_widths"] = weightWidths;
    root["activation_widths"] = activationWidths;
    root["timesteps"] = timesteps;
    root["inputs"] = inputs;
    root["sample_images"] = sampleImages;
    root["seconds"] = seconds;
    root["all_weights"] = measureJson(allWeights);
    root["all_activations"] = measureJson(allActivations);
    ojson list = ojson::array();
    for (const SiteSensitivity& s : sites) {
        ojson j;
        j["name"] = s.name;
        j["block"] = s.block;
        j["kind"] = s.kind;
        j["weight_count"] = s.weightCount;
        j["output_channels"] = s.outputChannels;
        j["weight_parts"] = s.weightParts;
        auto operand = [](const OperandSensitivity& o) {
            ojson oj;
            ojson alone = ojson::object();
            for (const auto& [bits, m] : o.alone) alone[std::to_string(bits)] = measureJson(m);
            oj["alone"] = alone;
            if (o.allBut) oj["all_but"] = measureJson(*o.allBut);
            return oj;
        };
        if (s.weight) j["weight"] = operand(*s.weight);
        j["activation"] = operand(s.activation);
        list.push_back(j);
    }
    root["sites"] = list;
    root["base_plan"] = ojson::parse(basePlan.toJson());
    return root.dump(1);
}

SensitivityReport SensitivityReport::fromJson(const std::string& text, const std::string& source) {
    const std::string what = "Sensitivity report '" + source + "'";
    const ojson root = parseBoundedOrderedJson(text, what);
    const Fields f(root, what);
    if (f.text("format", "") != kFormat)
        throw Error(what + " is not a sensitivity report (no \"format\": \"" + kFormat +
                    "\"); write one with `diffquant sensitivity`.");
    f.allowOnly({"format", "version", "model_stamp", "base_weight_bits", "base_activation_bits", "weight_widths",
                 "activation_widths", "timesteps", "inputs", "sample_images", "seconds", "all_weights",
                 "all_activations", "sites", "base_plan"},
                true, "write the report again with `diffquant sensitivity`");
    f.requiredInteger("version", 1, 1);
    SensitivityReport r;
    r.modelStamp = f.text("model_stamp", "");
    r.baseWeightBits = static_cast<int>(f.requiredInteger("base_weight_bits", 0, 16));
    r.baseActivationBits = static_cast<int>(f.requiredInteger("base_activation_bits", 0, 16));
    r.weightWidths = widthList(f, "weight_widths");
    r.activationWidths = widthList(f, "activation_widths");
    const ojson& steps = f.require("timesteps");
    if (!steps.is_array() || steps.empty() || steps.size() > 10000) f.reject("timesteps", "must be a list of 1 to 10000 timesteps");
    for (std::size_t i = 0; i < steps.size(); ++i)
        r.timesteps.push_back(f.integerValue(steps[i], "timesteps[" + std::to_string(i) + "]", 0, 1000000));
    const std::size_t stepCount = r.timesteps.size();
    r.inputs = f.requiredInteger("inputs", 1, kMaxEntries * 1024);
    r.sampleImages = static_cast<int>(f.integer("sample_images", 0, 0, 100000));
    r.seconds = f.number("seconds", 0, NumberRange::closed(0, 1e9));
    r.allWeights = parseMeasure(f.child("all_weights"), stepCount);
    r.allActivations = parseMeasure(f.child("all_activations"), stepCount);

    const Fields planFields = f.child("base_plan");
    r.basePlan = QuantPlan::fromJson(planFields.json().dump(), source + " (base_plan)");

    const ojson& sites = f.require("sites");
    if (!sites.is_array() || sites.size() > static_cast<std::size_t>(kMaxEntries)) f.reject("sites", "must be a list of sites");
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const Fields s(sites[i], what, "sites[" + std::to_string(i) + "].");
        s.allowOnly({"name", "block", "kind", "weight_count", "output_channels", "weight_parts", "weight", "activation"},
                    false, "write the report again with `diffquant sensitivity`");
        SiteSensitivity site;
        site.name = s.textValue(s.require("name"), "name");
        site.block = s.text("block", "");
        site.kind = s.text("kind", "");
        site.weightCount = s.integer("weight_count", 0, 0, int64_t(1) << 40);
        site.outputChannels = s.integer("output_channels", 0, 0, int64_t(1) << 30);
        site.weightParts = static_cast<int>(s.integer("weight_parts", 0, 0, 2));
        if (s.find("weight")) {
            if (site.weightCount == 0 || site.weightParts == 0 || site.outputChannels == 0)
                s.reject("weight", "is measured for a site without weight_count, output_channels and weight_parts");
            site.weight = parseOperand(s.child("weight"), r.weightWidths, stepCount);
        }
        site.activation = parseOperand(s.child("activation"), r.activationWidths, stepCount);
        if (!r.basePlan.find(site.name))
            s.reject("name", "names a site missing from base_plan (" + site.name.substr(0, 80) + ")");
        r.sites.push_back(std::move(site));
    }
    if (r.sites.size() != r.basePlan.sites.size())
        f.reject("sites", "lists " + std::to_string(r.sites.size()) + " sites, but base_plan has " +
                              std::to_string(r.basePlan.sites.size()));
    return r;
}

std::vector<const SiteSensitivity*> rankSites(const SensitivityReport& report, bool weights, int bits) {
    std::vector<std::pair<double, const SiteSensitivity*>> scored;
    for (const SiteSensitivity& s : report.sites) {
        const OperandSensitivity* o = weights ? (s.weight ? &*s.weight : nullptr) : &s.activation;
        if (!o) continue;
        auto it = o->alone.find(bits);
        if (it != o->alone.end()) scored.emplace_back(it->second.meanNmse, &s);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const SiteSensitivity*> ranked;
    for (const auto& [score, site] : scored) ranked.push_back(site);
    return ranked;
}

}  // namespace dq
