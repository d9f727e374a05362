#include "core/stats/activation_stats.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/denoiser.h"
#include "core/stats/fast_summary.h"
#include "core/stats/histogram_quantile.h"

namespace dq {

namespace {

// Running central moments, merged batch by batch (Pébay's pairwise formulas),
// so large means do not cancel the higher moments.
struct Moments {
    double n = 0, mean = 0, m2 = 0, m3 = 0, m4 = 0;
    double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();

    // lo, hi: the chunk's extremes when the caller already has them.
    void add(const torch::Tensor& x, double lo = NAN, double hi = NAN) {
        const double nb = static_cast<double>(x.numel());
        if (nb == 0) return;
        const torch::Tensor flat = x.reshape({-1});
        const double mb = flat.mean().item<double>();
        const torch::Tensor d = flat - mb;
        const torch::Tensor d2 = d * d;
        const double b2 = d2.sum().item<double>(), b3 = (d2 * d).sum().item<double>(), b4 = (d2 * d2).sum().item<double>();
        if (std::isnan(lo) || std::isnan(hi)) {
            const auto [l, h] = torch::aminmax(flat);
            lo = l.item<double>();
            hi = h.item<double>();
        }
        merge(nb, mb, b2, b3, b4, lo, hi);
    }

    // Merges a chunk given by its count, mean, centred power sums and extremes.
    void merge(double nb, double mb, double b2, double b3, double b4, double lo, double hi) {
        if (nb == 0) return;
        min = std::min(min, lo);
        max = std::max(max, hi);
        const double na = n, nt = na + nb, delta = mb - mean;
        const double d1 = delta / nt;
        const double m4n = m4 + b4 + delta * d1 * d1 * d1 * na * nb * (na * na - na * nb + nb * nb) +
                           6 * d1 * d1 * (na * na * b2 + nb * nb * m2) + 4 * d1 * (na * b3 - nb * m3);
        const double m3n = m3 + b3 + delta * d1 * d1 * na * nb * (na - nb) + 3 * d1 * (na * b2 - nb * m2);
        const double m2n = m2 + b2 + delta * d1 * na * nb;
        mean += d1 * nb;
        m2 = m2n;
        m3 = m3n;
        m4 = m4n;
        n = nt;
    }

    MomentSummary summary() const {
        MomentSummary s;
        s.count = n;
        if (n == 0) return s;
        s.min = min;
        s.max = max;
        s.mean = mean;
        const double var = m2 / n;
        s.std = std::sqrt(std::max(var, 0.0));
        if (var > 0) {
            s.skewness = (m3 / n) / std::pow(var, 1.5);
            s.kurtosis = (m4 / n) / (var * var) - 3.0;
        }
        const double correction = n > 3 ? 3.0 * (n - 1) * (n - 1) / ((n - 2) * (n - 3)) : 3.0;
        s.bimodality = var > 0 ? (s.skewness * s.skewness + 1.0) / (s.kurtosis + correction) : 0.0;
        return s;
    }
};

// Fixed bin count, range doubling towards new values (bins merge pairwise).
struct AdaptiveHistogram {
    int bins = 128;
    double lo = 0, width = 0;
    torch::Tensor counts;  // [steps, bins] float64 (exact integers below 2^53)

    void grow(bool upward) {
        const torch::Tensor merged = counts.view({counts.size(0), bins / 2, 2}).sum(2);
        torch::Tensor next = torch::zeros_like(counts);
        if (upward) {
            next.narrow(1, 0, bins / 2).copy_(merged);
        } else {
            next.narrow(1, bins / 2, bins / 2).copy_(merged);
            lo -= bins * width;
        }
        width *= 2;
        counts = next;
    }

    void add(const torch::Tensor& x, int step, int steps, double xmin, double xmax) {
        ensureRange(steps, xmin, xmax);
        const torch::Tensor h = torch::histc(x.to(torch::kFloat32), bins, lo, lo + bins * width);
        counts[step] += h.to(torch::kCPU, torch::kFloat64);
    }

