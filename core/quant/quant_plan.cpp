#include "core/quant/quant_plan.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/io/json_text.h"
#include "core/validation/bounded_json.h"

namespace dq {

namespace {
using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr const char* kFormat = "diffquant-plan";

[[noreturn]] void reject(const std::string& source, const std::string& where, const std::string& why) {
    throw Error("Quantization plan '" + source + "': " + where + " " + why + ".");
}

int bitsValue(const json& value, const std::string& source, const std::string& where) {
    if (!value.is_number_integer()) reject(source, where, "must be an integer, not " + jsonValueText(value));
    // Checked as 64 bits before narrowing: 2^32 + 8 must not pass as 8.
    const bool huge = value.is_number_unsigned() && value.get<uint64_t>() > 16u;
    const int64_t bits = huge ? 17 : value.get<int64_t>();
    if (bits != 0 && (bits < 2 || bits > 16)) reject(source, where, "is " + jsonValueText(value) + "; use 0 (FP) or 2..16");
    return static_cast<int>(bits);
}

bool boolValue(const json& value, const std::string& source, const std::string& where) {
    if (!value.is_boolean()) reject(source, where, "must be true or false, not " + jsonValueText(value));
    return value.get<bool>();
}

std::string stringValue(const json& value, const std::string& source, const std::string& where) {
    if (!value.is_string()) reject(source, where, "must be a string, not " + jsonValueText(value));
    return value.get<std::string>();
}
}  // namespace

const char* rangeMethodName(RangeMethod method) {
    switch (method) {
        case RangeMethod::MinMax: return "minmax";
        case RangeMethod::Mse: return "mse";
        case RangeMethod::Percentile: return "percentile";
        case RangeMethod::RunningMinMax: return "running";
    }
    return "?";
}

const char* splitScopeName(SplitScope scope) {
    return scope == SplitScope::ShortcutAndConv1 ? "shortcut_and_conv1" : "shortcut";
}

bool splitsSite(const QuantPlan& plan, const SiteInfo& site) {
    if (!plan.splitShortcuts || site.splitChannels <= 0 || isAttentionOperand(site.kind)) return false;
    return site.rawConcatInput || plan.splitScope == SplitScope::ShortcutAndConv1;
}

RangeMethod parseRangeMethod(const std::string& name) {
    for (RangeMethod m : {RangeMethod::MinMax, RangeMethod::Mse, RangeMethod::Percentile, RangeMethod::RunningMinMax})
        if (name == rangeMethodName(m)) return m;
    throw Error("Unknown range method '" + name + "'; use minmax, mse, percentile or running.");
}

bool SitePlan::operator==(const SitePlan& o) const {
    return enabled == o.enabled && weightBits == o.weightBits && activationBits == o.activationBits &&
           weightGranularity == o.weightGranularity && weightSymmetric == o.weightSymmetric &&
           activationSymmetric == o.activationSymmetric && rangeMethod == o.rangeMethod &&
           perStepActivation == o.perStepActivation && stepActivationBits == o.stepActivationBits;
}

bool QuantPlan::operator==(const QuantPlan& o) const {
    return preset == o.preset && splitShortcuts == o.splitShortcuts && splitScope == o.splitScope && relaxedForSteps == o.relaxedForSteps &&
           sites == o.sites;
}

const SitePlan* QuantPlan::find(const std::string& site) const {
    for (const auto& [name, plan] : sites)
        if (name == site) return &plan;
    return nullptr;
}

SitePlan* QuantPlan::find(const std::string& site) {
    for (auto& [name, plan] : sites)
        if (name == site) return &plan;
    return nullptr;
}

std::string QuantPlan::toJson() const {
    ojson root;
    root["format"] = kFormat;
    root["version"] = 1;
    root["preset"] = preset;
    root["split_shortcuts"] = splitShortcuts;
    root["split_scope"] = splitScopeName(splitScope);
    if (relaxedForSteps > 0) root["relaxed_for_steps"] = relaxedForSteps;
    ojson list = ojson::object();
    for (const auto& [name, s] : sites) {
        ojson j;
        j["enabled"] = s.enabled;
        j["weight_bits"] = s.weightBits;
        j["activation_bits"] = s.activationBits;
        j["weight_granularity"] = s.weightGranularity == Granularity::PerChannel ? "per_channel" : "per_tensor";
        j["weight_symmetric"] = s.weightSymmetric;
        j["activation_symmetric"] = s.activationSymmetric;
        j["range_method"] = rangeMethodName(s.rangeMethod);
        j["per_step_activation"] = s.perStepActivation;
        ojson overrides = ojson::object();
        for (const auto& [step, bits] : s.stepActivationBits) overrides[std::to_string(step)] = bits;
        j["step_activation_bits"] = overrides;
        list[name] = j;
    }
    root["sites"] = list;
    return root.dump(2) + "\n";
}

QuantPlan QuantPlan::fromJson(const std::string& text, const std::string& source) {
    // ordered_json keeps the sites in file order (the model's execution order).
    const ojson root = parseBoundedOrderedJson(text, "Quantization plan '" + source + "'");
    if (!root.is_object()) reject(source, "the file", "is not a JSON object");
    if (!root.contains("format") || root["format"] != kFormat)
        reject(source, "key 'format'", std::string("must be \"") + kFormat + "\"");
    QuantPlan plan;
    // Plans written before split_scope existed split conv1 as well as the
    // shortcut conv: keep that meaning when the key is absent.
    const bool legacySplit = !root.contains("split_scope") && root.contains("split_shortcuts") &&
                             root["split_shortcuts"].is_boolean() && root["split_shortcuts"].get<bool>();
    if (legacySplit) plan.splitScope = SplitScope::ShortcutAndConv1;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string& key = it.key();
        if (key == "format" || key == "version") continue;
        if (key == "preset") plan.preset = stringValue(*it, source, "key 'preset'");
        else if (key == "split_shortcuts") plan.splitShortcuts = boolValue(*it, source, "key 'split_shortcuts'");
        else if (key == "split_scope") {
            const std::string scope = stringValue(*it, source, "key 'split_scope'");
            if (scope == "shortcut") plan.splitScope = SplitScope::Shortcut;
            else if (scope == "shortcut_and_conv1") plan.splitScope = SplitScope::ShortcutAndConv1;
            else reject(source, "key 'split_scope'", "must be \"shortcut\" or \"shortcut_and_conv1\"");
        }
        else if (key == "relaxed_for_steps") {
            if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 100000)
                reject(source, "key 'relaxed_for_steps'", "must be a step count from 1 to 100000");
            plan.relaxedForSteps = static_cast<int>(it->get<int64_t>());
        }
        else if (key != "sites") reject(source, "key " + inQuotes(key), "is unknown");
    }
    if (!root.contains("sites") || !root["sites"].is_object()) reject(source, "key 'sites'", "must be an object");
    for (auto it = root["sites"].begin(); it != root["sites"].end(); ++it) {
        const std::string where = "site " + inQuotes(it.key(), 80);
        if (!it->is_object()) reject(source, where, "must be an object");
        SitePlan s;
        for (auto f = it->begin(); f != it->end(); ++f) {
            const std::string k = f.key();
            const std::string at = where + " key " + inQuotes(k);
            if (k == "enabled") s.enabled = boolValue(*f, source, at);
            else if (k == "weight_bits") s.weightBits = bitsValue(*f, source, at);
            else if (k == "activation_bits") s.activationBits = bitsValue(*f, source, at);
            else if (k == "weight_symmetric") s.weightSymmetric = boolValue(*f, source, at);
            else if (k == "activation_symmetric") s.activationSymmetric = boolValue(*f, source, at);
            else if (k == "per_step_activation") s.perStepActivation = boolValue(*f, source, at);
            else if (k == "weight_granularity") {
                const std::string g = stringValue(*f, source, at);
                if (g != "per_channel" && g != "per_tensor") reject(source, at, "must be per_channel or per_tensor");
                s.weightGranularity = g == "per_channel" ? Granularity::PerChannel : Granularity::PerTensor;
            } else if (k == "range_method") {
                const std::string name = stringValue(*f, source, at);
                try {
                    s.rangeMethod = parseRangeMethod(name);
                } catch (const Error&) {
                    reject(source, at, "is " + inQuotes(name) + "; use minmax, mse, percentile or running");
                }
            } else if (k == "step_activation_bits") {
                if (!f->is_object()) reject(source, at, "must map step indices to widths");
                for (auto o = f->begin(); o != f->end(); ++o) {
                    // Only plain digits: stoi would also take " 5" and "+5", which collide with "5".
                    const std::string& digits = o.key();
                    int step = -1;
                    if (!digits.empty() && digits.size() <= 6 &&
                        std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
                        step = std::stoi(digits);
                    if (step < 0 || step > 100000)
                        reject(source, at, "has step " + inQuotes(o.key()) + "; steps are indices 0, 1, ... up to 100000");
                    const int bits = bitsValue(*o, source, at + " step " + o.key());
                    if (bits == 0) reject(source, at + " step " + o.key(), "must be a width of 2..16 bits");
                    s.stepActivationBits[step] = bits;
                }
            } else {
                reject(source, at, "is unknown");
            }
        }
        plan.sites.emplace_back(it.key(), s);
    }
    return plan;
}

