#include "core/quant/block_reconstruction.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/quant/calibration_batches.h"

namespace dq {

namespace {

constexpr double kGamma = -0.1, kZeta = 1.1;  // AdaRound's stretch of the sigmoid

// Thrown by the capture observer to end a forward pass once the unit is seen.
struct StopForward {};

// One unit's cached inputs and FP target, rows in calibration-batch order.
struct UnitCache {
    torch::Tensor x, temb, context, target;
    std::vector<std::pair<int, std::pair<int64_t, int64_t>>> segments;  // (step, [from, to) rows)
    int64_t rows() const { return x.size(0); }
};

class UnitCapture : public UnitObserver {
public:
    UnitCapture(std::string unit, bool wantOutput) : unit_(std::move(unit)), wantOutput_(wantOutput) {}
    void onUnitInput(const UnitInfo& unit, const UnitInputs& in, const StepContext&) override {
        if (unit.name != unit_ || wantOutput_) return;  // the FP pass keeps only the output
        x.push_back(in.x.detach().clone());
        if (in.temb.defined()) temb.push_back(in.temb.detach().clone());
        if (in.context.defined()) context.push_back(in.context.detach().clone());
        throw StopForward{};
    }
    void onUnitOutput(const UnitInfo& unit, const torch::Tensor& out, const StepContext&) override {
        if (unit.name != unit_) return;
        outputs.push_back(out.detach().clone());
        throw StopForward{};
    }
    std::vector<torch::Tensor> x, temb, context, outputs;

private:
    std::string unit_;
    bool wantOutput_;
};

torch::Tensor catOrUndefined(const std::vector<torch::Tensor>& parts) {
    return parts.empty() ? torch::Tensor() : torch::cat(parts);
}

// Runs the calibration batches until the unit has been seen in each.
UnitCache captureUnit(Denoiser& model, const UnitInfo& unit, const CalibrationData& data,
                      const std::vector<std::pair<int, torch::Tensor>>& batches, Interceptor* quantizedInputs,
                      const ProgressCallbacks& callbacks) {
    torch::NoGradGuard noGrad;
    UnitCache cache;
    auto pass = [&](Interceptor* interceptor, bool wantOutput) {
        UnitCapture capture(unit.name, wantOutput);
        model.setInterceptor(interceptor);
        model.setUnitObserver(&capture);
        forEachCalibrationBatch(
            model, data, batches,
            [&](const CalibrationBatch& b) {
                try {
                    model.forward(b.x, b.t, b.condition);
                } catch (const StopForward&) {
                }
                if (wantOutput) {
                    const int64_t from = cache.segments.empty() ? 0 : cache.segments.back().second.second;
                    cache.segments.push_back({b.stepIndex, {from, from + b.x.size(0)}});
                }
            },
            ProgressCallbacks{{}, callbacks.cancelled, {}, {}});
        model.setUnitObserver(nullptr);
        model.setInterceptor(nullptr);
        return capture;
    };
    UnitCapture fp = pass(nullptr, true);
    cache.target = catOrUndefined(fp.outputs);
    UnitCapture q = pass(quantizedInputs, false);
    cache.x = catOrUndefined(q.x);
    cache.temb = catOrUndefined(q.temb);
    cache.context = catOrUndefined(q.context);
    if (!cache.x.defined() || !cache.target.defined() || cache.x.size(0) != cache.target.size(0))
        throw Error("Reconstruction could not capture the inputs of unit '" + unit.name +
                    "': the calibration data never reached it; collect the calibration data again.");
    return cache;
}

// Minibatches drawn without replacement. Weights (and activations with one
// grid for every step) mix rows of all steps, as Q-Diffusion's randperm does;
// when a unit's activation grids depend on the step (per-step or relaxed
// grids), every row of a minibatch comes from one step, chosen in proportion
// to its rows, so that the step context fits them all.
class BatchSampler {
public:
    BatchSampler(const UnitCache& cache, int batchSize, uint64_t seed, bool byStep)
        : cache_(cache), batch_(batchSize), rng_(seed) {
        if (byStep)
            for (const auto& [step, range] : cache.segments)
                for (int64_t r = range.first; r < range.second; ++r) rowsByStep_[step].push_back(r);
        else
            for (int64_t r = 0; r < cache.rows(); ++r) rowsByStep_[-1].push_back(r);
        for (const auto& [step, rows] : rowsByStep_) {
            steps_.push_back(step);
            weights_.push_back(static_cast<double>(rows.size()));
        }
    }
    // Rows and the step they come from (−1: mixed).
    std::pair<torch::Tensor, int> next() {
        std::discrete_distribution<std::size_t> pickStep(weights_.begin(), weights_.end());
        const int step = steps_[pickStep(rng_)];
        std::vector<int64_t>& rows = rowsByStep_[step];
        const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(batch_), rows.size());
        // Partial Fisher–Yates: the first `count` rows become a uniform sample without replacement.
        for (std::size_t k = 0; k < count; ++k) {
            std::uniform_int_distribution<std::size_t> pick(k, rows.size() - 1);
            std::swap(rows[k], rows[pick(rng_)]);
        }
        const std::vector<int64_t> chosen(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(count));
        return {torch::tensor(chosen, torch::kInt64).to(cache_.x.device()), step};
    }

private:
    const UnitCache& cache_;
    int batch_;
    std::mt19937_64 rng_;
    std::map<int, std::vector<int64_t>> rowsByStep_;
    std::vector<int> steps_;
    std::vector<double> weights_;
};

UnitInputs inputsAt(const UnitCache& cache, const torch::Tensor& rows) {
    UnitInputs in;
    in.x = cache.x.index_select(0, rows);
    if (cache.temb.defined()) in.temb = cache.temb.index_select(0, rows);
    if (cache.context.defined()) in.context = cache.context.index_select(0, rows);
    return in;
}

// Q-Diffusion's reconstruction loss: squared error summed over channels, mean
// over the rest. Feature maps [B, C, H, W] and vectors [B, C] have channels in
// dimension 1; the transformer blocks' tokens [B, N, C] have them last.
// (Q-Diffusion's code sums dimension 1 there too, i.e. over tokens, which
// scales the loss by N / C against the rounding regulariser.)
torch::Tensor reconstructionLoss(const torch::Tensor& out, const torch::Tensor& target) {
    const int64_t channels = out.dim() == 3 ? 2 : 1;
    return (out - target).pow(2).sum(channels).mean();
}

void setStepFor(Denoiser& model, const CalibrationData& data, int step) {
    if (step < 0) {  // rows of several steps: no step context (nothing in this phase depends on it)
        model.setStep(StepContext{});
        return;
    }
    model.setStep(StepContext{step, static_cast<int>(data.trajectoryTimesteps.size()),
                              data.trajectoryTimesteps.at(static_cast<std::size_t>(step))});
}

// The unit's loss over the whole cache (no gradients), with the installed interceptor.
double cacheLoss(Denoiser& model, std::size_t unitIndex, const UnitCache& cache, const CalibrationData& data) {
    torch::NoGradGuard noGrad;
    double total = 0;
    int64_t rows = 0;
    for (const auto& [step, range] : cache.segments) {
        const torch::Tensor index = torch::arange(range.first, range.second, torch::kInt64).to(cache.x.device());
        setStepFor(model, data, step);
        const torch::Tensor out = model.runUnit(unitIndex, inputsAt(cache, index));
        total += reconstructionLoss(out, cache.target.index_select(0, index)).item<double>() * (range.second - range.first);
        rows += range.second - range.first;
    }
    return total / static_cast<double>(std::max<int64_t>(1, rows));
}

// Weights of a QuantizedUNet, activations in floating point.
struct WeightsOnly : Interceptor {
    QuantizedUNet& q;
    explicit WeightsOnly(QuantizedUNet& quantized) : q(quantized) {}
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& w, const StepContext& step) override {
        return q.onWeight(site, w, step);
    }
};

