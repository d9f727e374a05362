#include "core/analysis/bit_allocation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/errors.h"
#include "core/quant/bit_packing.h"
#include "core/validation/message_text.h"

namespace dq {

namespace {

constexpr int kFullPrecisionBits = 32;
constexpr int64_t kBudgetSteps = 20000;
constexpr int64_t kDecisionCells = 16 << 20;  // bounds the DP's choice table (1 byte a cell)

struct Choice {
    int bits = 0;  // 0 = FP
    double cost = 0;
    double error = 0;
};

int costBits(int bits) { return bits == 0 ? kFullPrecisionBits : bits; }

// Multiple-choice knapsack: one choice per item, Σ cost ≤ budget, least Σ
// error, by dynamic programming over the budget in steps of `unit`. Costs
// here are whole bits or bytes, so with unit = the gcd of all costs the
// solution is exact; when that would need too many steps, the unit grows and
// costs are rounded up (the result still fits, and may be slightly short of
// the optimum by at most one unit per item).
//
// The table records, for every total cost up to the largest budget, the least
// error reaching exactly that total, so one table answers every smaller
// budget by a backtrack: the explorer's slider re-allocates without redoing
// the dynamic program.
struct KnapsackTable {
    double unit = 1;
    int steps = 0;
    std::vector<double> best;                 // least Σ error with exactly c units in total
    std::vector<std::vector<int8_t>> taken;   // per item and total: the choice that reached it
    std::vector<std::vector<int>> units;      // per item and choice: its cost in units
};

KnapsackTable buildKnapsack(const std::vector<std::vector<Choice>>& items, double maxBudget,
                            const ProgressCallbacks& callbacks = {}) {
    KnapsackTable t;
    int64_t unitCost = 0;
    for (const auto& item : items) {
        if (item.size() > 127) throw Error("Too many candidate widths to allocate from (" + std::to_string(item.size()) + "); give at most 127.");
        for (const Choice& c : item) unitCost = std::gcd(unitCost, static_cast<int64_t>(std::llround(c.cost)));
    }
    const int64_t maxSteps = std::max<int64_t>(kBudgetSteps, kDecisionCells / std::max<std::size_t>(1, items.size()));
    t.unit = static_cast<double>(std::max<int64_t>(1, unitCost));
    if (maxBudget / t.unit > static_cast<double>(maxSteps)) t.unit = maxBudget / static_cast<double>(maxSteps);
    t.steps = static_cast<int>(std::floor(maxBudget / t.unit + 1e-9));
    const double inf = std::numeric_limits<double>::infinity();
    t.best.assign(static_cast<std::size_t>(t.steps) + 1, inf);
    std::vector<double> next(t.best.size());
    t.best[0] = 0;
    t.taken.assign(items.size(), std::vector<int8_t>(t.best.size(), -1));
    t.units.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
        std::fill(next.begin(), next.end(), inf);
        for (std::size_t k = 0; k < items[i].size(); ++k) {
            const double units = std::ceil(items[i][k].cost / t.unit - 1e-9);
            t.units[i].push_back(units > t.steps ? t.steps + 1 : static_cast<int>(units));
            if (units > t.steps) continue;
            const int step = static_cast<int>(units);
            for (int c = 0; c + step <= t.steps; ++c) {
                if (t.best[c] == inf) continue;
                const double e = t.best[c] + items[i][k].error;
                if (e < next[c + step]) {
                    next[c + step] = e;
                    t.taken[i][c + step] = static_cast<int8_t>(k);
                }
            }
        }
        t.best.swap(next);
        if (callbacks.progress) callbacks.progress(static_cast<int>(i + 1), static_cast<int>(items.size()));
    }
    return t;
}

// The optimal choices within `budget` (≤ the table's), or none when nothing fits.
std::vector<std::size_t> backtrack(const KnapsackTable& t, double budget) {
    const double fits = std::floor(budget / t.unit + 1e-9);  // compared as a double: budget may be huge
    if (!(fits >= 0)) return {};
    const int steps = fits < t.steps ? static_cast<int>(fits) : t.steps;
    const auto end = std::min_element(t.best.begin(), t.best.begin() + steps + 1);
    if (*end == std::numeric_limits<double>::infinity()) return {};
    std::vector<std::size_t> chosen(t.taken.size());
    int c = static_cast<int>(end - t.best.begin());
    for (std::size_t i = t.taken.size(); i-- > 0;) {
        const int k = t.taken[i][c];
        chosen[i] = static_cast<std::size_t>(k);
        c -= t.units[i][k];
    }
    return chosen;
}

std::vector<std::size_t> solveOptimal(const std::vector<std::vector<Choice>>& items, double budget) {
    return backtrack(buildKnapsack(items, budget), budget);
}

std::vector<std::size_t> solveUniform(const std::vector<std::vector<Choice>>& items, double budget) {
    // Choices are listed by width in the same order for every item.
    if (items.empty()) return {};
    for (std::size_t k = items[0].size(); k-- > 0;) {
        double total = 0;
        for (const auto& item : items) total += item[k].cost;
        if (total <= budget * (1 + 1e-12)) return std::vector<std::size_t>(items.size(), k);
    }
    return {};
}

std::vector<std::size_t> solveRandom(const std::vector<std::vector<Choice>>& items, double budget, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> chosen(items.size());
    double total = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        chosen[i] = std::uniform_int_distribution<std::size_t>(0, items[i].size() - 1)(rng);
        total += items[i][chosen[i]].cost;
    }
    std::uniform_int_distribution<std::size_t> pick(0, items.size() - 1);
    // Narrow random sites until the budget holds (choices are sorted by cost)...
    while (total > budget) {
        std::vector<std::size_t> narrowable;
        for (std::size_t i = 0; i < items.size(); ++i)
            if (chosen[i] > 0) narrowable.push_back(i);
        if (narrowable.empty()) return {};
        const std::size_t i = narrowable[std::uniform_int_distribution<std::size_t>(0, narrowable.size() - 1)(rng)];
        total += items[i][chosen[i] - 1].cost - items[i][chosen[i]].cost;
        --chosen[i];
    }
    // ...then widen random sites while it still holds, so the budget is used.
    for (std::size_t attempt = 0; attempt < 8 * items.size(); ++attempt) {
        const std::size_t i = pick(rng);
        if (chosen[i] + 1 >= items[i].size()) continue;
        const double delta = items[i][chosen[i] + 1].cost - items[i][chosen[i]].cost;
        if (total + delta <= budget) {
            total += delta;
            ++chosen[i];
        }
    }
    return chosen;
}

