#include "core/analysis/sensitivity.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/metrics/image_quality.h"
#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/quant/calibration_batches.h"
#include "core/quant/range_observer.h"
#include "core/quant/weight_rounding.h"

namespace dq {

namespace {

// Switches precomputed quantizers on per site: weight and activation of each
// site come from any of the width variants, or stay FP.
class SiteMix : public Interceptor {
public:
    explicit SiteMix(const std::vector<SiteInfo>& sites) {
        for (std::size_t i = 0; i < sites.size(); ++i) index_[sites[i].name] = i;
        weights_.assign(sites.size(), nullptr);
        activations_.assign(sites.size(), nullptr);
    }
    void clear() {
        std::fill(weights_.begin(), weights_.end(), nullptr);
        std::fill(activations_.begin(), activations_.end(), nullptr);
    }
    void setWeight(std::size_t site, const SiteQuantState* state) { weights_[site] = state; }
    void setActivation(std::size_t site, const SiteQuantState* state) { activations_[site] = state; }

    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext&) override {
        const SiteQuantState* s = weights_[index_.at(site.name)];
        return s && s->effectiveWeight.defined() ? s->effectiveWeight : weight;
    }
    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override {
        const SiteQuantState* s = activations_[index_.at(site.name)];
        return s && !s->activationParts.empty() ? quantizeInput(*s, input, step.timestep) : input;
    }

private:
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<const SiteQuantState*> weights_;
    std::vector<const SiteQuantState*> activations_;
};

// Inputs of one evaluation forward pass, with the measured step of each input.
struct EvaluationBatch {
    torch::Tensor x, t;
    Conditioning condition;
    torch::Tensor stepOf;  // [B] int64 index into the measured steps (CPU)
    StepContext step;      // the batch's step (stepIndex −1 when it mixes steps)
    torch::Tensor reference;  // FP output, float64
};

// Concatenates batches and cuts them into batches of at most `size` inputs.
std::vector<EvaluationBatch> mergeBatches(const std::vector<EvaluationBatch>& batches, int size) {
    auto cat = [&](torch::Tensor EvaluationBatch::*member) {
        std::vector<torch::Tensor> parts;
        for (const EvaluationBatch& b : batches)
            if ((b.*member).defined()) parts.push_back(b.*member);
        return parts.empty() ? torch::Tensor() : torch::cat(parts);
    };
    const torch::Tensor x = cat(&EvaluationBatch::x), t = cat(&EvaluationBatch::t), stepOf = cat(&EvaluationBatch::stepOf);
    std::vector<Conditioning> conditions;
    for (const EvaluationBatch& b : batches) conditions.push_back(b.condition);
    const Conditioning condition = Conditioning::cat(conditions);
    std::vector<EvaluationBatch> merged;
    for (int64_t from = 0; from < x.size(0); from += size) {
        const int64_t n = std::min<int64_t>(size, x.size(0) - from);
        merged.push_back({x.narrow(0, from, n), t.narrow(0, from, n), condition.narrow(from, n),
                          stepOf.narrow(0, from, n), StepContext{-1, batches.front().step.stepCount, -1}, {}});
    }
    return merged;
}

// The base plan with every site switched on at one width for one operand and
// the other operand in FP; relaxing is dropped (the sweep measures widths).
QuantPlan uniformPlan(const QuantPlan& base, const std::vector<SiteInfo>& sites, bool weights, int bits) {
    QuantPlan plan = base;
    plan.relaxedForSteps = 0;
    for (std::size_t i = 0; i < plan.sites.size(); ++i) {
        SitePlan& site = plan.sites[i].second;
        site.enabled = true;
        site.weightBits = weights && !isAttentionOperand(sites[i].kind) ? bits : 0;
        site.activationBits = weights ? 0 : bits;
        site.stepActivationBits.clear();
    }
    return plan;
}

// The most common width of an operand among the base plan's quantized sites.
int commonWidth(const QuantPlan& plan, bool weights) {
    std::map<int, int> counts;
    for (const auto& [name, site] : plan.sites)
        if (weights ? site.quantizesWeight() : site.quantizesActivation())
            ++counts[weights ? site.weightBits : site.activationBits];
    int best = 0, bestCount = 0;
    for (const auto& [bits, count] : counts)
        if (count > bestCount) best = bits, bestCount = count;
    return best;
}

void checkWidths(const std::vector<int>& widths, const char* what) {
    if (widths.empty()) throw Error(std::string("Give at least one ") + what + " width to measure.");
    for (int w : widths)
        if (w < 2 || w > 16) throw Error(std::string("A ") + what + " width of " + std::to_string(w) + " bits cannot be measured; use 2 to 16.");
}

}  // namespace