// ------------------------------------------------------------- AdaRound

struct RoundingPart {
    torch::Tensor floor;  // ⌊W/Δ⌋, the weight's shape (one input-channel slice)
    torch::Tensor alpha;  // learnable
    torch::Tensor scale;  // [C, 1, ...] broadcastable
    torch::Tensor zero;
    double qmin = 0, qmax = 0;
};

struct RoundingSite {
    std::vector<RoundingPart> parts;
};

class SoftRounding : public Interceptor {
public:
    std::unordered_map<std::string, RoundingSite> sites;
    bool hard = false;

    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& w, const StepContext&) override {
        auto it = sites.find(site.name);
        if (it == sites.end()) return w;
        std::vector<torch::Tensor> parts;
        for (const RoundingPart& p : it->second.parts) parts.push_back(weightOf(p));
        return parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
    }
    torch::Tensor weightOf(const RoundingPart& p) const {
        const torch::Tensor up = hard ? p.alpha.ge(0).to(p.floor.scalar_type()) : rectifiedSigmoid(p.alpha);
        const torch::Tensor q = torch::clamp(p.floor + up + p.zero, p.qmin, p.qmax);
        return (q - p.zero) * p.scale;
    }
};

torch::Tensor broadcastPerChannel(const torch::Tensor& v, int64_t dims) {
    std::vector<int64_t> shape(static_cast<std::size_t>(dims), 1);
    shape[0] = v.size(0);
    return v.reshape(shape);
}

