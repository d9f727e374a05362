#pragma once
// The quantization plan: per site, what is quantized and how. Plain data with a
// JSON form and no torch types, so the GUI edits it directly.
#include <map>
#include <string>
#include <vector>

#include "core/model/model_summary.h"

namespace dq {

enum class RangeMethod { MinMax, Mse, Percentile, RunningMinMax };
const char* rangeMethodName(RangeMethod method);
RangeMethod parseRangeMethod(const std::string& name);  // throws dq::Error naming the value

enum class Granularity { PerTensor, PerChannel };

// Which decoder convs that consume cat(h, skip) get split quantization (one
// grid per half). Q-Diffusion splits only the shortcut conv, whose input is the
// raw concatenation; conv1 sees it after GroupNorm and SiLU.
enum class SplitScope { Shortcut, ShortcutAndConv1 };
const char* splitScopeName(SplitScope scope);  // "shortcut" | "shortcut_and_conv1"

struct SitePlan {
    bool enabled = true;
    // 0 leaves that operand in floating point. Attention operands have no
    // weight; their activation width is the operand's width.
    int weightBits = 8;
    int activationBits = 8;
    Granularity weightGranularity = Granularity::PerChannel;
    bool weightSymmetric = true;
    bool activationSymmetric = false;
    RangeMethod rangeMethod = RangeMethod::MinMax;
    // PCR: one activation scale/zero point per sampling step instead of one.
    bool perStepActivation = false;
    // PCR's activation relaxing: sampling-step index → activation width.
    std::map<int, int> stepActivationBits;

    bool quantizesWeight() const { return enabled && weightBits > 0; }
    bool quantizesActivation() const { return enabled && activationBits > 0; }
    bool operator==(const SitePlan& other) const;
};

struct QuantPlan {
    std::string preset;          // informational: "W8A8", "custom", ...
    bool splitShortcuts = false;  // Q-Diffusion's split quantization of cat(h, skip) inputs
    SplitScope splitScope = SplitScope::Shortcut;
    // The sampling-step count stepActivationBits was made for (0: not relaxed
    // by relaxActivations). Calibration rejects a trajectory of another length
    // instead of silently remapping the relaxed steps.
    int relaxedForSteps = 0;
    std::vector<std::pair<std::string, SitePlan>> sites;  // model execution order

    const SitePlan* find(const std::string& site) const;
    SitePlan* find(const std::string& site);

    std::string toJson() const;
    // Parses a plan; unknown keys and out-of-range values are errors naming
    // `source`, the site and the key.
    static QuantPlan fromJson(const std::string& text, const std::string& source);
    // Throws unless the plan names exactly the model's sites.
    void validateAgainst(const std::vector<SiteInfo>& sites, const std::string& source) const;
    bool operator==(const QuantPlan& other) const;
};

// Whether `plan` quantizes the two halves of `site`'s input separately.
bool splitsSite(const QuantPlan& plan, const SiteInfo& site);

enum class FirstLastPolicy { SameAsRest, EightBit, FullPrecision };

struct PresetOptions {
    RangeMethod rangeMethod = RangeMethod::MinMax;
    bool splitShortcuts = false;
    SplitScope splitScope = SplitScope::Shortcut;
    int softmaxBits = 0;  // 0: the preset's activation width
    FirstLastPolicy firstLast = FirstLastPolicy::SameAsRest;
    bool perStepActivation = false;
};

// "FP", "W8A8", "W4A8", "W4A16", "W8A16". A16 means activations stay in
// floating point (weight-only quantization).
QuantPlan makePresetPlan(const std::string& preset, const std::vector<SiteInfo>& sites,
                         const PresetOptions& options = {});
std::vector<std::string> presetNames();

// The average activation width a plan uses over `steps` sampling steps: the
// mean over quantized activation sites and steps, relaxed steps at their
// relaxed width (what the Quantization panel shows live while relaxing is
// edited, and the layer x step width map plots). A relaxed plan's widths are
// keyed by step index for the step count it was relaxed for, so it is
// summarised over that count (`steps` is used only for plans not relaxed);
// sampling it with another count is an error (calibrator.cpp).
struct ActivationWidthSummary {
    double averageBits = 0;
    int quantizedSites = 0;
    int steps = 0;
};
ActivationWidthSummary summarizeActivationWidths(const QuantPlan& plan, int steps);
// The width of one site's activations at sampling step `step` (0: FP).
int activationBitsAt(const SitePlan& site, int step);

// PCR's activation relaxing: raises every activation site to `bits` on the
// first or last `fraction` of `steps` sampling steps.
void relaxActivations(QuantPlan& plan, int steps, double fraction, int bits, bool lastSteps);

}  // namespace dq
