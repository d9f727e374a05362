#include "core/quant/calibrator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/unet2d.h"

namespace dq {

QuantizedUNet quantizeWeights(const UNet2DModel& model, const QuantPlan& plan) {
    plan.validateAgainst(model.sites(), "plan");
    const auto weights = model.stateDict();
    std::vector<SiteQuantState> states;
    for (const SiteInfo& site : model.sites()) {
        SiteQuantState st;
        st.site = site;
        st.plan = *plan.find(site.name);
        st.split = plan.splitShortcuts && site.splitChannels > 0 && !isAttentionOperand(site.kind) ? site.splitChannels : 0;
        if (st.plan.quantizesWeight() && !isAttentionOperand(site.kind)) {
            const torch::Tensor w = weights.at(site.name + ".weight").detach().to(torch::kCPU, torch::kFloat32);
            const std::size_t parts = st.split > 0 ? 2 : 1;
            for (std::size_t p = 0; p < parts; ++p) {
                const auto [from, to] = st.partChannels(p);
                const torch::Tensor slice = w.narrow(1, from, to - from).contiguous();
                const bool mse = st.plan.rangeMethod == RangeMethod::Mse;
                torch::Tensor lo, hi;
                if (st.plan.weightGranularity == Granularity::PerTensor) {
                    auto [l, h] = weightRanges(slice.reshape({1, -1}), st.plan.weightBits, st.plan.weightSymmetric, mse);
                    lo = l.expand({slice.size(0)}).contiguous();
                    hi = h.expand({slice.size(0)}).contiguous();
                } else {
                    std::tie(lo, hi) = weightRanges(slice, st.plan.weightBits, st.plan.weightSymmetric, mse);
                }
                st.weightParts.push_back(quantizePerChannel(slice, lo, hi, st.plan.weightBits, st.plan.weightSymmetric));
            }
        }
        states.push_back(std::move(st));
    }
    QuantizedUNet q(plan, std::move(states));
    q.to(model.device());
    return q;
}

namespace {

// What one activation quantizer (a site, or one half of a split site) saw in
// one bucket (all steps, or one calibration step).
struct RangeObservation {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double runningMin = 0, runningMax = 0;
    bool seen = false;
    torch::Tensor histogram;  // [bins] float64 over [min, max], second pass only
};

struct Slot {
    std::size_t site;  // index into QuantizedUNet::sites()
    std::size_t part;
    bool perStep;
    bool needsHistogram;
};

// Observes FP inputs of the weight-quantized network; passes weights on.
class RangeObserver : public Interceptor {
public:
    RangeObserver(QuantizedUNet& quantized, const std::vector<Slot>& slots, double momentum, int bins)
        : quantized_(quantized), slots_(slots), momentum_(momentum), bins_(bins) {
        for (std::size_t i = 0; i < slots.size(); ++i)
            bySite_[quantized.sites()[slots[i].site].site.name].push_back(i);
    }

    void setBucket(int stepBucket) { stepBucket_ = stepBucket; }
    void setHistogramPass(bool on) { histogramPass_ = on; }
    std::map<std::pair<std::size_t, int>, RangeObservation>& observations() { return observations_; }

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext&) override {
        auto it = bySite_.find(site.name);
        if (it == bySite_.end()) return input;
        const SiteQuantState& st = quantized_.sites()[slots_[it->second.front()].site];
        for (std::size_t slotIndex : it->second) {
            const Slot& slot = slots_[slotIndex];
            const auto [from, to] = st.partChannels(slot.part);
            const torch::Tensor x = st.split > 0 ? input.narrow(1, from, to - from) : input;
            RangeObservation& o = observations_[{slotIndex, slot.perStep ? stepBucket_ : 0}];
            if (!histogramPass_) {
                const double lo = x.min().item<double>(), hi = x.max().item<double>();
                o.min = std::min(o.min, lo);
                o.max = std::max(o.max, hi);
                o.runningMin = o.seen ? momentum_ * o.runningMin + (1 - momentum_) * lo : lo;
                o.runningMax = o.seen ? momentum_ * o.runningMax + (1 - momentum_) * hi : hi;
                o.seen = true;
            } else if (slot.needsHistogram && o.max > o.min) {
                const torch::Tensor h = torch::histc(x.to(torch::kFloat32), bins_, o.min, o.max).to(torch::kCPU, torch::kFloat64);
                o.histogram = o.histogram.defined() ? o.histogram + h : h;
            }
        }
        return input;
    }
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) override {
        return quantized_.onWeight(site, weight, step);
    }

private:
    QuantizedUNet& quantized_;
    const std::vector<Slot>& slots_;
    std::unordered_map<std::string, std::vector<std::size_t>> bySite_;
    std::map<std::pair<std::size_t, int>, RangeObservation> observations_;
    double momentum_;
    int bins_;
    int stepBucket_ = 0;
    bool histogramPass_ = false;
};

