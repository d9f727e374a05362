#pragma once
// Turns range observations into activation grids: min/max, running min/max,
// percentile, or Q-Diffusion's Lp search over clipping ratios, at each grid's
// own width (relaxed steps get a wider grid over the same range).
#include <cstdint>
#include <vector>

#include "core/quant/range_observer.h"

namespace dq {

struct GridFitOptions {
    double percentile = 99.99;  // two-sided: clip below 100 − p and above p (percent)
};

// The clipping range chosen for one observation (histogram needed for
// percentile and MSE; without one, min/max).
std::pair<double, double> chooseActivationRange(const RangeObservation& observation, const SitePlan& plan, int bits,
                                                const GridFitOptions& options);

// Fits the activation quantizers of every slot into `quantized` (replacing
// existing ones). `trajectoryTimesteps` maps step buckets to timesteps;
// `observedSteps` lists the buckets per-step slots were observed in.
void fitGrids(QuantizedUNet& quantized, const std::vector<ObserverSlot>& slots,
              const std::map<std::pair<std::size_t, int>, RangeObservation>& observations,
              const std::vector<int64_t>& trajectoryTimesteps, const std::vector<int>& observedSteps,
              const GridFitOptions& options);

}  // namespace dq