std::vector<std::size_t> solve(const std::vector<std::vector<Choice>>& items, double budget, const AllocationOptions& o) {
    switch (o.strategy) {
        case AllocationStrategy::Optimal: return solveOptimal(items, budget);
        case AllocationStrategy::Uniform: return solveUniform(items, budget);
        case AllocationStrategy::Random: return solveRandom(items, budget, o.seed);
    }
    return {};
}

std::vector<int> candidateWidths(const std::vector<int>& asked, const std::vector<int>& measured, bool allowFp,
                                 const char* operand) {
    std::vector<int> widths = asked.empty() ? measured : asked;
    for (int w : widths)
        if (w != 0 && std::find(measured.begin(), measured.end(), w) == measured.end())
            throw Error(std::string("The sensitivity report has no ") + operand + " measurement at " + std::to_string(w) +
                        " bits; measure it with `diffquant sensitivity --" + operand + "-bits ...` or choose from the measured widths.");
    widths.erase(std::remove(widths.begin(), widths.end(), 0), widths.end());
    if (allowFp) widths.push_back(0);
    std::sort(widths.begin(), widths.end(), [](int a, int b) { return costBits(a) < costBits(b); });
    widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
    if (widths.empty()) throw Error(std::string("No candidate ") + operand + " widths to allocate from.");
    return widths;
}

double errorAt(const OperandSensitivity& o, int bits) {
    return bits == 0 ? 0.0 : o.alone.at(bits).meanNmse;
}