// ---------------------------------------------------------------- LSQ

class LearnableActivations : public Interceptor {
public:
    explicit LearnableActivations(QuantizedUNet& quantized) : quantized_(quantized) {}
    std::unordered_map<std::string, std::vector<std::vector<torch::Tensor>>> scales;  // site → part → grid → Δ

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override {
        auto it = scales.find(site.name);
        if (it == scales.end()) return quantized_.onInput(site, input, step);
        const SiteQuantState& st = *quantized_.find(site.name);
        std::vector<torch::Tensor> parts;
        for (std::size_t p = 0; p < st.activationParts.size(); ++p) {
            const ActivationQuantizer& q = st.activationParts[p];
            const ActivationGrid& g = q.gridFor(step.timestep);
            const std::size_t gi = static_cast<std::size_t>(&g - q.grids.data());
            const auto [from, to] = st.partChannels(p);
            const torch::Tensor x = st.split > 0 ? input.narrow(1, from, to - from) : input;
            const torch::Tensor zero = torch::full({}, static_cast<double>(g.params.zeroPoint), x.options());
            parts.push_back(fakeQuantizeSte(x, it->second[p][gi], zero, g.bits, q.symmetric));
        }
        return parts.size() == 1 ? parts[0] : torch::cat(parts, 1);
    }
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& w, const StepContext& step) override {
        return quantized_.onWeight(site, w, step);
    }

private:
    QuantizedUNet& quantized_;
};

// Indices of the units with at least one site that `learns` something.
template <typename Predicate>
std::vector<std::size_t> unitsWith(const Denoiser& model, const QuantizedUNet& quantized, Predicate learns) {
    std::vector<std::size_t> units;
    for (std::size_t u = 0; u < model.units().size(); ++u) {
        const auto& sites = model.units()[u].sites;
        if (std::any_of(sites.begin(), sites.end(), [&](const std::string& name) {
                const SiteQuantState* st = quantized.find(name);
                return st && learns(*st);
            }))
            units.push_back(u);
    }
    return units;
}

std::string lossText(const std::string& unit, int iteration, int iterations, double loss) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g", loss);
    return unit + " " + std::to_string(iteration) + "/" + std::to_string(iterations) + " loss " + buffer;
}

}  // namespace

torch::Tensor rectifiedSigmoid(const torch::Tensor& alpha) {
    return torch::clamp(torch::sigmoid(alpha) * (kZeta - kGamma) + kGamma, 0.0, 1.0);
}

torch::Tensor initialRoundingVariable(const torch::Tensor& rest) {
    // h(α) = rest  ⇔  σ(α) = (rest − γ)/(ζ − γ)
    return -torch::log((kZeta - kGamma) / (rest - kGamma) - 1);
}