    // Creates the counts on first use and grows the range to cover [xmin, xmax].
    void ensureRange(int steps, double xmin, double xmax) {
        if (!counts.defined()) {
            counts = torch::zeros({steps, bins}, torch::kFloat64);
            double span = xmax - xmin;
            if (!(span > 0)) span = std::max(std::abs(xmin), 1.0) * 1e-3;
            lo = xmin - 0.01 * span;
            width = span * 1.02 / bins;
        }
        while (xmin < lo) grow(false);
        while (xmax >= lo + bins * width) grow(true);
    }

    double quantile(int step, double fraction) const {
        const torch::Tensor row = counts[step];
        if (!(row.sum().item<double>() > 0)) return 0;  // the step was never observed
        return histogramQuantile(row, lo, width, fraction);
    }
};

struct PartCollector {
    std::string label;
    int64_t from = 0, to = -1;  // channel slice; to = −1: all
    AdaptiveHistogram histogram;
    std::vector<Moments> moments;
};

struct SiteCollector {
    SiteInfo info;
    std::vector<PartCollector> parts;
    std::vector<double> signal, noise;  // per step, for SQNR
};

// Σ reference² and Σ (output − reference)², in one pass on the CPU.
std::pair<double, double> signalAndNoise(const torch::Tensor& output, const torch::Tensor& reference) {
    if (!output.device().is_cpu() || output.scalar_type() != torch::kFloat32 ||
        reference.scalar_type() != torch::kFloat32 || output.sizes() != reference.sizes())
        return {reference.pow(2).sum().item<double>(), (output - reference).pow(2).sum().item<double>()};
    const torch::Tensor o = output.contiguous(), r = reference.contiguous();
    return fast::signalAndNoise(o.data_ptr<float>(), r.data_ptr<float>(), o.numel());
}

class StatsCollector : public Interceptor {
public:
    StatsCollector(const Denoiser& model, int steps, int bins, Interceptor* inner) : steps_(steps), inner_(inner) {
        for (const SiteInfo& site : model.sites()) {
            SiteCollector c;
            c.info = site;
            auto part = [&](const char* label, int64_t from, int64_t to) {
                PartCollector p;
                p.label = label;
                p.from = from;
                p.to = to;
                p.histogram.bins = bins;
                p.moments.resize(static_cast<std::size_t>(steps));
                c.parts.push_back(std::move(p));
            };
            part("input", 0, -1);
            if (site.splitChannels > 0 && !isAttentionOperand(site.kind)) {
                part("h", 0, site.splitChannels);
                part("skip", site.splitChannels, site.inputChannels);
            }
            c.signal.assign(static_cast<std::size_t>(steps), 0.0);
            c.noise.assign(static_cast<std::size_t>(steps), 0.0);
            index_[site.name] = sites_.size();
            sites_.push_back(std::move(c));
        }
    }