[[noreturn]] void unreachable(const std::string& budgetName, double budget, double minimum, const std::string& unit) {
    throw Error("No allocation fits " + budgetName + " " + plainNumber(budget) + unit + ": the narrowest candidate widths need " +
                plainNumber(std::ceil(minimum * 100) / 100) + unit + "; raise the budget or allow narrower widths.");
}

}  // namespace

const char* allocationStrategyName(AllocationStrategy strategy) {
    switch (strategy) {
        case AllocationStrategy::Optimal: return "optimal";
        case AllocationStrategy::Uniform: return "uniform";
        case AllocationStrategy::Random: return "random";
    }
    return "?";
}

AllocationStrategy parseAllocationStrategy(const std::string& name) {
    for (auto s : {AllocationStrategy::Optimal, AllocationStrategy::Uniform, AllocationStrategy::Random})
        if (name == allocationStrategyName(s)) return s;
    throw Error("Unknown allocation strategy " + inQuotes(name) + "; use optimal, uniform or random.");
}

double weightBytes(const SiteSensitivity& site, int bits) {
    if (bits == 0) return 4.0 * static_cast<double>(site.weightCount);
    const double packed = static_cast<double>(packedSize(static_cast<std::size_t>(site.weightCount), bits));
    return packed + 8.0 * static_cast<double>(site.outputChannels) * std::max(1, site.weightParts);
}

namespace {

// The weight half of an allocation problem: one item per site with weights,
// one choice per candidate width, costed in bit·weights or bytes.
struct WeightProblem {
    std::vector<std::size_t> sites;  // indices into report.sites
    std::vector<std::vector<Choice>> items;
    double totalWeights = 0;
};

WeightProblem weightProblem(const SensitivityReport& report, const AllocationOptions& options, bool bytes) {
    const std::vector<int> widths =
        candidateWidths(options.weightCandidates, report.weightWidths, options.allowFullPrecision, "weight");
    WeightProblem p;
    for (std::size_t i = 0; i < report.sites.size(); ++i) {
        const SiteSensitivity& s = report.sites[i];
        if (!s.weight) continue;
        p.sites.push_back(i);
        p.totalWeights += static_cast<double>(s.weightCount);
        std::vector<Choice> choices;
        for (int w : widths) {
            Choice c;
            c.bits = w;
            c.cost = bytes ? weightBytes(s, w) : static_cast<double>(s.weightCount) * costBits(w);
            c.error = errorAt(*s.weight, w);
            choices.push_back(c);
        }
        p.items.push_back(std::move(choices));
    }
    if (p.sites.empty()) throw Error("The sensitivity report has no weight measurements to allocate.");
    return p;
}

[[noreturn]] void nothingFits(const WeightProblem& p, const AllocationBudget& budget) {
    double minimum = 0;
    for (const auto& item : p.items) minimum += item.front().cost;
    if (budget.sizeKiB) unreachable("the size budget", *budget.sizeKiB, minimum / 1024.0, " KiB");
    unreachable("the average weight width", *budget.averageWeightBits, minimum / p.totalWeights, " bits");
}

// The allocation with the chosen weight widths; activations are allocated
// under their own budget when there is one, else keep the base widths.
Allocation finishAllocation(const SensitivityReport& report, const WeightProblem& p, const std::vector<std::size_t>& wChosen,
                            const AllocationBudget& budget, const AllocationOptions& options) {
    Allocation result;
    result.plan = report.basePlan;
    result.plan.preset = "mixed";
    result.plan.relaxedForSteps = 0;
    for (auto& [name, site] : result.plan.sites)
        if (!site.enabled) {  // spell out what "disabled" meant, so widths can be set one by one
            site.weightBits = 0;
            site.activationBits = 0;
        }
    double bitsSum = 0, bytes = 0;
    for (std::size_t i = 0; i < p.sites.size(); ++i) {
        const SiteSensitivity& site = report.sites[p.sites[i]];
        const Choice& c = p.items[i][wChosen[i]];
        result.plan.find(site.name)->weightBits = c.bits;
        result.predictedNmse += c.error;
        bitsSum += static_cast<double>(site.weightCount) * costBits(c.bits);
        bytes += weightBytes(site, c.bits);
        ++result.weightWidthCounts[c.bits];
    }
    result.averageWeightBits = bitsSum / p.totalWeights;
    result.weightKiB = bytes / 1024.0;

    if (budget.averageActivationBits) {
        const std::vector<int> aWidths = candidateWidths(options.activationCandidates, report.activationWidths,
                                                         options.allowFullPrecision, "activation");
        std::vector<std::vector<Choice>> actItems;
        for (const SiteSensitivity& s : report.sites) {
            std::vector<Choice> choices;
            for (int w : aWidths) choices.push_back({w, static_cast<double>(costBits(w)), errorAt(s.activation, w)});
            actItems.push_back(std::move(choices));
        }
        const double actBudget = *budget.averageActivationBits * static_cast<double>(report.sites.size());
        if (!(actBudget > 0) || !std::isfinite(actBudget)) throw Error("The activation budget must be a positive number.");
        const std::vector<std::size_t> aChosen = solve(actItems, actBudget, options);
        if (aChosen.empty())
            unreachable("the average activation width", *budget.averageActivationBits, costBits(aWidths.front()), " bits");
        for (std::size_t i = 0; i < report.sites.size(); ++i)
            result.plan.find(report.sites[i].name)->activationBits = actItems[i][aChosen[i]].bits;
    }
    double actBits = 0;
    for (const SiteSensitivity& s : report.sites) {
        SitePlan* plan = result.plan.find(s.name);
        plan->stepActivationBits.clear();
        const int a = plan->activationBits;
        // A base width the sweep did not measure adds nothing to the prediction.
        if (a == 0 || s.activation.alone.count(a)) result.predictedNmse += errorAt(s.activation, a);
        actBits += costBits(a);
        ++result.activationWidthCounts[a];
        plan->enabled = plan->weightBits > 0 || plan->activationBits > 0;
    }
    result.averageActivationBits = actBits / static_cast<double>(std::max<std::size_t>(1, report.sites.size()));
    return result;
}

}  // namespace

