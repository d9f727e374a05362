#include "core/metrics/eval_partial.h"

#include <cmath>
#include <sstream>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/safetensors.h"
#include "core/metrics/evaluation.h"
#include "core/metrics/image_quality.h"

namespace dq {

namespace {

constexpr const char* kKind = "diffquant-eval-partial";

torch::Tensor f64(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); }

std::string joinBatches(const std::set<int>& batches) {
    std::ostringstream out;
    for (int b : batches) out << (out.tellp() > 0 ? "," : "") << b;
    return out.str();
}

}  // namespace

void FeatureMoments::add(const torch::Tensor& features) {
    const torch::Tensor x = f64(features);
    if (count == 0) {
        sum = torch::zeros({x.size(1)}, torch::kFloat64);
        outer = torch::zeros({x.size(1), x.size(1)}, torch::kFloat64);
    }
    sum += x.sum(0);
    outer += x.t().mm(x);
    count += x.size(0);
}

void FeatureMoments::merge(const FeatureMoments& other) {
    if (other.count == 0) return;
    if (count == 0) {
        *this = FeatureMoments{other.count, other.sum.clone(), other.outer.clone()};
        return;
    }
    sum += other.sum;
    outer += other.outer;
    count += other.count;
}

GaussianStats FeatureMoments::gaussian() const {
    if (count < 2) throw Error("A Fréchet distance needs at least two samples.");
    const torch::Tensor mean = sum / static_cast<double>(count);
    torch::Tensor cov = (outer - static_cast<double>(count) * torch::outer(mean, mean)) / static_cast<double>(count - 1);
    cov = (cov + cov.t()) / 2;  // exact symmetry despite round-off
    return {mean, cov, count};
}

void EvalPartial::addBatch(int index, const FeatureOutputs& features, const torch::Tensor& labels,
                           const FeatureOutputs* fp, const PairedMetrics* paired) {
    if (batches.count(index)) throw Error("Evaluation batch " + std::to_string(index) + " was added twice.");
    const int64_t n = features.pooled.size(0);
    const int splits = isSplits();
    if (splits < 1) throw Error("Evaluation needs at least 10 samples (--num).");
    const torch::Tensor probs = f64(features.probs);
    if (!splitCount.defined()) {
        splitCount = torch::zeros({splits}, torch::kInt64);
        splitProbSum = torch::zeros({splits, probs.size(1)}, torch::kFloat64);
        splitPLogP = torch::zeros({splits}, torch::kFloat64);
    }
    batches.insert(index);
    pooled.add(features.pooled);
    spatial.add(features.spatial);

    // Same split boundaries as inceptionScore() on the whole set.
    const int64_t first = static_cast<int64_t>(index) * batchSize, last = first + n;
    for (int s = 0; s < splits; ++s) {
        const int64_t begin = std::max(first, totalSamples * s / splits);
        const int64_t end = std::min(last, totalSamples * (s + 1) / splits);
        if (begin >= end) continue;
        const torch::Tensor part = probs.narrow(0, begin - first, end - begin);
        splitCount[s] += end - begin;
        splitProbSum[s] += part.sum(0);
        splitPLogP[s] += (part * torch::log(part.clamp_min(1e-12))).sum();
    }
    if (labels.defined()) {
        const torch::Tensor l = labels.to(torch::kCPU);
        labelled += n;
        correct += probs.argmax(1).eq(l).sum().item<int64_t>();
        if (fp) fpCorrect += fp->probs.argmax(1).to(torch::kCPU).eq(l).sum().item<int64_t>();
    }
    if (fp) {
        hasFp = true;
        fpPooled.add(fp->pooled);
        fpSpatial.add(fp->spatial);
    }
    if (paired) {
        mseSum += paired->mse * n;
        psnrSum += paired->psnr * n;
        ssimSum += paired->ssim * n;
    }
}

namespace {
FeatureMoments copyOf(const FeatureMoments& m) {
    return {m.count, m.sum.defined() ? m.sum.clone() : m.sum, m.outer.defined() ? m.outer.clone() : m.outer};
}
}  // namespace

