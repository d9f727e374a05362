#include "core/metrics/robustness.h"

#include <cstdio>
#include <functional>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/metrics/frechet.h"

namespace dq {

namespace {

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

}  // namespace

bool RobustnessReport::allTargetsMet() const {
    for (const RobustnessRow& row : rows)
        if (!row.meetsTarget) return false;
    return true;
}

torch::Tensor addGaussianNoise(const torch::Tensor& images, double sigma, uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return (images + torch::randn(images.sizes(), gen) * sigma).clamp(-1, 1);
}

torch::Tensor raiseBackground(const torch::Tensor& images, double offset) {
    return torch::where(images.le(-1 + 1.0 / 255), images + offset, images).clamp(-1, 1);
}

torch::Tensor boxBlur3x3(const torch::Tensor& images) {
    // Replicated borders, so the frame does not darken or brighten.
    namespace F = torch::nn::functional;
    const torch::Tensor padded = F::pad(images, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReplicate));
    return torch::avg_pool2d(padded, 3, 1);
}

torch::Tensor swapClasses(const torch::Tensor& images, const torch::Tensor& labels, uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    torch::Tensor out = images.clone();
    for (int64_t c = 5; c < 10; ++c) {
        const torch::Tensor targets = labels.eq(c).nonzero().flatten();
        const torch::Tensor donors = labels.eq(c - 5).nonzero().flatten();
        if (targets.numel() == 0) continue;
        if (donors.numel() == 0)
            throw Error("The class swap needs images of class " + std::to_string(c - 5) +
                        " in the perturbed half, which has none; use more images per half (--half).");
        const torch::Tensor pick = donors.index_select(0, torch::randint(donors.numel(), {targets.numel()}, gen));
        out.index_copy_(0, targets, images.index_select(0, pick));
    }
    return out;
}

RobustnessReport measureRobustness(FeatureNet& net, const ImageDataset& test, int halfSize, uint64_t seed,
                                   const ProgressCallbacks& callbacks) {
    if (halfSize < 100 || 2 * static_cast<int64_t>(halfSize) > test.images.size(0))
        throw Error("The robustness report needs two halves of at least 100 images each; the set has " +
                    std::to_string(test.images.size(0)) + " images, " + std::to_string(halfSize) +
                    " per half were asked.");
    const torch::Tensor first = test.images.narrow(0, 0, halfSize);
    const torch::Tensor second = test.images.narrow(0, halfSize, halfSize);
    const torch::Tensor secondLabels = test.labels.narrow(0, halfSize, halfSize);

    const FeatureOutputs reference = extractFeatures(net, first);
    const GaussianStats refPooled = fitGaussian(reference.pooled), refSpatial = fitGaussian(reference.spatial);

    struct Case {
        std::string name, kind, target;
        std::function<torch::Tensor()> make;
        torch::Tensor labels;  // the classes the perturbed images show (the swap changes them)
    };
    const std::string quiet = "delta <= " + format("%.1f", kMaxImperceptibleDelta);
    const std::string loud = "delta >= " + format("%.1f", kMinDamageDelta);
    const std::vector<Case> cases = {
        {"as is", "baseline", "", [&] { return second; }, {}},
        {"noise sigma=0.02", "imperceptible", "", [&] { return addGaussianNoise(second, 0.02, seed + 1); }, {}},
        {"noise sigma=0.04", "imperceptible", quiet, [&] { return addGaussianNoise(second, 0.04, seed + 2); }, {}},
        {"noise sigma=0.08", "imperceptible", "", [&] { return addGaussianNoise(second, 0.08, seed + 3); }, {}},
        {"background +0.04", "imperceptible", quiet, [&] { return raiseBackground(second, 0.04); }, {}},
        {"background +0.08", "imperceptible", "", [&] { return raiseBackground(second, 0.08); }, {}},
        {"3x3 box blur", "damage", loud, [&] { return boxBlur3x3(second); }, {}},
        {"classes 5-9 swapped for 0-4", "damage", loud, [&] { return swapClasses(second, secondLabels, seed + 4); },
         torch::where(secondLabels.ge(5), secondLabels - 5, secondLabels)},
    };
    const bool judged = halfSize == 5000;

    RobustnessReport report;
    report.halfSize = halfSize;
    double baseline = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (callbacks.shouldCancel()) throw Cancelled();
        const Case& c = cases[i];
        const FeatureOutputs f = extractFeatures(net, c.make());
        RobustnessRow row;
        row.name = c.name;
        row.kind = c.kind;
        row.target = judged ? c.target : std::string();
        row.fid = frechetDistance(fitGaussian(f.pooled), refPooled);
        row.sfid = frechetDistance(fitGaussian(f.spatial), refSpatial);
        if (i == 0) baseline = row.fid;
        row.deltaFid = row.fid - baseline;
        row.classAccuracy =
            f.probs.argmax(1).cpu().eq(c.labels.defined() ? c.labels : secondLabels).to(torch::kFloat64).mean().item<double>();
        if (row.target == quiet) row.meetsTarget = row.deltaFid <= kMaxImperceptibleDelta;
        if (row.target == loud) row.meetsTarget = row.deltaFid >= kMinDamageDelta;
        report.rows.push_back(row);
        callbacks.report(static_cast<int>(i + 1), static_cast<int>(cases.size()));
    }
    return report;
}

}  // namespace dq
