#include "core/quant/range_observer.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/quant/calibration_batches.h"

namespace dq {

std::vector<ObserverSlot> activationSlots(const QuantizedUNet& quantized) {
    std::vector<ObserverSlot> slots;
    const auto& sites = quantized.sites();
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const SiteQuantState& st = sites[i];
        if (!st.plan.quantizesActivation()) continue;
        const bool histogram = st.plan.rangeMethod == RangeMethod::Mse || st.plan.rangeMethod == RangeMethod::Percentile;
        const std::size_t parts = st.split > 0 ? 2 : 1;
        for (std::size_t p = 0; p < parts; ++p) slots.push_back({i, p, st.plan.perStepActivation, histogram});
    }
    return slots;
}

RangeObserver::RangeObserver(const QuantizedUNet& quantized, std::vector<ObserverSlot> slots, double momentum, int bins)
    : quantized_(quantized), slots_(std::move(slots)), momentum_(momentum), bins_(bins) {
    for (std::size_t i = 0; i < slots_.size(); ++i) bySite_[quantized.sites()[slots_[i].site].site.name].push_back(i);
}

torch::Tensor RangeObserver::onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) {
    auto it = bySite_.find(site.name);
    if (it != bySite_.end()) {
        const SiteQuantState& st = quantized_.sites()[slots_[it->second.front()].site];
        for (std::size_t slotIndex : it->second) {
            const ObserverSlot& slot = slots_[slotIndex];
            const auto [from, to] = st.partChannels(slot.part);
            const torch::Tensor x = st.split > 0 ? input.narrow(1, from, to - from) : input;
            RangeObservation& o = observations_[{slotIndex, slot.perStep ? stepBucket_ : 0}];
            if (!histogramPass_) {
                const auto [minT, maxT] = torch::aminmax(x);
                const double lo = minT.item<double>(), hi = maxT.item<double>();
                o.min = std::min(o.min, lo);
                o.max = std::max(o.max, hi);
                o.runningMin = o.seen ? momentum_ * o.runningMin + (1 - momentum_) * lo : lo;
                o.runningMax = o.seen ? momentum_ * o.runningMax + (1 - momentum_) * hi : hi;
                o.seen = true;
            } else if (slot.needsHistogram && o.max > o.min) {
                const torch::Tensor h =
                    torch::histc(x.to(torch::kFloat32), bins_, o.min, o.max).to(torch::kCPU, torch::kFloat64);
                o.histogram = o.histogram.defined() ? o.histogram + h : h;
            }
        }
    }
    return upstream_ ? upstream_->onInput(site, input, step) : input;
}

torch::Tensor RangeObserver::onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) {
    return upstream_ ? upstream_->onWeight(site, weight, step) : weight;
}

std::vector<int> observeRanges(Denoiser& model, RangeObserver& observer, const CalibrationData& data, int batchSize,
                               const ProgressCallbacks& callbacks) {
    const auto& slots = observer.slots();
    const bool histograms = std::any_of(slots.begin(), slots.end(), [](const ObserverSlot& s) { return s.needsHistogram; });
    const auto batches = calibrationBatchRows(data, batchSize);
    const int passes = histograms ? 2 : 1;
    const int total = static_cast<int>(batches.size()) * passes;
    ModelStateGuard guard(model);
    model.setInterceptor(&observer);
    for (int pass = 0; pass < passes; ++pass) {
        observer.setHistogramPass(pass == 1);
        forEachCalibrationBatch(
            model, data, batches,
            [&](const CalibrationBatch& b) {
                observer.setBucket(b.stepIndex);
                model.forward(b.x, b.t, b.condition);
            },
            callbacks, pass * static_cast<int>(batches.size()), total);
    }
    std::vector<int> observedSteps;
    for (const auto& [step, rows] : batches)
        if (observedSteps.empty() || observedSteps.back() != step) observedSteps.push_back(step);
    return observedSteps;
}

}  // namespace dq