    // The CPU fast path (fast_summary.h): spans of the contiguous input per
    // part, two passes each; a split site's whole-input moments are merged
    // from its halves and its histogram counted in the halves' second pass.
    // Returns false on non-finite values (the general path filters them).
    bool collectFast(SiteCollector& c, const torch::Tensor& input, int step) {
        const torch::Tensor x = input.contiguous();
        const float* data = x.data_ptr<float>();
        const int64_t batch = x.size(0), channels = x.size(1);
        const int64_t inner = batch * channels > 0 ? x.numel() / (batch * channels) : 0;
        auto spans = [&](const PartCollector& p) {
            if (p.to < 0) return std::vector<fast::Span>{{data, x.numel()}};
            std::vector<fast::Span> out;
            for (int64_t b = 0; b < batch; ++b) out.push_back({data + (b * channels + p.from) * inner, (p.to - p.from) * inner});
            return out;
        };
        auto row = [&](PartCollector& p) {
            AdaptiveHistogram& h = p.histogram;
            return fast::HistogramRow{h.counts.data_ptr<double>() + static_cast<int64_t>(step) * h.bins, h.bins, h.lo, h.width};
        };
        const std::size_t k = static_cast<std::size_t>(step);
        // Pass 1 uses LibTorch's reductions, which are vectorised for the CPU
        // they run on (AVX2 and up), unlike code built for baseline x86-64.
        auto extremesOf = [&](const PartCollector& p) {
            const torch::Tensor v = p.to < 0 ? x : x.narrow(1, p.from, p.to - p.from);
            fast::Extremes e;
            e.count = v.numel();
            if (e.count == 0) return e;
            const auto [lo, hi] = torch::aminmax(v);  // one pass for both
            e.min = lo.item<double>();
            e.max = hi.item<double>();
            e.sum = v.sum().item<double>();  // cascade-summed in float32 by LibTorch
            e.finite = std::isfinite(e.min) && std::isfinite(e.max) && std::isfinite(e.sum);
            return e;
        };
        if (c.parts.size() == 1) {
            PartCollector& p = c.parts[0];
            const std::vector<fast::Span> all = spans(p);
            const fast::Extremes e = extremesOf(p);
            if (!e.finite) return false;
            if (e.count == 0) return true;
            p.histogram.ensureRange(steps_, e.min, e.max);
            const double mean = e.sum / static_cast<double>(e.count);
            const fast::CentredSums m = fast::centredSumsAndCounts(all, mean, row(p));
            p.moments[k].merge(static_cast<double>(e.count), mean, m.s2, m.s3, m.s4, e.min, e.max);
            return true;
        }
        PartCollector& whole = c.parts[0];
        std::vector<std::vector<fast::Span>> halves;
        std::vector<fast::Extremes> e;
        for (std::size_t part = 1; part < c.parts.size(); ++part) {
            halves.push_back(spans(c.parts[part]));
            e.push_back(extremesOf(c.parts[part]));
            if (!e.back().finite) return false;
        }
        double lo = e[0].min, hi = e[0].max;
        for (const fast::Extremes& h : e) {
            lo = std::min(lo, h.min);
            hi = std::max(hi, h.max);
        }
        whole.histogram.ensureRange(steps_, lo, hi);
        const fast::HistogramRow wholeRow = row(whole);
        for (std::size_t part = 1; part < c.parts.size(); ++part) {
            const fast::Extremes& h = e[part - 1];
            if (h.count == 0) continue;
            PartCollector& p = c.parts[part];
            p.histogram.ensureRange(steps_, h.min, h.max);
            const double mean = h.sum / static_cast<double>(h.count);
            const fast::CentredSums m = fast::centredSumsAndCounts(halves[part - 1], mean, row(p), &wholeRow);
            p.moments[k].merge(static_cast<double>(h.count), mean, m.s2, m.s3, m.s4, h.min, h.max);
            whole.moments[k].merge(static_cast<double>(h.count), mean, m.s2, m.s3, m.s4, h.min, h.max);
        }
        return true;
    }

    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& input, const StepContext& step) override {
        auto it = index_.find(site.name);
        if (it != index_.end() && step.stepIndex >= 0 && step.stepIndex < steps_) {
            SiteCollector& c = sites_[it->second];
            const bool fastPath = input.device().is_cpu() && input.scalar_type() == torch::kFloat32 && input.dim() >= 2;
            if (fastPath && collectFast(c, input, step.stepIndex)) return inner_ ? inner_->onInput(site, input, step) : input;
            for (PartCollector& p : c.parts) {
                torch::Tensor x = p.to < 0 ? input : input.narrow(1, p.from, p.to - p.from);
                auto [loT, hiT] = torch::aminmax(x);
                double lo = loT.item<double>(), hi = hiT.item<double>();
                if (!std::isfinite(lo) || !std::isfinite(hi)) {
                    // Overflowed activations (a broken plan) are left out of the
                    // statistics instead of stretching the histogram forever.
                    x = x.masked_select(torch::isfinite(x));
                    if (x.numel() == 0) continue;
                    std::tie(loT, hiT) = torch::aminmax(x);
                    lo = loT.item<double>();
                    hi = hiT.item<double>();
                }
                p.moments[static_cast<std::size_t>(step.stepIndex)].add(x, lo, hi);
                p.histogram.add(x, step.stepIndex, steps_, lo, hi);
            }
        }
        return inner_ ? inner_->onInput(site, input, step) : input;
    }
    torch::Tensor onWeight(const SiteInfo& site, const torch::Tensor& weight, const StepContext& step) override {
        return inner_ ? inner_->onWeight(site, weight, step) : weight;
    }
    bool wantsReferenceOutput(const SiteInfo&) const override { return inner_ != nullptr; }
    torch::Tensor onOutput(const SiteInfo& site, const torch::Tensor& output, const torch::Tensor& reference,
                           const StepContext& step) override {
        if (inner_ && reference.defined() && step.stepIndex >= 0 && step.stepIndex < steps_) {
            auto it = index_.find(site.name);
            if (it != index_.end()) {
                SiteCollector& c = sites_[it->second];
                const auto [signal, noise] = signalAndNoise(output, reference);
                c.signal[static_cast<std::size_t>(step.stepIndex)] += signal;
                c.noise[static_cast<std::size_t>(step.stepIndex)] += noise;
            }
        }
        return inner_ ? inner_->onOutput(site, output, reference, step) : output;
    }