void QuantPlan::validateAgainst(const std::vector<SiteInfo>& modelSites, const std::string& source) const {
    std::set<std::string> known;
    for (const SiteInfo& site : modelSites) {
        known.insert(site.name);
        const SitePlan* s = find(site.name);
        if (!s) reject(source, "site " + inQuotes(site.name, 80), "is missing; the plan does not match this model");
        if (isAttentionOperand(site.kind) && s->weightBits != 0)
            reject(source, "site " + inQuotes(site.name, 80), "is an attention operand; its weight_bits must be 0");
    }
    for (const auto& [name, _] : sites)
        if (!known.count(name)) reject(source, "site " + inQuotes(name, 80), "does not exist in this model");
}

std::vector<std::string> presetNames() { return {"FP", "W8A8", "W4A8", "W4A16", "W8A16"}; }

QuantPlan makePresetPlan(const std::string& preset, const std::vector<SiteInfo>& sites, const PresetOptions& options) {
    int weightBits = 0, activationBits = 0;
    if (preset == "W8A8") weightBits = 8, activationBits = 8;
    else if (preset == "W4A8") weightBits = 4, activationBits = 8;
    else if (preset == "W4A16") weightBits = 4;
    else if (preset == "W8A16") weightBits = 8;
    else if (preset != "FP") throw Error("Unknown preset '" + preset + "'; use FP, W8A8, W4A8, W4A16 or W8A16.");
    QuantPlan plan;
    plan.preset = preset;
    plan.splitShortcuts = options.splitShortcuts;
    plan.splitScope = options.splitScope;
    if (sites.empty()) return plan;
    // "First and last layer" means the input and output convs (PTQ4DM), not
    // the time-embedding linears that run before conv_in.
    std::string first, last;
    for (const SiteInfo& site : sites)
        if (site.kind == SiteKind::Conv2d) {
            if (first.empty()) first = site.name;
            last = site.name;
        }
    for (const SiteInfo& site : sites) {
        SitePlan s;
        s.rangeMethod = options.rangeMethod;
        s.perStepActivation = options.perStepActivation;
        s.enabled = preset != "FP";
        if (isAttentionOperand(site.kind)) {
            s.weightBits = 0;
            s.activationBits = site.kind == SiteKind::AttentionProbs && options.softmaxBits > 0 && activationBits > 0
                                   ? options.softmaxBits
                                   : activationBits;
        } else {
            s.weightBits = weightBits;
            s.activationBits = activationBits;
            if (site.name == first || site.name == last) {
                if (options.firstLast == FirstLastPolicy::FullPrecision) s.enabled = false;
                if (options.firstLast == FirstLastPolicy::EightBit) {
                    if (s.weightBits) s.weightBits = 8;
                    if (s.activationBits) s.activationBits = 8;
                }
            }
        }
        if (s.weightBits == 0 && s.activationBits == 0) s.enabled = false;
        plan.sites.emplace_back(site.name, s);
    }
    return plan;
}

