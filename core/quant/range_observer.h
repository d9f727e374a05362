#pragma once
// Observers of activation ranges: what each activation quantizer (a site, or
// one half of a split site) sees during calibration, per step bucket. The
// first pass records min/max (and running min/max); the second, when a range
// method needs it, a histogram over the first pass's range.
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

#include "core/callbacks.h"
#include "core/model/interceptor.h"
#include "core/quant/quantized_unet.h"

namespace dq {

class Denoiser;
struct CalibrationData;

struct RangeObservation {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double runningMin = 0, runningMax = 0;
    bool seen = false;
    torch::Tensor histogram;  // [bins] float64 over [min, max], second pass only
};

// One activation quantizer to observe.
struct ObserverSlot {
    std::size_t site;  // index into QuantizedUNet::sites()
    std::size_t part;  // 0, or 1 for the skip half of a split site
    bool perStep;      // one observation per calibration step (PCR) instead of one for all
    bool needsHistogram;
};

// The slots of every quantized activation of `quantized`, in site order.
std::vector<ObserverSlot> activationSlots(const QuantizedUNet& quantized);

// Observes the inputs of the sites it has slots for. Weights are passed to
// `weights` (the quantized network being calibrated), activations pass
// through unchanged unless `activations` is given (then the observed input is
// the one that quantizer produces for earlier sites: progressive calibration
// installs the already-fitted quantizers there).
class RangeObserver : public Interceptor {
public:
    RangeObserver(const QuantizedUNet& quantized, std::vector<ObserverSlot> slots, double momentum, int bins);

    void setBucket(int stepBucket) { stepBucket_ = stepBucket; }
    void setHistogramPass(bool on) { histogramPass_ = on; }
    // Forward weights (and, if set, activations) to this interceptor.
    void setUpstream(Interceptor* upstream) { upstream_ = upstream; }

    const std::vector<ObserverSlot>& slots() const { return slots_; }
    // (slot index, bucket) → observation; bucket 0 for shared grids.
    std::map<std::pair<std::size_t, int>, RangeObservation>& observations() { return observations_; }

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override;
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) override;

private:
    const QuantizedUNet& quantized_;
    std::vector<ObserverSlot> slots_;
    std::unordered_map<std::string, std::vector<std::size_t>> bySite_;
    std::map<std::pair<std::size_t, int>, RangeObservation> observations_;
    Interceptor* upstream_ = nullptr;
    double momentum_;
    int bins_;
    int stepBucket_ = 0;
    bool histogramPass_ = false;
};

// Runs every calibration batch through `model` with `observer` installed: one
// pass, or two when a slot needs a histogram (the second over the first's
// range). The model's interception state is restored afterwards. Progress
// counts batches over both passes. Returns the step buckets observed, in order.
std::vector<int> observeRanges(Denoiser& model, RangeObserver& observer, const CalibrationData& data, int batchSize,
                               const ProgressCallbacks& callbacks);

}  // namespace dq