void EvalPartial::merge(const EvalPartial& other, const std::string& what) {
    if (other.batches.empty())
        throw Error("'" + what + "' holds no batch; it is not a finished shard's part, so rerun that shard.");
    if (batches.empty()) {
        // A deep copy: later merges add into these tensors in place.
        *this = other;
        pooled = copyOf(other.pooled);
        spatial = copyOf(other.spatial);
        fpPooled = copyOf(other.fpPooled);
        fpSpatial = copyOf(other.fpSpatial);
        splitCount = other.splitCount.clone();
        splitProbSum = other.splitProbSum.clone();
        splitPLogP = other.splitPLogP.clone();
        return;
    }
    if (other.identity != identity || other.totalSamples != totalSamples || other.batchSize != batchSize ||
        other.hasFp != hasFp || other.splitProbSum.sizes() != splitProbSum.sizes() ||
        other.pooled.sum.sizes() != pooled.sum.sizes() || other.spatial.sum.sizes() != spatial.sum.sizes()) {
        // Name what differs first (a setting, the model, the feature network or the prompts), when it is a key.
        std::string differs = "settings, model, prompts or feature network";
        for (const auto& [key, value] : other.identity)
            if (!identity.count(key) || identity.at(key) != value) {
                differs = key;
                break;
            }
        for (const auto& [key, value] : identity)
            if (differs.find(',') != std::string::npos && !other.identity.count(key)) differs = key;
        throw Error("'" + what + "' belongs to another evaluation run (its " + differs +
                    " differs); merge only the shards of one `diffquant eval --shard` run.");
    }
    for (int b : other.batches)
        if (batches.count(b))
            throw Error("'" + what + "' repeats batch " + std::to_string(b) +
                        " that another part already holds; was a shard passed twice?");
    batches.insert(other.batches.begin(), other.batches.end());
    shards.insert(other.shards.begin(), other.shards.end());
    pooled.merge(other.pooled);
    spatial.merge(other.spatial);
    splitCount += other.splitCount;
    splitProbSum += other.splitProbSum;
    splitPLogP += other.splitPLogP;
    labelled += other.labelled;
    correct += other.correct;
    fpPooled.merge(other.fpPooled);
    fpSpatial.merge(other.fpSpatial);
    fpCorrect += other.fpCorrect;
    mseSum += other.mseSum;
    psnrSum += other.psnrSum;
    ssimSum += other.ssimSum;
}

