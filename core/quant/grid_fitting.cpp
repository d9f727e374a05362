#include "core/quant/grid_fitting.h"

#include <algorithm>
#include <limits>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/stats/histogram_quantile.h"

namespace dq {

namespace {

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

}  // namespace

std::pair<double, double> chooseActivationRange(const RangeObservation& o, const SitePlan& plan, int bits,
                                                const GridFitOptions& options) {
    switch (plan.rangeMethod) {
        case RangeMethod::MinMax: return {o.min, o.max};
        case RangeMethod::RunningMinMax: return {o.runningMin, o.runningMax};
        case RangeMethod::Percentile: {
            if (!o.histogram.defined()) return {o.min, o.max};
            const double width = (o.max - o.min) / static_cast<double>(o.histogram.size(0));
            return {histogramQuantile(o.histogram, o.min, width, 1 - options.percentile / 100),
                    histogramQuantile(o.histogram, o.min, width, options.percentile / 100)};
        }
        case RangeMethod::Mse:
            if (!o.histogram.defined()) return {o.min, o.max};
            return mseSearch(o.histogram, o.min, o.max, bits, plan.activationSymmetric);
    }
    return {o.min, o.max};
}

void fitGrids(QuantizedUNet& quantized, const std::vector<ObserverSlot>& slots,
              const std::map<std::pair<std::size_t, int>, RangeObservation>& observations,
              const std::vector<int64_t>& trajectoryTimesteps, const std::vector<int>& observedSteps,
              const GridFitOptions& options) {
    auto& sites = quantized.sites();
    for (const ObserverSlot& slot : slots) sites[slot.site].activationParts.clear();
    const int stepCount = static_cast<int>(trajectoryTimesteps.size());
    for (std::size_t slotIndex = 0; slotIndex < slots.size(); ++slotIndex) {
        const ObserverSlot& slot = slots[slotIndex];
        SiteQuantState& st = sites[slot.site];
        const bool probs = st.site.kind == SiteKind::AttentionProbs;
        ActivationQuantizer quantizer;
        quantizer.symmetric = st.plan.activationSymmetric;
        auto observation = [&](int bucket) -> const RangeObservation& {
            auto it = observations.find({slotIndex, bucket});
            if (it == observations.end() || !it->second.seen)
                throw Error("Calibration never reached site '" + st.site.name + "'" +
                            (slot.perStep ? " at step " + std::to_string(bucket) : std::string()) +
                            "; check that the calibration data covers every step.");
            return it->second;
        };
        auto makeGrid = [&](const RangeObservation& o, int64_t timestep, int bits) {
            auto [lo, hi] = chooseActivationRange(o, st.plan, bits, options);  // searched at this grid's width
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
            for (int step : observedSteps)
                quantizer.grids.push_back(
                    makeGrid(observation(step), trajectoryTimesteps.at(static_cast<std::size_t>(step)), bitsAt(step)));
        } else if (st.plan.stepActivationBits.empty()) {
            quantizer.grids.push_back(makeGrid(observation(0), -1, st.plan.activationBits));
        } else {
            // One range, with the relaxed width on the overridden steps.
            for (int step = 0; step < stepCount; ++step)
                quantizer.grids.push_back(
                    makeGrid(observation(0), trajectoryTimesteps[static_cast<std::size_t>(step)], bitsAt(step)));
        }
        std::sort(quantizer.grids.begin(), quantizer.grids.end(),
                  [](const ActivationGrid& a, const ActivationGrid& b) { return a.timestep < b.timestep; });
        st.activationParts.push_back(std::move(quantizer));
    }
}

}  // namespace dq