SensitivityReport measureSensitivity(Denoiser& model, const SchedulerConfig& scheduler, const QuantPlan& basePlan,
                                     const CalibrationData& data, const SensitivityOptions& options,
                                     const ProgressCallbacks& callbacks) {
    const auto start = std::chrono::steady_clock::now();
    checkCalibrationData(model, data);
    basePlan.validateAgainst(model.sites(), "plan");
    checkWidths(options.weightWidths, "weight");
    checkWidths(options.activationWidths, "activation");
    if (options.rowsPerStep < 1) throw Error("Measure at least one input per calibration step.");
    const std::vector<SiteInfo>& sites = model.sites();
    ModelStateGuard guard(model);

    SensitivityReport report;
    report.basePlan = basePlan;
    report.baseWeightBits = commonWidth(basePlan, true);
    report.baseActivationBits = commonWidth(basePlan, false);
    report.weightWidths = options.weightWidths;
    report.activationWidths = options.activationWidths;
    std::sort(report.weightWidths.begin(), report.weightWidths.end());
    report.weightWidths.erase(std::unique(report.weightWidths.begin(), report.weightWidths.end()), report.weightWidths.end());
    std::sort(report.activationWidths.begin(), report.activationWidths.end());
    report.activationWidths.erase(std::unique(report.activationWidths.begin(), report.activationWidths.end()),
                                  report.activationWidths.end());

    // Width variants needed: the swept widths and each site's base width.
    std::set<int> weightVariants(report.weightWidths.begin(), report.weightWidths.end());
    std::set<int> activationVariants(report.activationWidths.begin(), report.activationWidths.end());
    for (const auto& [name, site] : basePlan.sites) {
        if (site.quantizesWeight()) weightVariants.insert(site.weightBits);
        if (site.quantizesActivation()) activationVariants.insert(site.activationBits);
    }

    // 1. Observe activation ranges once on the FP network.
    const QuantPlan observedPlan = uniformPlan(basePlan, sites, false, *activationVariants.begin());
    QuantizedUNet observed = quantizeWeights(model, observedPlan);
    const std::vector<ObserverSlot> slots = activationSlots(observed);
    RangeObserver observer(observed, slots, options.calibration.runningMomentum, options.calibration.histogramBins);
    callbacks.beginStage("observe");
    const std::vector<int> observedSteps =
        observeRanges(model, observer, data, options.calibration.batchSize, callbacks);

    // 2. Grids at every width from the same observations; weights per width.
    GridFitOptions fit;
    fit.percentile = options.calibration.percentile;
    std::map<int, QuantizedUNet> activationAt, weightAt;
    for (int bits : activationVariants) {
        QuantizedUNet q = quantizeWeights(model, uniformPlan(basePlan, sites, false, bits));
        fitGrids(q, slots, observer.observations(), data.trajectoryTimesteps, observedSteps, fit);
        activationAt.emplace(bits, std::move(q));
    }
    for (int bits : weightVariants) weightAt.emplace(bits, quantizeWeights(model, uniformPlan(basePlan, sites, true, bits)));
    auto stateOf = [&](std::map<int, QuantizedUNet>& variants, int bits, std::size_t site) {
        return &variants.at(bits).sites().at(site);
    };

    // 3. The evaluation inputs, built once, and their FP references.
    const int64_t dataSteps = std::get<0>(torch::_unique(data.stepIndex)).size(0);
    const auto stepBatches = calibrationBatchRows(data, options.calibration.batchSize, options.rowsPerStep * dataSteps);
    std::vector<int> measuredSteps;  // calibration step index of each measured step, in order
    for (const auto& [step, rows] : stepBatches)
        if (measuredSteps.empty() || measuredSteps.back() != step) measuredSteps.push_back(step);
    for (int step : measuredSteps) report.timesteps.push_back(data.trajectoryTimesteps.at(static_cast<std::size_t>(step)));
    const int stepCount = static_cast<int>(data.trajectoryTimesteps.size());
    std::vector<EvaluationBatch> evaluation;
    for (const auto& [step, rows] : stepBatches) {
        const CalibrationBatch b = makeCalibrationBatch(model, data, step, rows);
        const auto measured = std::find(measuredSteps.begin(), measuredSteps.end(), step) - measuredSteps.begin();
        evaluation.push_back({b.x, b.t, b.condition, torch::full({b.x.size(0)}, static_cast<int64_t>(measured), torch::kInt64),
                              StepContext{step, stepCount, data.trajectoryTimesteps[static_cast<std::size_t>(step)]}, {}});
    }
    // Shared grids do not depend on the step, so batches may then mix steps
    // and be fewer and larger; the forward passes are the cost either way.
    const bool perStepGrids = std::any_of(slots.begin(), slots.end(), [](const ObserverSlot& s) { return s.perStep; });
    if (!perStepGrids) evaluation = mergeBatches(evaluation, options.calibration.batchSize);
    torch::Tensor referencePower = torch::zeros({static_cast<int64_t>(measuredSteps.size())}, torch::kFloat64);
    for (EvaluationBatch& e : evaluation) {
        if (callbacks.shouldCancel()) throw Cancelled();
        model.setStep(e.step);
        e.reference = model.forward(e.x, e.t, e.condition).to(torch::kFloat64);
        referencePower.index_add_(0, e.stepOf, e.reference.pow(2).flatten(1).sum(1).cpu());
        report.inputs += e.x.size(0);
    }

    torch::Tensor fpImages;
    SampleRequest sampling = options.sampling;
    if (options.sampleImages > 0) {
        sampling.batch = options.sampleImages;
        sampling.initialNoise = makeInitialNoise(model, options.sampleImages, sampling.seed);
        fpImages = runSampler(model, scheduler, sampling).samples;
    }

    // 4. Configurations.
    SiteMix mix(sites);
    int configurations = 2;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const bool hasWeight = !isAttentionOperand(sites[i].kind);
        configurations += static_cast<int>(report.activationWidths.size()) + (options.allBut ? 1 : 0);
        if (hasWeight) configurations += static_cast<int>(report.weightWidths.size()) + (options.allBut ? 1 : 0);
    }
    if (!options.allBut || report.baseWeightBits == 0) configurations -= static_cast<int>(std::count_if(
        sites.begin(), sites.end(), [&](const SiteInfo& s) { return options.allBut && !isAttentionOperand(s.kind); }));
    if (options.allBut && report.baseActivationBits == 0) configurations -= static_cast<int>(sites.size());
    int done = 0;
    callbacks.beginStage("sensitivity");
    auto measure = [&](const std::string& what) {
        callbacks.reportDetail(what);
        if (callbacks.shouldCancel()) throw Cancelled();
        model.setInterceptor(&mix);
        ErrorMeasure m;
        torch::Tensor error = torch::zeros_like(referencePower);
        for (const EvaluationBatch& e : evaluation) {
            if (callbacks.shouldCancel()) throw Cancelled();
            model.setStep(e.step);
            const torch::Tensor out = model.forward(e.x, e.t, e.condition).to(torch::kFloat64);
            error.index_add_(0, e.stepOf, (out - e.reference).pow(2).flatten(1).sum(1).cpu());
        }
        const torch::Tensor perStep = error / referencePower.clamp_min(1e-30);
        m.perStepNmse.assign(perStep.data_ptr<double>(), perStep.data_ptr<double>() + perStep.numel());
        m.meanNmse = perStep.mean().item<double>();
        if (!std::isfinite(m.meanNmse))
            throw Error("The quantized network's output became non-finite while measuring " + what +
                        "; the calibration data or the model holds values the grids cannot represent.");
        if (options.sampleImages > 0) {
            const torch::Tensor images = runSampler(model, scheduler, sampling).samples;
            m.samplePsnrDb = pairedMetrics((fpImages.clamp(-1, 1) + 1) / 2, (images.clamp(-1, 1) + 1) / 2).psnr;
        }
        model.setInterceptor(nullptr);
        callbacks.report(++done, configurations);
        return m;
    };
    auto setBase = [&](bool weights, std::size_t except) {
        mix.clear();
        for (std::size_t i = 0; i < sites.size(); ++i) {
            if (i == except) continue;
            const SitePlan& p = *basePlan.find(sites[i].name);
            if (weights && p.quantizesWeight() && !isAttentionOperand(sites[i].kind))
                mix.setWeight(i, stateOf(weightAt, p.weightBits, i));
            if (!weights && p.quantizesActivation()) mix.setActivation(i, stateOf(activationAt, p.activationBits, i));
        }
    };
    const std::size_t none = sites.size();
    setBase(true, none);
    report.allWeights = measure("every weight at its base width");
    setBase(false, none);
    report.allActivations = measure("every activation at its base width");

    for (std::size_t i = 0; i < sites.size(); ++i) {
        const SiteInfo& site = sites[i];
        SiteSensitivity s;
        s.name = site.name;
        s.block = site.block;
        s.kind = siteKindName(site.kind);
        if (!isAttentionOperand(site.kind)) {
            s.weightCount = 1;
            for (int64_t d : site.weightShape) s.weightCount *= d;
            s.outputChannels = site.weightShape.empty() ? 0 : site.weightShape[0];
            s.weightParts = weightAt.begin()->second.sites()[i].weightParts.size() > 1 ? 2 : 1;
            OperandSensitivity w;
            for (int bits : report.weightWidths) {
                mix.clear();
                mix.setWeight(i, stateOf(weightAt, bits, i));
                w.alone[bits] = measure(site.name + " weight at " + std::to_string(bits) + " bits");
            }
            if (options.allBut && report.baseWeightBits > 0) {
                setBase(true, i);
                w.allBut = measure("every weight but " + site.name);
            }
            s.weight = std::move(w);
        }
        for (int bits : report.activationWidths) {
            mix.clear();
            mix.setActivation(i, stateOf(activationAt, bits, i));
            s.activation.alone[bits] = measure(site.name + " activation at " + std::to_string(bits) + " bits");
        }
        if (options.allBut && report.baseActivationBits > 0) {
            setBase(false, i);
            s.activation.allBut = measure("every activation but " + site.name);
        }
        report.sites.push_back(std::move(s));
    }
    report.sampleImages = options.sampleImages;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace dq