EvalResult EvalPartial::finish(const ReferenceStats& reference) const {
    if (static_cast<int>(batches.size()) != expectedBatches() || samples() != totalSamples) {
        std::set<int> missing;
        for (int b = 0; b < expectedBatches(); ++b)
            if (!batches.count(b)) missing.insert(b);
        // Shards of a K/N run hold batches b with b % N == K: name the ones to rerun.
        std::string rerun;
        if (!shards.empty()) {
            const std::string any = *shards.begin();
            const int n = std::stoi(any.substr(any.find('/') + 1));
            std::set<int> missingShards;
            for (int b : missing) missingShards.insert(b % n);
            for (int k : missingShards) rerun += (rerun.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(n);
        }
        throw Error("The evaluation is incomplete: " + std::to_string(samples()) + " of " +
                    std::to_string(totalSamples) + " samples; missing batches " +
                    (missing.empty() ? std::string("(none, but the sample counts disagree)") : joinBatches(missing)) +
                    (rerun.empty() ? std::string() : "; rerun shard(s) " + rerun) + " and pass every shard's part.");
    }
    EvalResult r;
    r.numSamples = static_cast<int>(totalSamples);
    r.fid = frechetDistance(pooled.gaussian(), reference.pooled);
    r.sfid = frechetDistance(spatial.gaussian(), reference.spatial);
    std::vector<double> scores;
    for (int s = 0; s < isSplits(); ++s) {
        const double n = static_cast<double>(splitCount[s].item<int64_t>());
        const torch::Tensor mass = splitProbSum[s];
        const double crossTerm = (mass * torch::log((mass / n).clamp_min(1e-12))).sum().item<double>();
        scores.push_back(std::exp((splitPLogP[s].item<double>() - crossTerm) / n));
    }
    for (double v : scores) r.isMean += v / scores.size();
    for (double v : scores) r.isStd += (v - r.isMean) * (v - r.isMean) / scores.size();
    r.isStd = std::sqrt(r.isStd);
    r.classAccuracy = labelled > 0 ? static_cast<double>(correct) / labelled : -1.0;
    if (hasFp) {
        FpComparison c;
        c.fidToFp = frechetDistance(pooled.gaussian(), fpPooled.gaussian());
        c.sfidToFp = frechetDistance(spatial.gaussian(), fpSpatial.gaussian());
        c.fpFid = frechetDistance(fpPooled.gaussian(), reference.pooled);
        c.fpClassAccuracy = labelled > 0 ? static_cast<double>(fpCorrect) / labelled : -1.0;
        c.mse = mseSum / totalSamples;
        c.psnr = psnrSum / totalSamples;
        c.ssim = ssimSum / totalSamples;
        r.fp = c;
    }
    return r;
}

void EvalPartial::save(const std::string& path) const {
    std::map<std::string, torch::Tensor> t = {
        {"pooled_sum", pooled.sum},        {"pooled_outer", pooled.outer},     {"spatial_sum", spatial.sum},
        {"spatial_outer", spatial.outer},  {"split_count", splitCount},       {"split_prob_sum", splitProbSum},
        {"split_plogp", splitPLogP},
        {"counts", torch::tensor({pooled.count, labelled, correct, fpCorrect}, torch::kInt64)},
        {"paired_sums", torch::tensor({mseSum, psnrSum, ssimSum}, torch::kFloat64)}};
    if (hasFp) {
        t["fp_pooled_sum"] = fpPooled.sum;
        t["fp_pooled_outer"] = fpPooled.outer;
        t["fp_spatial_sum"] = fpSpatial.sum;
        t["fp_spatial_outer"] = fpSpatial.outer;
    }
    std::map<std::string, std::string> meta = identity;
    meta["kind"] = kKind;
    meta["total_samples"] = std::to_string(totalSamples);
    meta["batch_size"] = std::to_string(batchSize);
    meta["batches"] = joinBatches(batches);
    meta["has_fp"] = hasFp ? "1" : "0";
    std::string shardList;
    for (const std::string& k : shards) shardList += (shardList.empty() ? "" : ",") + k;
    meta["shards"] = shardList;
    saveSafetensors(path, t, meta);
}

EvalPartial EvalPartial::load(const std::string& path) {
    TensorFile file = loadSafetensors(path);
    auto meta = [&](const char* key) {
        auto it = file.metadata.find(key);
        if (it == file.metadata.end())
            throw Error("'" + path + "' is not a part written by `diffquant eval --shard` (no '" + key +
                        "' in its metadata).");
        return it->second;
    };
    if (meta("kind") != kKind)
        throw Error("'" + path + "' is a '" + meta("kind") + "' file, not a part written by `diffquant eval --shard`.");
    EvalPartial p;
    auto number = [&](const char* key) -> int64_t {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(meta(key), &used);
            if (used != meta(key).size() || v < 0) throw std::invalid_argument(key);
            return v;
        } catch (const std::logic_error&) {
            throw Error("'" + path + "': metadata '" + key + "' is not a non-negative integer.");
        }
    };
    p.totalSamples = number("total_samples");
    p.batchSize = static_cast<int>(number("batch_size"));
    if (p.totalSamples < 10 || p.totalSamples > 100000000 || p.batchSize < 1 || p.batchSize > p.totalSamples)
        throw Error("'" + path + "': total_samples or batch_size is out of range.");
    std::stringstream list(meta("batches"));
    for (std::string item; std::getline(list, item, ',');) {
        if (item.empty()) continue;
        std::size_t used = 0;
        int b = -1;
        try { b = std::stoi(item, &used); } catch (const std::logic_error&) {}
        if (b < 0 || used != item.size() || b >= p.expectedBatches())
            throw Error("'" + path + "': batch index '" + item + "' is out of range.");
        p.batches.insert(b);
    }
    if (p.batches.empty())
        throw Error("'" + path + "' holds no batch; it is not a finished shard's part, so rerun that shard.");
    p.hasFp = meta("has_fp") == "1";
    std::stringstream shardText(meta("shards"));
    for (std::string item; std::getline(shardText, item, ',');) {
        const auto slash = item.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 >= item.size() ||
            item.find_first_not_of("0123456789/") != std::string::npos)
            throw Error("'" + path + "': shard '" + item + "' is not K/N.");
        p.shards.insert(item);
    }
    for (const auto& [key, value] : file.metadata)
        if (key != "kind" && key != "total_samples" && key != "batch_size" && key != "batches" && key != "has_fp" &&
            key != "shards")
            p.identity[key] = value;
    auto tensor = [&](const char* key) { return file.at(key, path).to(torch::kFloat64); };
    const torch::Tensor counts = file.at("counts", path).to(torch::kInt64);
    if (counts.numel() != 4) throw Error("'" + path + "': tensor 'counts' must hold 4 values.");
    p.pooled = {counts[0].item<int64_t>(), tensor("pooled_sum"), tensor("pooled_outer")};
    p.spatial = {counts[0].item<int64_t>(), tensor("spatial_sum"), tensor("spatial_outer")};
    p.labelled = counts[1].item<int64_t>();
    p.correct = counts[2].item<int64_t>();
    p.fpCorrect = counts[3].item<int64_t>();
    p.splitCount = file.at("split_count", path).to(torch::kInt64);
    p.splitProbSum = tensor("split_prob_sum");
    p.splitPLogP = tensor("split_plogp");
    if (p.splitCount.numel() != p.isSplits() || p.splitPLogP.numel() != p.isSplits() ||
        p.splitProbSum.dim() != 2 || p.splitProbSum.size(0) != p.isSplits())
        throw Error("'" + path + "': the Inception Score sums do not match its sample count.");
    const torch::Tensor paired = tensor("paired_sums");
    if (paired.numel() != 3) throw Error("'" + path + "': tensor 'paired_sums' must hold 3 values.");
    p.mseSum = paired[0].item<double>();
    p.psnrSum = paired[1].item<double>();
    p.ssimSum = paired[2].item<double>();
    if (p.hasFp) {
        p.fpPooled = {counts[0].item<int64_t>(), tensor("fp_pooled_sum"), tensor("fp_pooled_outer")};
        p.fpSpatial = {counts[0].item<int64_t>(), tensor("fp_spatial_sum"), tensor("fp_spatial_outer")};
    }
    auto checkMoments = [&](const FeatureMoments& m, const char* name) {
        const int64_t d = m.sum.numel();
        if (m.sum.dim() != 1 || m.outer.sizes() != torch::IntArrayRef{d, d})
            throw Error("'" + path + "': the " + name + " feature sums and outer-product sums disagree in size.");
    };
    checkMoments(p.pooled, "pooled");
    checkMoments(p.spatial, "spatial");
    if (p.hasFp) {
        checkMoments(p.fpPooled, "FP pooled");
        checkMoments(p.fpSpatial, "FP spatial");
    }
    int64_t expectedCount = 0;
    for (int b : p.batches) expectedCount += std::min<int64_t>(p.batchSize, p.totalSamples - int64_t(b) * p.batchSize);
    if (p.pooled.count != expectedCount || p.splitCount.sum().item<int64_t>() != expectedCount ||
        p.labelled > expectedCount || p.correct > p.labelled || p.fpCorrect > p.labelled)
        throw Error("'" + path + "': its sample counts do not match its batches; the file is damaged.");
    std::vector<torch::Tensor> all = {p.pooled.sum, p.pooled.outer, p.spatial.sum, p.spatial.outer,
                                      p.splitProbSum, p.splitPLogP, paired};
    if (p.hasFp) all.insert(all.end(), {p.fpPooled.sum, p.fpPooled.outer, p.fpSpatial.sum, p.fpSpatial.outer});
    for (const torch::Tensor& t : all)
        if (!torch::isfinite(t).all().item<bool>()) throw Error("'" + path + "' holds NaN or infinite sums.");
    return p;
}

}  // namespace dq