std::vector<UnitReport> reconstructWeights(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                           const ReconstructionOptions& options, const ProgressCallbacks& callbacks) {
    checkCalibrationData(model, data);
    // Learning needs autograd whatever the caller chose.
    c10::InferenceMode noInference(false);
    ModelStateGuard guard(model);
    QuantizedUNet working = quantized;
    working.refreshWeights();
    const auto weights = model.stateDict();
    const auto batches = calibrationBatchRows(data, options.batchSize, options.maxPairs);
    WeightsOnly earlier(working);

    const std::vector<std::size_t> todo =
        unitsWith(model, working, [](const SiteQuantState& st) { return !st.weightParts.empty(); });
    std::vector<UnitReport> reports;
    callbacks.beginStage("adaround");
    int done = 0;
    for (std::size_t unitIndex : todo) {
        const UnitInfo& unit = model.units()[unitIndex];
        const auto start = std::chrono::steady_clock::now();
        const UnitCache cache = captureUnit(model, unit, data, batches, &earlier, callbacks);

        SoftRounding rounding;
        std::vector<torch::Tensor> parameters;
        for (const std::string& name : unit.sites) {
            const SiteQuantState* st = working.find(name);
            if (!st || st->weightParts.empty()) continue;
            const torch::Tensor w = weights.at(name + ".weight").detach().to(torch::kFloat32);
            RoundingSite rs;
            for (std::size_t p = 0; p < st->weightParts.size(); ++p) {
                const ChannelQuantized& cq = st->weightParts[p];
                const auto [from, to] = st->partChannels(p);
                const torch::Tensor slice = w.narrow(1, from, to - from);
                RoundingPart part;
                // Clones: the grids may be inference tensors (made under the caller's
                // InferenceMode), which autograd cannot save.
                part.scale = broadcastPerChannel(cq.scale.to(slice.device(), torch::kFloat32).clone(), slice.dim());
                part.zero = broadcastPerChannel(cq.zeroPoint.to(slice.device(), torch::kFloat32).clone(), slice.dim());
                const torch::Tensor v = slice / part.scale;
                part.floor = torch::floor(v);
                part.alpha = initialRoundingVariable(v - part.floor).detach().requires_grad_(true);
                const IntegerRange r = integerRange(cq.bits, cq.symmetric);
                part.qmin = static_cast<double>(r.qmin);
                part.qmax = static_cast<double>(r.qmax);
                parameters.push_back(part.alpha);
                rs.parts.push_back(std::move(part));
            }
            rounding.sites.emplace(name, std::move(rs));
        }

        model.setInterceptor(&earlier);  // the current rounding, activations in floating point
        UnitReport report{unit.name, "weights", cacheLoss(model, unitIndex, cache, data), 0, 0};

        model.setInterceptor(&rounding);
        const int iterations = options.weightIterations;
        if (iterations > 0) {
            torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(options.weightLearningRate));
            BatchSampler sampler(cache, options.batchSize, options.seed + unitIndex, false);
            const int warmup = static_cast<int>(options.warmup * iterations);
            torch::AutoGradMode grad(true);
            for (int it = 0; it < iterations; ++it) {
                if (callbacks.shouldCancel()) throw Cancelled();
                const auto [rows, step] = sampler.next();
                setStepFor(model, data, step);
                const torch::Tensor out = model.runUnit(unitIndex, inputsAt(cache, rows));
                torch::Tensor loss = reconstructionLoss(out, cache.target.index_select(0, rows));
                const double recLoss = loss.item<double>();
                if (it >= warmup) {
                    const double rel = static_cast<double>(it - warmup) / std::max(1, iterations - warmup);
                    const double beta = options.betaEnd + (options.betaStart - options.betaEnd) * std::max(0.0, 1 - rel);
                    torch::Tensor reg = torch::zeros({}, loss.options());
                    for (auto& [name, rs] : rounding.sites)
                        for (RoundingPart& p : rs.parts)  // every part, both halves of split sites
                            reg = reg + (1 - (2 * rectifiedSigmoid(p.alpha) - 1).abs().pow(beta)).sum();
                    loss = loss + options.roundingWeight * reg;
                }
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (it % 50 == 0 || it + 1 == iterations)
                    callbacks.reportDetail(lossText(unit.name, it + 1, iterations, recLoss));
            }
        }
        // Harden: ⌊W/Δ⌋ + [α ≥ 0], the same integer codes as any rounding.
        rounding.hard = true;
        report.after = cacheLoss(model, unitIndex, cache, data);
        if (iterations > 0 && report.after < report.before) {
            torch::NoGradGuard noGrad;
            for (auto& [name, rs] : rounding.sites) {
                SiteQuantState& st = *const_cast<SiteQuantState*>(working.find(name));
                for (std::size_t p = 0; p < rs.parts.size(); ++p) {
                    const RoundingPart& part = rs.parts[p];
                    const torch::Tensor q = torch::clamp(part.floor + part.alpha.ge(0).to(torch::kFloat32) + part.zero,
                                                         part.qmin, part.qmax);
                    st.weightParts[p].q = q.to(torch::kCPU, st.weightParts[p].q.scalar_type()).contiguous();
                }
            }
            working.refreshWeights();
        } else {
            // Learning did not beat the starting rounding on this unit: keep it.
            report.after = report.before;
        }
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spdlog::debug("AdaRound {}: {:.5g} -> {:.5g} ({:.1f} s)", unit.name, report.before, report.after, report.seconds);
        reports.push_back(report);
        callbacks.report(++done, static_cast<int>(todo.size()));
    }
    quantized = std::move(working);
    return reports;
}

