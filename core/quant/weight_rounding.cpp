#include "core/quant/weight_rounding.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/model_state_guard.h"
#include "core/model/denoiser.h"
#include "core/quant/calibration_batches.h"

namespace dq {

const char* weightRoundingName(WeightRounding rounding) {
    switch (rounding) {
        case WeightRounding::Nearest: return "nearest";
        case WeightRounding::Gptq: return "gptq";
        case WeightRounding::AdaRound: return "adaround";
    }
    return "?";
}

WeightRounding parseWeightRounding(const std::string& name) {
    if (name == "nearest") return WeightRounding::Nearest;
    if (name == "gptq") return WeightRounding::Gptq;
    if (name == "adaround") return WeightRounding::AdaRound;
    throw Error("Unknown weight rounding '" + name.substr(0, 64) + "'; use nearest, gptq or adaround.");
}

QuantizedUNet quantizeWeights(const Denoiser& model, const QuantPlan& plan) {
    plan.validateAgainst(model.sites(), "plan");
    const auto weights = model.stateDict();
    std::vector<SiteQuantState> states;
    for (const SiteInfo& site : model.sites()) {
        SiteQuantState st;
        st.site = site;
        st.plan = *plan.find(site.name);
        st.split = splitsSite(plan, site) ? site.splitChannels : 0;
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

torch::Tensor layerInputColumns(const SiteInfo& site, const torch::Tensor& input) {
    if (site.kind == SiteKind::Linear) return input.reshape({-1, input.size(-1)});
    const int64_t k = site.weightShape.at(2);
    // [B, Cin·k·k, L] with columns in the weight's (cin, kh, kw) order.
    const torch::Tensor cols = torch::im2col(input, {k, k}, {1, 1}, {site.padding, site.padding}, {site.stride, site.stride});
    return cols.transpose(1, 2).reshape({-1, cols.size(1)});
}

std::vector<torch::Tensor> gptqRound(const torch::Tensor& weight, const torch::Tensor& hessianIn,
                                     const std::vector<ChannelQuantized>& parts,
                                     const std::vector<std::pair<int64_t, int64_t>>& partColumns, double dampening) {
    const int64_t rows = weight.size(0), cols = weight.size(1);
    torch::Tensor w = weight.to(torch::kCPU, torch::kFloat64).contiguous().clone();
    torch::Tensor h = hessianIn.to(torch::kCPU, torch::kFloat64).contiguous().clone();
    // Columns that never saw a non-zero input do not affect the output.
    const torch::Tensor dead = h.diagonal().eq(0);
    h.diagonal().masked_fill_(dead, 1.0);
    const double meanDiag = h.diagonal().mean().item<double>();
    torch::Tensor upper;
    for (double damp = std::max(dampening, 1e-6); !upper.defined(); damp *= 10) {
        try {
            const torch::Tensor damped = h + torch::eye(cols, h.options()) * (damp * meanDiag);
            const torch::Tensor inverse = torch::cholesky_inverse(torch::linalg_cholesky(damped));
            upper = torch::linalg_cholesky(inverse, /*upper=*/true).contiguous();
        } catch (const c10::Error&) {
            if (damp > 10) throw Error("GPTQ: the layer's input Hessian is not positive definite even with heavy dampening.");
        }
    }

    // Per column: which part, its scale and zero point per output channel.
    std::vector<int> columnPart(static_cast<std::size_t>(cols), 0);
    for (std::size_t p = 0; p < partColumns.size(); ++p)
        for (int64_t c = partColumns[p].first; c < partColumns[p].second; ++c) columnPart[static_cast<std::size_t>(c)] = static_cast<int>(p);
    std::vector<torch::Tensor> scales, zeros, codes;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        scales.push_back(parts[p].scale.to(torch::kCPU, torch::kFloat64).contiguous());
        zeros.push_back(parts[p].zeroPoint.to(torch::kCPU, torch::kFloat64).contiguous());
        codes.push_back(torch::zeros({rows, partColumns[p].second - partColumns[p].first}, torch::kInt32));
    }
    const IntegerRange range = integerRange(parts.front().bits, parts.front().symmetric);
    const double qmin = static_cast<double>(range.qmin), qmax = static_cast<double>(range.qmax);

    double* W = w.data_ptr<double>();
    const double* U = upper.data_ptr<double>();
    std::vector<double> err(static_cast<std::size_t>(rows));
    for (int64_t j = 0; j < cols; ++j) {
        const int p = columnPart[static_cast<std::size_t>(j)];
        const double* scale = scales[static_cast<std::size_t>(p)].data_ptr<double>();
        const double* zero = zeros[static_cast<std::size_t>(p)].data_ptr<double>();
        int32_t* code = codes[static_cast<std::size_t>(p)].data_ptr<int32_t>();
        const int64_t local = j - partColumns[static_cast<std::size_t>(p)].first;
        const int64_t width = codes[static_cast<std::size_t>(p)].size(1);
        const double d = U[j * cols + j];
        for (int64_t r = 0; r < rows; ++r) {
            const double value = W[r * cols + j];
            const double q = std::clamp(std::nearbyint(value / scale[r]) + zero[r], qmin, qmax);
            code[r * width + local] = static_cast<int32_t>(q);
            err[static_cast<std::size_t>(r)] = (value - (q - zero[r]) * scale[r]) / d;
        }
        // Spread this column's error over the columns not yet quantized.
        for (int64_t r = 0; r < rows; ++r) {
            const double e = err[static_cast<std::size_t>(r)];
            if (e == 0) continue;
            double* row = W + r * cols;
            const double* u = U + j * cols;
            for (int64_t k = j + 1; k < cols; ++k) row[k] -= e * u[k];
        }
    }
    return codes;
}

namespace {

// Accumulates XᵀX of every weight-quantized site's inputs (FP network).
class HessianCollector : public Interceptor {
public:
    explicit HessianCollector(const QuantizedUNet& quantized) {
        for (const SiteQuantState& st : quantized.sites())
            if (!st.weightParts.empty()) hessians_[st.site.name] = torch::Tensor();
    }
    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext&) override {
        auto it = hessians_.find(site.name);
        if (it == hessians_.end()) return input;
        // float32 products per batch (float64 would double the pass), summed in float64.
        const torch::Tensor x = layerInputColumns(site, input.to(torch::kFloat32));
        const torch::Tensor xtx = torch::matmul(x.t(), x).to(torch::kCPU, torch::kFloat64);
        it->second = it->second.defined() ? it->second.add_(xtx) : xtx;
        counts_[site.name] += x.size(0);
        return input;
    }
    std::unordered_map<std::string, torch::Tensor>& hessians() { return hessians_; }
    int64_t count(const std::string& site) const {
        auto it = counts_.find(site);
        return it == counts_.end() ? 0 : it->second;
    }

private:
    std::unordered_map<std::string, torch::Tensor> hessians_;
    std::unordered_map<std::string, int64_t> counts_;
};

}  // namespace

void roundWeightsGptq(Denoiser& model, QuantizedUNet& quantized, const CalibrationData& data,
                      const GptqOptions& options, const ProgressCallbacks& callbacks) {
    checkCalibrationData(model, data);
    HessianCollector collector(quantized);
    ModelStateGuard guard(model);
    model.setInterceptor(&collector);
    const auto batches = calibrationBatchRows(data, options.batchSize, options.maxPairs);
    std::size_t layers = 0;
    for (const SiteQuantState& st : quantized.sites()) layers += st.weightParts.empty() ? 0 : 1;
    const int total = static_cast<int>(batches.size() + layers);
    callbacks.beginStage("gptq-hessians");
    forEachCalibrationBatch(
        model, data, batches, [&](const CalibrationBatch& b) { model.forward(b.x, b.t, b.condition); }, callbacks, 0, total);
    model.setInterceptor(nullptr);

    callbacks.beginStage("gptq-rounding");
    const auto weights = model.stateDict();
    // New codes are kept aside and applied only when every layer is done, so a
    // cancel leaves `quantized` as it was.
    std::vector<std::pair<std::size_t, std::vector<torch::Tensor>>> results;
    int done = static_cast<int>(batches.size());
    auto& sites = quantized.sites();
    for (std::size_t i = 0; i < sites.size(); ++i) {
        SiteQuantState& st = sites[i];
        if (st.weightParts.empty()) continue;
        if (callbacks.shouldCancel()) throw Cancelled();
        torch::Tensor h = collector.hessians().at(st.site.name);
        if (!h.defined())
            throw Error("GPTQ: the calibration data never reached site '" + st.site.name +
                        "'; collect the calibration data again.");
        h = h * (2.0 / static_cast<double>(std::max<int64_t>(1, collector.count(st.site.name))));
        const torch::Tensor w = weights.at(st.site.name + ".weight").detach().to(torch::kCPU, torch::kFloat64);
        const int64_t perChannel = w[0][0].numel();  // k·k for convs, 1 for linears
        std::vector<std::pair<int64_t, int64_t>> columns;
        for (std::size_t p = 0; p < st.weightParts.size(); ++p) {
            const auto [from, to] = st.partChannels(p);
            columns.emplace_back(from * perChannel, to * perChannel);
        }
        std::vector<torch::Tensor> codes;
        try {
            codes = gptqRound(w.reshape({w.size(0), -1}), h, st.weightParts, columns, options.dampening);
        } catch (const Error& e) {
            throw Error("Site '" + st.site.name + "': " + e.what() + " Use --rounding nearest or adaround for this model.");
        }
        for (std::size_t p = 0; p < codes.size(); ++p)
            codes[p] = codes[p].reshape(st.weightParts[p].q.sizes()).to(st.weightParts[p].q.device(),
                                                                        st.weightParts[p].q.scalar_type());
        results.emplace_back(i, std::move(codes));
        callbacks.report(++done, total);
    }
    for (auto& [i, codes] : results)
        for (std::size_t p = 0; p < codes.size(); ++p) sites[i].weightParts[p].q = std::move(codes[p]);
    quantized.refreshWeights();
    spdlog::info("GPTQ re-rounded {} layers from {} calibration inputs", results.size(), batches.size());
}

}  // namespace dq