    std::vector<SiteStatistics> finish(int64_t& bytes) const {
        std::vector<SiteStatistics> out;
        bytes = 0;
        for (const SiteCollector& c : sites_) {
            SiteStatistics s;
            s.name = c.info.name;
            s.kind = siteKindName(c.info.kind);
            s.split = isAttentionOperand(c.info.kind) ? 0 : c.info.splitChannels;
            for (const PartCollector& p : c.parts) {
                PartStatistics ps;
                ps.label = p.label;
                ps.bins = p.histogram.bins;
                ps.histLo = p.histogram.lo;
                ps.binWidth = p.histogram.width;
                ps.counts = p.histogram.counts.defined() ? p.histogram.counts.round().to(torch::kInt64)
                                                         : torch::zeros({steps_, ps.bins}, torch::kInt64);
                bytes += ps.counts.numel() * 8;
                for (int k = 0; k < steps_; ++k) {
                    ps.steps.push_back(p.moments[static_cast<std::size_t>(k)].summary());
                    std::vector<double> q;
                    for (double pct : reportedPercentiles())
                        q.push_back(p.histogram.counts.defined() ? p.histogram.quantile(k, pct / 100) : 0.0);
                    ps.percentiles.push_back(q);
                }
                s.parts.push_back(std::move(ps));
            }
            if (inner_)
                for (int k = 0; k < steps_; ++k) {
                    const double sig = c.signal[static_cast<std::size_t>(k)], noise = c.noise[static_cast<std::size_t>(k)];
                    s.sqnrDb.push_back(noise > 0 ? 10 * std::log10(sig / noise) : std::numeric_limits<double>::infinity());
                }
            out.push_back(std::move(s));
        }
        return out;
    }

private:
    int steps_;
    Interceptor* inner_;
    std::vector<SiteCollector> sites_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace

MomentSummary summarizeMoments(const std::vector<torch::Tensor>& chunks) {
    Moments m;
    for (const torch::Tensor& c : chunks) m.add(c);
    return m.summary();
}

std::vector<WeightStatistics> collectWeightStatistics(const Denoiser& model, int bins, Interceptor* quantizer) {
    c10::InferenceMode inference;
    const auto weights = model.stateDict();
    std::vector<WeightStatistics> out;
    for (const SiteInfo& site : model.sites()) {
        if (isAttentionOperand(site.kind)) continue;
        torch::Tensor w = weights.at(site.name + ".weight");
        if (quantizer) w = quantizer->onWeight(site, w, StepContext{});
        const torch::Tensor flat = w.detach().to(torch::kCPU, torch::kFloat32).flatten(1);
        WeightStatistics s;
        s.name = site.name;
        s.channelRanges = torch::stack({std::get<0>(flat.min(1)), std::get<0>(flat.max(1))}, 1).contiguous();
        s.lo = flat.min().item<double>();
        s.hi = flat.max().item<double>();
        if (!(s.hi > s.lo)) s.hi = s.lo + 1e-6;
        s.histogram = torch::histc(flat, bins, s.lo, s.hi).round().to(torch::kInt64);
        out.push_back(std::move(s));
    }
    return out;
}

ModelStatistics collectStatistics(Denoiser& model, const SchedulerConfig& scheduler, const StatsSettings& settings,
                                  Interceptor* quantizer, const ProgressCallbacks& callbacks) {
    if (settings.bins < 4 || settings.bins % 2 != 0) throw Error("Histograms need an even number of bins, at least 4.");
    const std::vector<int64_t> timesteps =
        samplerTimesteps(scheduler, settings.sampling.sampler, settings.sampling.steps, settings.sampling.spacing);
    StatsCollector collector(model, static_cast<int>(timesteps.size()), settings.bins, quantizer);
    Interceptor* previous = model.interceptor();
    model.setInterceptor(&collector);
    SampleCallbacks cb;
    cb.progress = callbacks.progress;
    cb.cancelled = callbacks.cancelled;
    try {
        runSampler(model, scheduler, settings.sampling, cb);
    } catch (...) {
        model.setInterceptor(previous);
        throw;
    }
    model.setInterceptor(previous);
    ModelStatistics stats;
    stats.timesteps = timesteps;
    stats.quantized = quantizer != nullptr;
    stats.sites = collector.finish(stats.bytesHeld);
    stats.weights = collectWeightStatistics(model, settings.bins, quantizer);
    nlohmann::ordered_json j = {{"batch", settings.sampling.batch},
                                {"seed", settings.sampling.seed},
                                {"sampler", samplerKindName(settings.sampling.sampler)},
                                {"steps", settings.sampling.steps},
                                {"spacing", spacingName(settings.sampling.spacing)},
                                {"guidance", settings.sampling.guidanceScale},
                                {"bins", settings.bins}};
    stats.settings = j.dump();
    return stats;
}

namespace {
constexpr const char* kStatsJson = "stats.json";
constexpr const char* kStatsTensors = "stats.safetensors";

std::string histKey(const std::string& site, const std::string& part) { return "activation/" + site + "/" + part; }

nlohmann::ordered_json finiteOrNull(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); }
}  // namespace

void saveStatistics(const std::string& folder, const ModelStatistics& stats) {
    std::filesystem::create_directories(folder);
    using ojson = nlohmann::ordered_json;
    std::map<std::string, torch::Tensor> tensors;
    ojson sites = ojson::array();
    for (const SiteStatistics& s : stats.sites) {
        ojson parts = ojson::array();
        for (const PartStatistics& p : s.parts) {
            tensors[histKey(s.name, p.label)] = p.counts;
            ojson steps = ojson::array();
            for (std::size_t k = 0; k < p.steps.size(); ++k) {
                const MomentSummary& m = p.steps[k];
                steps.push_back({{"count", m.count}, {"min", m.min}, {"max", m.max}, {"mean", m.mean}, {"std", m.std},
                                 {"skewness", m.skewness}, {"kurtosis", m.kurtosis}, {"bimodality", m.bimodality},
                                 {"percentiles", p.percentiles[k]}});
            }
            parts.push_back({{"label", p.label}, {"hist_lo", p.histLo}, {"bin_width", p.binWidth}, {"bins", p.bins},
                             {"steps", steps}});
        }
        ojson site = {{"name", s.name}, {"kind", s.kind}, {"split", s.split}, {"parts", parts}};
        if (!s.sqnrDb.empty()) {
            ojson q = ojson::array();
            for (double v : s.sqnrDb) q.push_back(finiteOrNull(v));
            site["sqnr_db"] = q;
        }
        sites.push_back(site);
    }
    ojson weights = ojson::array();
    for (const WeightStatistics& w : stats.weights) {
        tensors["weight/" + w.name + "/channel_ranges"] = w.channelRanges;
        tensors["weight/" + w.name + "/histogram"] = w.histogram;
        weights.push_back({{"name", w.name}, {"lo", w.lo}, {"hi", w.hi}, {"bins", w.histogram.numel()}});
    }
    ojson root = {{"format", "diffquant-stats"},
                  {"version", 1},
                  {"settings", ojson::parse(stats.settings.empty() ? "{}" : stats.settings)},
                  {"quantized", stats.quantized},
                  {"timesteps", stats.timesteps},
                  {"percentiles", reportedPercentiles()},
                  {"sites", sites},
                  {"weights", weights}};
    saveSafetensors(folder + "/" + kStatsTensors, tensors, {{"format", "diffquant-stats"}});
    writeTextFileAtomically(folder + "/" + kStatsJson, root.dump(1) + "\n");
}

ModelStatistics loadStatistics(const std::string& folder) {
    using ojson = nlohmann::ordered_json;
    const std::string jsonPath = folder + "/" + kStatsJson, tensorPath = folder + "/" + kStatsTensors;
    const ojson root = parseBoundedOrderedJson(readTextFile(jsonPath), "Statistics '" + jsonPath + "'");
    if (!root.is_object() || !root.contains("format") || root["format"] != "diffquant-stats")
        throw Error("'" + jsonPath + "' is not a diffquant statistics file; create one with `diffquant stats`.");
    const TensorFile tensors = loadSafetensors(tensorPath);
    ModelStatistics stats;
    try {
        stats.timesteps = root.at("timesteps").get<std::vector<int64_t>>();
        stats.quantized = root.value("quantized", false);
        stats.settings = root.at("settings").dump();
        for (const ojson& s : root.at("sites")) {
            SiteStatistics site;
            site.name = s.at("name").get<std::string>();
            site.kind = s.at("kind").get<std::string>();
            site.split = s.at("split").get<int64_t>();
            for (const ojson& p : s.at("parts")) {
                PartStatistics part;
                part.label = p.at("label").get<std::string>();
                part.histLo = p.at("hist_lo").get<double>();
                part.binWidth = p.at("bin_width").get<double>();
                part.bins = p.at("bins").get<int>();
                part.counts = tensors.at(histKey(site.name, part.label), tensorPath);
                for (const ojson& k : p.at("steps")) {
                    MomentSummary m;
                    auto num = [&](const char* key) { return k.at(key).is_null() ? 0.0 : k.at(key).get<double>(); };
                    m.count = num("count");
                    m.min = num("min");
                    m.max = num("max");
                    m.mean = num("mean");
                    m.std = num("std");
                    m.skewness = num("skewness");
                    m.kurtosis = num("kurtosis");
                    m.bimodality = num("bimodality");
                    part.steps.push_back(m);
                    part.percentiles.push_back(k.at("percentiles").get<std::vector<double>>());
                }
                site.parts.push_back(std::move(part));
            }
            if (s.contains("sqnr_db"))
                for (const ojson& v : s["sqnr_db"])
                    site.sqnrDb.push_back(v.is_null() ? std::numeric_limits<double>::infinity() : v.get<double>());
            stats.sites.push_back(std::move(site));
        }
        for (const ojson& w : root.at("weights")) {
            WeightStatistics ws;
            ws.name = w.at("name").get<std::string>();
            ws.lo = w.at("lo").get<double>();
            ws.hi = w.at("hi").get<double>();
            ws.channelRanges = tensors.at("weight/" + ws.name + "/channel_ranges", tensorPath);
            ws.histogram = tensors.at("weight/" + ws.name + "/histogram", tensorPath);
            stats.weights.push_back(std::move(ws));
        }
    } catch (const nlohmann::json::exception& e) {
        // nlohmann's text names neither key nor file; its id says what kind of fault it was.
        throw Error("Statistics '" + jsonPath + "' are malformed (a key is missing or has the wrong type, JSON error " +
                    std::to_string(e.id) + "); collect them again with `diffquant stats`.");
    }
    return stats;
}

}  // namespace dq