std::vector<UnitReport> learnActivationSteps(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                                             const ReconstructionOptions& options,
                                             const ProgressCallbacks& callbacks) {
    checkCalibrationData(model, data);
    c10::InferenceMode noInference(false);
    ModelStateGuard guard(model);
    QuantizedUNet working = quantized;
    working.refreshWeights();
    const auto batches = calibrationBatchRows(data, options.batchSize, options.maxPairs);

    const std::vector<std::size_t> todo =
        unitsWith(model, working, [](const SiteQuantState& st) { return !st.activationParts.empty(); });
    std::vector<UnitReport> reports;
    callbacks.beginStage("lsq");
    int done = 0;
    for (std::size_t unitIndex : todo) {
        const UnitInfo& unit = model.units()[unitIndex];
        const auto start = std::chrono::steady_clock::now();
        const UnitCache cache = captureUnit(model, unit, data, batches, &working, callbacks);

        LearnableActivations learnable(working);
        std::vector<torch::Tensor> parameters;
        for (const std::string& name : unit.sites) {
            const SiteQuantState* st = working.find(name);
            if (!st || st->activationParts.empty()) continue;
            auto& perPart = learnable.scales[name];
            for (const ActivationQuantizer& q : st->activationParts) {
                std::vector<torch::Tensor> grids;
                for (const ActivationGrid& g : q.grids) {
                    grids.push_back(torch::full({}, static_cast<double>(g.params.scale),
                                                torch::TensorOptions().dtype(torch::kFloat32).device(cache.x.device()))
                                        .requires_grad_(true));
                    parameters.push_back(grids.back());
                }
                perPart.push_back(std::move(grids));
            }
        }
        model.setInterceptor(&working);
        UnitReport report{unit.name, "activations", cacheLoss(model, unitIndex, cache, data), 0, 0};
        model.setInterceptor(&learnable);
        const int iterations = options.activationIterations;
        if (iterations > 0) {
            torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(options.activationLearningRate));
            bool stepDependent = false;  // per-step or relaxed grids
            for (const std::string& name : unit.sites)
                if (const SiteQuantState* st = working.find(name))
                    for (const ActivationQuantizer& q : st->activationParts) stepDependent |= q.grids.size() > 1;
            BatchSampler sampler(cache, options.batchSize, options.seed + 7919 * (unitIndex + 1), stepDependent);
            torch::AutoGradMode grad(true);
            for (int it = 0; it < iterations; ++it) {
                if (callbacks.shouldCancel()) throw Cancelled();
                // Cosine decay to 0, as Q-Diffusion's activation phase.
                const double lr = options.activationLearningRate * 0.5 * (1 + std::cos(M_PI * it / iterations));
                for (auto& group : optimizer.param_groups())
                    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
                const auto [rows, step] = sampler.next();
                setStepFor(model, data, step);
                const torch::Tensor out = model.runUnit(unitIndex, inputsAt(cache, rows));
                const torch::Tensor loss = reconstructionLoss(out, cache.target.index_select(0, rows));
                // Undefined (not zero) gradients, so that Adam leaves the grids of
                // steps absent from this minibatch alone (LibTorch 1.13's
                // zero_grad zeroes them, and Adam would still move them).
                for (torch::Tensor& p : parameters) p.mutable_grad().reset();
                loss.backward();
                optimizer.step();
                {
                    torch::NoGradGuard noGrad;  // a step size must stay positive
                    for (torch::Tensor& s : parameters) s.clamp_min_(1e-8);
                }
                if (it % 50 == 0 || it + 1 == iterations)
                    callbacks.reportDetail(lossText(unit.name, it + 1, iterations, loss.item<double>()));
            }
        }
        // Write the learned steps into the grids (zero points unchanged) and keep them if they help.
        std::vector<std::pair<ActivationGrid*, ActivationGrid>> previous;
        for (auto& [name, perPart] : learnable.scales) {
            SiteQuantState& st = *const_cast<SiteQuantState*>(working.find(name));
            for (std::size_t p = 0; p < perPart.size(); ++p) {
                ActivationQuantizer& q = st.activationParts[p];
                for (std::size_t g = 0; g < q.grids.size(); ++g) {
                    ActivationGrid& grid = q.grids[g];
                    previous.emplace_back(&grid, grid);
                    const IntegerRange r = integerRange(grid.bits, q.symmetric);
                    grid.params.scale = perPart[p][g].item<float>();
                    grid.lo = static_cast<float>((r.qmin - grid.params.zeroPoint) * static_cast<double>(grid.params.scale));
                    grid.hi = static_cast<float>((r.qmax - grid.params.zeroPoint) * static_cast<double>(grid.params.scale));
                }
            }
        }
        model.setInterceptor(&working);
        report.after = cacheLoss(model, unitIndex, cache, data);
        if (!(report.after < report.before)) {
            for (auto& [grid, old] : previous) *grid = old;
            report.after = report.before;
        }
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        reports.push_back(report);
        callbacks.report(++done, static_cast<int>(todo.size()));
    }
    quantized = std::move(working);
    return reports;
}

}  // namespace dq