Allocation allocateBits(const SensitivityReport& report, const AllocationBudget& budget, const AllocationOptions& options) {
    if (budget.averageWeightBits.has_value() == budget.sizeKiB.has_value())
        throw Error("Give exactly one weight budget: an average weight width or an artifact size.");
    const WeightProblem p = weightProblem(report, options, budget.sizeKiB.has_value());
    const double weightBudget = budget.sizeKiB ? *budget.sizeKiB * 1024.0 : *budget.averageWeightBits * p.totalWeights;
    if (!(weightBudget > 0) || !std::isfinite(weightBudget))
        throw Error("The weight budget must be a positive number.");
    const std::vector<std::size_t> wChosen = solve(p.items, weightBudget, options);
    if (wChosen.empty()) nothingFits(p, budget);
    return finishAllocation(report, p, wChosen, budget, options);
}

struct AllocationTable::Impl {
    SensitivityReport report;
    AllocationOptions options;
    WeightProblem problem;
    KnapsackTable table;
    double maxBits = 0;
};

AllocationTable::AllocationTable(const SensitivityReport& report, double maxAverageWeightBits,
                                 const AllocationOptions& options, const ProgressCallbacks& callbacks) {
    if (!(maxAverageWeightBits > 0) || !std::isfinite(maxAverageWeightBits))
        throw Error("The weight budget must be a positive number.");
    auto impl = std::make_unique<Impl>();
    impl->report = report;
    impl->options = options;
    impl->options.strategy = AllocationStrategy::Optimal;
    impl->problem = weightProblem(impl->report, impl->options, /*bytes=*/false);
    impl->table = buildKnapsack(impl->problem.items, maxAverageWeightBits * impl->problem.totalWeights, callbacks);
    impl->maxBits = maxAverageWeightBits;
    impl_ = std::move(impl);
}