void relaxActivations(QuantPlan& plan, int steps, double fraction, int bits, bool lastSteps) {
    if (fraction <= 0) return;
    if (fraction > 1 || steps < 1) throw Error("Activation relaxing needs a fraction in (0, 1] and at least one step.");
    if (bits < 2 || bits > 16) throw Error("The relaxed activation width must be 2..16 bits, not " + std::to_string(bits) + ".");
    const int count = std::max(1, static_cast<int>(std::lround(fraction * steps)));
    plan.relaxedForSteps = steps;
    for (auto& [name, s] : plan.sites) {
        if (!s.quantizesActivation()) continue;
        for (int i = 0; i < count; ++i) s.stepActivationBits[lastSteps ? steps - 1 - i : i] = std::max(bits, s.activationBits);
    }
}

int activationBitsAt(const SitePlan& site, int step) {
    if (!site.quantizesActivation()) return 0;
    const auto relaxed = site.stepActivationBits.find(step);
    return relaxed != site.stepActivationBits.end() ? relaxed->second : site.activationBits;
}

ActivationWidthSummary summarizeActivationWidths(const QuantPlan& plan, int steps) {
    ActivationWidthSummary summary;
    summary.steps = std::max(1, plan.relaxedForSteps > 0 ? plan.relaxedForSteps : steps);
    double total = 0;
    for (const auto& [name, site] : plan.sites) {
        if (!site.quantizesActivation()) continue;
        ++summary.quantizedSites;
        for (int k = 0; k < summary.steps; ++k) total += activationBitsAt(site, k);
    }
    if (summary.quantizedSites > 0) summary.averageBits = total / (double(summary.quantizedSites) * summary.steps);
    return summary;
}

}  // namespace dq
