#pragma once
// Automatic mixed precision: per-site widths that minimise the predicted error
// of the predicted noise under a budget. The prediction adds up each site's
// error measured alone (sensitivity_report.h), as HAWQ and MixDQ do; weights
// and activations are chosen independently, since their errors add and their
// budgets are separate. Each choice is a multiple-choice knapsack, solved
// exactly by dynamic programming over the budget in steps of the costs'
// greatest common divisor (for very large models the step grows and costs are
// rounded up, so an allocation never exceeds its budget). No torch.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/sensitivity_report.h"
#include "core/callbacks.h"
#include "core/quant/quant_plan.h"

namespace dq {

// At least one weight budget; the activation budget is optional (without it
// activations keep the base plan's widths). Full precision counts as 32 bits.
struct AllocationBudget {
    std::optional<double> averageWeightBits;      // weighted by each site's weight count
    std::optional<double> sizeKiB;                // packed weights + per-channel scales; FP weights at 4 bytes
    std::optional<double> averageActivationBits;  // per activation site
};

enum class AllocationStrategy {
    Optimal,  // least predicted error within the budget
    Uniform,  // one width everywhere: the widest candidate that fits (a baseline)
    Random,   // random widths that fit (a baseline)
};
const char* allocationStrategyName(AllocationStrategy strategy);
AllocationStrategy parseAllocationStrategy(const std::string& name);  // throws dq::Error naming the value

struct AllocationOptions {
    // Candidate widths; empty: every width the report measured. 0 = FP.
    std::vector<int> weightCandidates;
    std::vector<int> activationCandidates;
    bool allowFullPrecision = true;
    AllocationStrategy strategy = AllocationStrategy::Optimal;
    uint64_t seed = 0;  // Random only
};

struct Allocation {
    QuantPlan plan;                 // the base plan with the chosen widths ("mixed")
    double predictedNmse = 0;       // Σ of the chosen operands' errors alone
    double averageWeightBits = 0;   // weighted by weight count, FP = 32
    double weightKiB = 0;           // as the size budget counts it
    double averageActivationBits = 0;
    std::map<int, int> weightWidthCounts;      // width (0 = FP) → sites
    std::map<int, int> activationWidthCounts;
};

// The cost model of the size budget: packed codes plus a float32 scale and an
// int32 zero point per output channel and part; FP weights at 4 bytes.
double weightBytes(const SiteSensitivity& site, int bits);

// Throws dq::Error naming the budget when no allocation fits it (with the
// smallest budget that would), or a candidate width the report lacks.
Allocation allocateBits(const SensitivityReport& report, const AllocationBudget& budget,
                        const AllocationOptions& options = {});

// The optimal weight allocations of every average weight width up to a
// maximum, from one dynamic program: each allocate() is a backtrack through
// the table (well under a millisecond on the shipped model), where
// allocateBits redoes the whole program. The explorer's budget slider uses it.
// Activations keep the base plan's widths; the strategy is always optimal.
// Answers equal allocateBits' whenever its costs need no rounding (the
// dynamic program's unit is their gcd); otherwise both round costs up to a
// unit of at most 1/20,000 of their budget (1/300,000 on the shipped model),
// so they may differ by that much.
class AllocationTable {
public:
    AllocationTable(const SensitivityReport& report, double maxAverageWeightBits, const AllocationOptions& options = {},
                    const ProgressCallbacks& callbacks = {});
    ~AllocationTable();
    AllocationTable(const AllocationTable&) = delete;
    AllocationTable& operator=(const AllocationTable&) = delete;

    // Throws dq::Error like allocateBits when nothing fits, and when the
    // budget is beyond the table's maximum.
    Allocation allocate(double averageWeightBits) const;
    double maxAverageWeightBits() const;

private:
    struct Impl;
    std::unique_ptr<const Impl> impl_;
};

// What the report predicts for a plan's widths, by the allocation's own
// measure (the sum of the chosen operands' errors alone). `complete` is false
// when the plan uses a width the sweep did not measure (it then adds nothing).
struct PlanPrediction {
    double averageWeightBits = 0;  // weighted by weight count, FP = 32
    double weightKiB = 0;
    double predictedNmse = 0;
    bool complete = true;
};
PlanPrediction predictPlan(const SensitivityReport& report, const QuantPlan& plan);

// The Pareto frontier for the explorer's Allocate dialog: the optimal
// allocation at each average weight width of `budgets` (budgets nothing fits
// are left out) and one point per uniform measured width, with the table
// they came from (it covers every budget up to the widest). Checks
// `cancelled` between budgets and reports progress per budget.
struct AllocationFrontier {
    std::vector<PlanPrediction> optimal;
    std::vector<std::pair<int, PlanPrediction>> uniform;  // width → prediction
    std::shared_ptr<const AllocationTable> table;
};
AllocationFrontier allocationFrontier(const SensitivityReport& report, const std::vector<double>& budgets,
                                      const AllocationOptions& options, const ProgressCallbacks& callbacks = {});

}  // namespace dq
