#include "core/quant/progressive_calibration.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/quant/range_observer.h"

namespace dq {

namespace {

// Fits and applies each step's grids as the sampler reaches them.
class ProgressiveFitter : public Interceptor {
public:
    ProgressiveFitter(QuantizedUNet& quantized, const ProgressiveOptions& options)
        : quantized_(quantized), options_(options) {}

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override {
        SiteQuantState* st = find(site.name);
        if (!st || !st->plan.quantizesActivation()) return input;
        if (step.stepIndex < 0) throw Error("Progressive calibration needs a sampling step context.");
        const std::size_t parts = st->split > 0 ? 2 : 1;
        if (st->activationParts.size() != parts) {
            st->activationParts.assign(parts, ActivationQuantizer{});
            for (ActivationQuantizer& q : st->activationParts) q.symmetric = st->plan.activationSymmetric;
        }
        auto bits = st->plan.activationBits;
        if (auto it = st->plan.stepActivationBits.find(step.stepIndex); it != st->plan.stepActivationBits.end())
            bits = it->second;
        const bool histogram = st->plan.rangeMethod == RangeMethod::Mse || st->plan.rangeMethod == RangeMethod::Percentile;
        for (std::size_t p = 0; p < parts; ++p) {
            ActivationQuantizer& q = st->activationParts[p];
            const bool fitted = std::any_of(q.grids.begin(), q.grids.end(),
                                            [&](const ActivationGrid& g) { return g.timestep == step.timestep; });
            if (fitted) continue;  // the grid of this step already exists (e.g. guidance's second half)
            const auto [from, to] = st->partChannels(p);
            const torch::Tensor x = st->split > 0 ? input.narrow(1, from, to - from) : input;
            RangeObservation o;
            const auto [lo, hi] = torch::aminmax(x);
            o.min = o.runningMin = lo.item<double>();
            o.max = o.runningMax = hi.item<double>();
            o.seen = true;
            if (histogram && o.max > o.min)
                o.histogram = torch::histc(x.to(torch::kFloat32), options_.histogramBins, o.min, o.max)
                                  .to(torch::kCPU, torch::kFloat64);
            auto [glo, ghi] = chooseActivationRange(o, st->plan, bits, options_.fit);
            if (site.kind == SiteKind::AttentionProbs) glo = 0.0;
            ActivationGrid g;
            g.timestep = step.timestep;
            g.bits = bits;
            g.lo = static_cast<float>(glo);
            g.hi = static_cast<float>(ghi);
            g.params = affineParams(g.lo, g.hi, bits, q.symmetric);
            q.grids.push_back(g);
        }
        return quantizeInput(*st, input, step.timestep);
    }

    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) override {
        return quantized_.onWeight(site, weight, step);
    }

private:
    SiteQuantState* find(const std::string& name) {
        const SiteQuantState* st = quantized_.find(name);
        return const_cast<SiteQuantState*>(st);
    }
    QuantizedUNet& quantized_;
    const ProgressiveOptions& options_;
};

}  // namespace

void calibrateProgressively(Denoiser& model, const SchedulerConfig& scheduler, QuantizedUNet& quantized,
                            const SampleRequest& trajectory, const ProgressiveOptions& options,
                            const ProgressCallbacks& callbacks) {
    // Work on a copy: a cancel leaves `quantized` as it was.
    QuantizedUNet working = quantized;
    for (SiteQuantState& st : working.sites()) st.activationParts.clear();
    ProgressiveFitter fitter(working, options);
    ModelStateGuard guard(model);
    model.setInterceptor(&fitter);
    SampleCallbacks cb;
    cb.progress = callbacks.progress;
    cb.cancelled = callbacks.cancelled;
    callbacks.beginStage("progressive");
    runSampler(model, scheduler, trajectory, cb);
    for (SiteQuantState& st : working.sites())
        for (ActivationQuantizer& q : st.activationParts)
            std::sort(q.grids.begin(), q.grids.end(),
                      [](const ActivationGrid& a, const ActivationGrid& b) { return a.timestep < b.timestep; });
    quantized = std::move(working);
}

}  // namespace dq