// Value below which `fraction` of the histogram's mass lies (linear within a bin).
double histogramQuantile(const torch::Tensor& histogram, double lo, double hi, double fraction) {
    const torch::Tensor cumulative = histogram.cumsum(0);
    const double total = cumulative[-1].item<double>();
    const double target = fraction * total;
    const auto c = cumulative.accessor<double, 1>();
    const int64_t bins = histogram.size(0);
    const double width = (hi - lo) / static_cast<double>(bins);
    for (int64_t b = 0; b < bins; ++b) {
        if (c[b] >= target) {
            const double before = b > 0 ? c[b - 1] : 0.0;
            const double inBin = c[b] - before;
            const double t = inBin > 0 ? (target - before) / inBin : 0.0;
            return lo + (static_cast<double>(b) + t) * width;
        }
    }
    return hi;
}

// Q-Diffusion's search, evaluated on the histogram: the clipping ratio whose
// grid gives the lowest Σ count·|c − Q(c)|^p over the bin centres c.
std::pair<double, double> mseSearch(const torch::Tensor& histogram, double lo, double hi, int bits, bool symmetric) {
    const int64_t bins = histogram.size(0);
    const double width = (hi - lo) / static_cast<double>(bins);
    const torch::Tensor centres = torch::arange(bins, torch::kFloat64).add(0.5).mul(width).add(lo);
    const IntegerRange r = integerRange(bits, symmetric);
    double bestError = std::numeric_limits<double>::infinity(), bestLo = lo, bestHi = hi;
    for (int i = 0; i < kClipRatioCount; ++i) {
        const double candLo = lo * clipRatio(i), candHi = hi * clipRatio(i);
        const AffineParams p = affineParams(candLo, candHi, bits, symmetric);
        const double scale = p.scale;
        const torch::Tensor q =
            (torch::round(centres / scale) + p.zeroPoint).clamp(static_cast<double>(r.qmin), static_cast<double>(r.qmax));
        const double error = ((q - p.zeroPoint) * scale - centres).abs().pow(kLpNorm).mul(histogram).sum().item<double>();
        if (error < bestError) {
            bestError = error;
            bestLo = candLo;
            bestHi = candHi;
        }
    }
    return {bestLo, bestHi};
}

std::pair<double, double> chooseRange(const RangeObservation& o, const SitePlan& plan, int bits,
                                      const CalibrationOptions& options) {
    switch (plan.rangeMethod) {
        case RangeMethod::MinMax: return {o.min, o.max};
        case RangeMethod::RunningMinMax: return {o.runningMin, o.runningMax};
        case RangeMethod::Percentile:
            if (!o.histogram.defined()) return {o.min, o.max};
            return {histogramQuantile(o.histogram, o.min, o.max, 1 - options.percentile / 100),
                    histogramQuantile(o.histogram, o.min, o.max, options.percentile / 100)};
        case RangeMethod::Mse:
            if (!o.histogram.defined()) return {o.min, o.max};
            return mseSearch(o.histogram, o.min, o.max, bits, plan.activationSymmetric);
    }
    return {o.min, o.max};
}

}  // namespace