AllocationTable::~AllocationTable() = default;

double AllocationTable::maxAverageWeightBits() const { return impl_->maxBits; }

Allocation AllocationTable::allocate(double averageWeightBits) const {
    if (!(averageWeightBits > 0) || !std::isfinite(averageWeightBits))
        throw Error("The weight budget must be a positive number.");
    if (averageWeightBits > impl_->maxBits * (1 + 1e-12))
        throw Error("The average weight width " + plainNumber(averageWeightBits) + " bits is beyond this table's " +
                    plainNumber(impl_->maxBits) + " bits; build the table for the wider budget.");
    AllocationBudget budget;
    budget.averageWeightBits = averageWeightBits;
    const std::vector<std::size_t> chosen = backtrack(impl_->table, averageWeightBits * impl_->problem.totalWeights);
    if (chosen.empty()) nothingFits(impl_->problem, budget);
    return finishAllocation(impl_->report, impl_->problem, chosen, budget, impl_->options);
}

PlanPrediction predictPlan(const SensitivityReport& report, const QuantPlan& plan) {
    PlanPrediction p;
    double totalWeights = 0, bitsSum = 0, bytes = 0;
    for (const SiteSensitivity& s : report.sites) {
        const SitePlan* site = plan.find(s.name);
        if (!site) {
            p.complete = false;
            continue;
        }
        if (s.weight) {
            const int w = site->enabled ? site->weightBits : 0;
            totalWeights += static_cast<double>(s.weightCount);
            bitsSum += static_cast<double>(s.weightCount) * costBits(w);
            bytes += weightBytes(s, w);
            if (w == 0 || s.weight->alone.count(w)) p.predictedNmse += errorAt(*s.weight, w);
            else p.complete = false;
        }
        const int a = site->enabled ? site->activationBits : 0;
        if (a == 0 || s.activation.alone.count(a)) p.predictedNmse += errorAt(s.activation, a);
        else p.complete = false;
    }
    p.averageWeightBits = totalWeights > 0 ? bitsSum / totalWeights : 0;
    p.weightKiB = bytes / 1024.0;
    return p;
}

AllocationFrontier allocationFrontier(const SensitivityReport& report, const std::vector<double>& budgets,
                                      const AllocationOptions& options, const ProgressCallbacks& callbacks) {
    AllocationFrontier frontier;
    // One dynamic program, for the widest budget, answers every budget.
    double widest = 0;
    for (double b : budgets) widest = std::max(widest, b);
    for (int w : report.weightWidths) widest = std::max(widest, static_cast<double>(costBits(w)));
    const int total = static_cast<int>(budgets.size() + report.weightWidths.size()) + 1;
    int done = 0;
    auto step = [&] {
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
        if (callbacks.progress) callbacks.progress(++done, total);
    };
    ProgressCallbacks tableCallbacks;
    tableCallbacks.cancelled = callbacks.cancelled;
    auto table = std::make_shared<AllocationTable>(report, widest, options, tableCallbacks);
    frontier.table = table;
    step();
    for (double bits : budgets) {
        try {
            frontier.optimal.push_back(predictPlan(report, table->allocate(bits).plan));
        } catch (const Error&) {
            // Below the narrowest candidates: no point at this budget.
        }
        step();
    }
    for (int w : report.weightWidths) {
        // Built as allocateBits builds its plans: disabled sites spelled out as
        // FP first, so the uniform and the optimal points count the same operands.
        QuantPlan uniform = report.basePlan;
        for (auto& [name, site] : uniform.sites)
            if (!site.enabled) site.weightBits = site.activationBits = 0;
        for (const SiteSensitivity& s : report.sites) {
            SitePlan* site = uniform.find(s.name);
            if (!site) continue;
            if (s.weight) site->weightBits = w;
            site->enabled = site->weightBits > 0 || site->activationBits > 0;
        }
        frontier.uniform.emplace_back(w, predictPlan(report, uniform));
        step();
    }
    return frontier;
}

}  // namespace dq
