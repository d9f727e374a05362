#include "app/gui/explorer_types.h"

#include <cstdlib>

namespace dq::gui {

int nearestStepIndex(const QVector<qint64>& timesteps, qint64 t) {
    int best = -1;
    for (int k = 0; k < timesteps.size(); ++k)
        if (best < 0 || std::llabs(timesteps[k] - t) < std::llabs(timesteps[best] - t)) best = k;
    return best;
}

AllocationOptions explorerAllocationOptions() {
    AllocationOptions options;
    options.allowFullPrecision = false;
    return options;
}

Allocation allocateAverageWeightBits(const SensitivityReport& report, double bits) {
    AllocationBudget budget;
    budget.averageWeightBits = bits;
    return allocateBits(report, budget, explorerAllocationOptions());
}

QVector<double> GridData::levels(int limit) const {
    QVector<double> out;
    if (qmax - qmin + 1 > limit) return out;
    out.reserve(static_cast<int>(qmax - qmin + 1));
    for (qint64 q = qmin; q <= qmax; ++q) out.push_back(static_cast<double>(q - zeroPoint) * scale);
    return out;
}

const GridData* PartGrids::gridFor(qint64 timestep) const {
    if (grids.isEmpty()) return nullptr;
    if (grids.size() == 1 || timestep < 0) return &grids.front();
    const GridData* best = &grids.front();
    for (const GridData& g : grids)
        if (std::llabs(g.timestep - timestep) < std::llabs(best->timestep - timestep)) best = &g;
    return best;
}

const SiteQuantData* QuantizedModelData::find(const QString& name) const {
    const auto it = index.constFind(name);
    return it == index.constEnd() ? nullptr : &sites[*it];
}

QVector<double> PartStats::countsAt(int step) const {
    if (step < 0 || bins <= 0 || (step + 1) * bins > counts.size()) return {};
    return counts.mid(step * bins, bins);
}

const PartStats* SiteStats::part(const QString& label) const {
    for (const PartStats& p : parts)
        if (p.label == label) return &p;
    return nullptr;
}

const SiteStats* StatisticsData::find(const QString& name) const {
    const auto it = index.constFind(name);
    return it == index.constEnd() ? nullptr : &sites[*it];
}

const WeightStats* StatisticsData::findWeights(const QString& name) const {
    const auto it = weightIndex.constFind(name);
    return it == weightIndex.constEnd() ? nullptr : &weights[*it];
}

}  // namespace dq::gui