QuantizedUNet calibrate(UNet2DModel& model, const QuantPlan& plan, const CalibrationData& data,
                        const CalibrationOptions& options, const ProgressCallbacks& callbacks) {
    c10::InferenceMode inference;
    QuantizedUNet quantized = quantizeWeights(model, plan);
    if (data.size() == 0) throw Error("The calibration data is empty.");
    const UNetConfig& config = model.config();
    if (config.isClassConditional() && !data.classLabels.defined())
        throw Error("The calibration data has no class labels but the model is class-conditional; collect it again.");

    std::vector<Slot> slots;
    auto& sites = quantized.sites();
    for (std::size_t i = 0; i < sites.size(); ++i) {
        SiteQuantState& st = sites[i];
        if (!st.plan.quantizesActivation()) continue;
        const bool histogram = st.plan.rangeMethod == RangeMethod::Mse || st.plan.rangeMethod == RangeMethod::Percentile;
        const std::size_t parts = st.split > 0 ? 2 : 1;
        for (std::size_t p = 0; p < parts; ++p) slots.push_back({i, p, st.plan.perStepActivation, histogram});
    }
    const bool anyHistogram = std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.needsHistogram; });

    // Batches never mix calibration steps, so per-step grids see their own step only.
    const torch::Tensor steps = std::get<0>(torch::_unique(data.stepIndex));
    std::vector<std::pair<int, torch::Tensor>> batches;  // (step index, rows)
    const int64_t rowsPerBatch = std::max<int64_t>(1, data.withNullClass ? options.batchSize / 2 : options.batchSize);
    for (int64_t k = 0; k < steps.size(0); ++k) {
        const int step = static_cast<int>(steps[k].item<int64_t>());
        const torch::Tensor rows = data.stepIndex.eq(step).nonzero().flatten();
        for (int64_t from = 0; from < rows.size(0); from += rowsPerBatch)
            batches.emplace_back(step, rows.narrow(0, from, std::min(rowsPerBatch, rows.size(0) - from)));
    }

    RangeObserver observer(quantized, slots, options.runningMomentum, options.histogramBins);
    Interceptor* previous = model.interceptor();
    struct Restore {
        UNet2DModel& model;
        Interceptor* previous;
        ~Restore() {
            model.setInterceptor(previous);
            model.setStep(StepContext{});
        }
    } restore{model, previous};
    model.setInterceptor(&observer);

    const torch::Device device = model.device();
    const int passes = anyHistogram ? 2 : 1;
    const int total = static_cast<int>(batches.size()) * passes;
    int done = 0;
    const int stepCount = static_cast<int>(data.trajectoryTimesteps.size());
    for (int pass = 0; pass < passes; ++pass) {
        observer.setHistogramPass(pass == 1);
        for (const auto& [step, rows] : batches) {
            if (callbacks.shouldCancel()) throw Cancelled();
            torch::Tensor x = data.samples.index_select(0, rows).to(device, torch::kFloat32);
            torch::Tensor t = data.timesteps.index_select(0, rows).to(device);
            torch::Tensor labels;
            if (config.isClassConditional()) labels = data.classLabels.index_select(0, rows).to(device);
            if (data.withNullClass && labels.defined()) {
                x = torch::cat({x, x});
                t = torch::cat({t, t});
                labels = torch::cat({labels, torch::full_like(labels, *config.nullClassLabel)});
            }
            observer.setBucket(step);
            model.setStep(StepContext{step, stepCount, data.trajectoryTimesteps.at(static_cast<std::size_t>(step))});
            model.forward(x, t, labels);
            callbacks.report(++done, total);
        }
    }

    // Turn observations into grids.
    auto& observations = observer.observations();
    for (std::size_t slotIndex = 0; slotIndex < slots.size(); ++slotIndex) {
        const Slot& slot = slots[slotIndex];
        SiteQuantState& st = sites[slot.site];
        const bool probs = st.site.kind == SiteKind::AttentionProbs;
        ActivationQuantizer quantizer;
        quantizer.symmetric = st.plan.activationSymmetric;
        auto makeGrid = [&](const RangeObservation& o, int64_t timestep, int bits) {
            auto [lo, hi] = chooseRange(o, st.plan, bits, options);  // the MSE search targets this grid's width
            if (probs) lo = 0.0;  // probabilities are ≥ 0: zero point 0
            ActivationGrid g;
            g.timestep = timestep;
            g.bits = bits;
            g.lo = static_cast<float>(lo);
            g.hi = static_cast<float>(hi);
            g.params = affineParams(g.lo, g.hi, bits, quantizer.symmetric);
            return g;
        };
        auto bitsAt = [&](int step) {
            auto it = st.plan.stepActivationBits.find(step);
            return it == st.plan.stepActivationBits.end() ? st.plan.activationBits : it->second;
        };
        if (slot.perStep) {
            for (int64_t k = 0; k < steps.size(0); ++k) {
                const int step = static_cast<int>(steps[k].item<int64_t>());
                quantizer.grids.push_back(makeGrid(observations.at({slotIndex, step}),
                                                   data.trajectoryTimesteps.at(static_cast<std::size_t>(step)),
                                                   bitsAt(step)));
            }
        } else if (st.plan.stepActivationBits.empty()) {
            quantizer.grids.push_back(makeGrid(observations.at({slotIndex, 0}), -1, st.plan.activationBits));
        } else {
            // One range, with the relaxed width on the overridden steps.
            for (int step = 0; step < stepCount; ++step)
                quantizer.grids.push_back(makeGrid(observations.at({slotIndex, 0}),
                                                   data.trajectoryTimesteps[static_cast<std::size_t>(step)], bitsAt(step)));
        }
        std::sort(quantizer.grids.begin(), quantizer.grids.end(),
                  [](const ActivationGrid& a, const ActivationGrid& b) { return a.timestep < b.timestep; });
        st.activationParts.push_back(std::move(quantizer));
    }
    quantized.setActivationQuantization(true);
    return quantized;
}

}  // namespace dq
