#pragma once
// Plain data that the worker thread hands to the window: Qt value types and
// torch-free core structs only, shared read-only through QSharedPointer so
// that queued signals do not copy large statistics.
#include <QHash>
#include <QImage>
#include <QMetaType>
#include <QSharedPointer>
#include <QString>
#include <QStringList>
#include <QVector>

#include "core/analysis/bit_allocation.h"
#include "core/analysis/sensitivity_report.h"
#include "core/model/model_summary.h"
#include "core/quant/quant_plan.h"

namespace dq::gui {

// Sampler settings chosen in the window.
struct SamplingSettings {
    QString scheduler = "ddim";  // ddim | ddpm | pndm | euler | dpmpp2m (the explorer uses ddim)
    QString spacing;             // empty: the model's scheduler_config
    int steps = 50;
    double eta = 0.0;
    double guidance = 1.0;
    quint64 seed = 0;
    int count = 16;
    int classLabel = -1;  // −1: mixed (sample i gets class i mod classes)
    // Text-to-image pipelines: the prompt of every image, and the
    // unconditional text of guidance.
    QString prompt;
    QString negativePrompt;
};

struct ModelInfo {
    QString folder;
    ModelSummary summary;
    int classCount = 0;      // real classes; 0 for unconditional models
    QStringList classNames;  // from class_names.txt beside the model, else empty
    bool supportsGuidance = false;
    int trainTimesteps = 0;
    QString device;
    // A text-to-image pipeline: prompts instead of classes, and its own
    // calibration prompts (calibration_prompts.txt beside it; may be empty).
    bool textToImage = false;
    QStringList calibrationPrompts;
};

// One activation grid of a site (or of one half of a split site).
struct GridData {
    qint64 timestep = -1;  // −1: used at every step
    int bits = 8;
    double lo = 0, hi = 0;  // calibrated clipping range
    double scale = 1;
    int zeroPoint = 0;
    qint64 qmin = 0, qmax = 255;
    // The representable values (q − z)·Δ, or none above `limit` levels.
    QVector<double> levels(int limit = 4096) const;
};

struct PartGrids {
    QVector<GridData> grids;  // one, or one per calibrated timestep (ascending)
    const GridData* gridFor(qint64 timestep) const;
};

struct SiteQuantData {
    QString name;
    SitePlan plan;
    qint64 split = 0;               // >0: h and skip have separate grids
    QVector<PartGrids> activation;  // empty: FP input; 1, or 2 for split sites
};

// One reconstruction unit's output error before and after learning.
struct UnitErrorData {
    QString unit;
    QString phase;  // "weights" (AdaRound) or "activations" (LSQ)
    double before = 0, after = 0;
};

struct QuantizedModelData {
    QuantPlan plan;
    QVector<UnitErrorData> units;  // empty unless reconstruction ran
    QVector<SiteQuantData> sites;
    QHash<QString, int> index;
    QString calibration;  // JSON of the calibration settings
    double seconds = 0;
    bool fromArtifact = false;  // opened from a saved artifact (not calibrated now)
    const SiteQuantData* find(const QString& name) const;
};

struct StepMoments {
    double min = 0, max = 0, mean = 0, std = 0, bimodality = 0;
};

struct PartStats {
    QString label;  // "input", "h" or "skip"
    double lo = 0, binWidth = 0;
    int bins = 0;
    QVector<double> counts;  // steps × bins, row-major
    QVector<StepMoments> steps;
    QVector<double> countsAt(int step) const;
};

struct SiteStats {
    QString name;
    QString kind;
    qint64 split = 0;
    QVector<PartStats> parts;  // "input", then "h" and "skip" for shortcut sites
    QVector<double> sqnrDb;    // per step; empty for FP statistics
    const PartStats* part(const QString& label) const;
};

struct WeightStats {
    QString name;
    QVector<double> channelMin, channelMax;
    QVector<double> histogram;
    double lo = 0, hi = 0;
};

struct StatisticsData {
    bool quantized = false;
    QVector<qint64> timesteps;  // per sampling step
    QVector<SiteStats> sites;   // model execution order
    QHash<QString, int> index;
    QVector<WeightStats> weights;
    QHash<QString, int> weightIndex;
    int samples = 0;
    double seconds = 0;
    const SiteStats* find(const QString& name) const;
    const WeightStats* findWeights(const QString& name) const;
};

// The index of the timestep in `timesteps` closest to `t` (-1 when empty):
// heatmap and histogram address steps by timestep, since FP and quantized
// statistics may come from runs with different step counts.
int nearestStepIndex(const QVector<qint64>& timesteps, qint64 t);

struct TrajectoryImages {
    qint64 timestep = 0;
    QImage fpSample, fpX0, quantizedSample, quantizedX0;
    bool decoded() const { return !fpSample.isNull(); }
};

struct ComparisonData {
    quint64 id = 0;  // the generating job's id: names the comparison in frame requests
    SamplingSettings settings;
    QImage fp, quantized, difference;  // grids; quantized/difference null without a quantized model
    double amplify = 4;
    bool hasQuantized = false;
    double psnr = 0, ssim = 0, mse = 0;
    // Text-to-image pipelines: frames carry only their timestep; the worker
    // decodes a step's four latents through the VAE when the scrubber shows it
    // (Worker::decodeTrajectoryFrame), since an SD-size VAE takes seconds per
    // decode and a trajectory has four per step. Pixel models: all decoded.
    QVector<TrajectoryImages> trajectory;
    bool framesOnDemand = false;
    double seconds = 0;
};

// The metrics of one evaluated set of samples.
struct EvaluationMetrics {
    QString promptSet;  // text-to-image pipelines: "calibration" or "held-out" (QDiffBench); else empty
    int prompts = 0;
    int samples = 0;
    double fid = 0, sfid = 0, isMean = 0, isStd = 0, classAccuracy = -1;
    double fidToFp = 0, psnr = 0, ssim = 0, fpFid = 0;
};

struct EvaluationData {
    bool quantized = false;
    QVector<EvaluationMetrics> sets;  // one for class models, one per prompt set for pipelines
    double seconds = 0;
};

using ModelInfoPtr = QSharedPointer<const ModelInfo>;
using QuantizedModelPtr = QSharedPointer<const QuantizedModelData>;
using StatisticsPtr = QSharedPointer<const StatisticsData>;
using ComparisonPtr = QSharedPointer<const ComparisonData>;
// A sensitivity sweep (plain data, no torch types).
using SensitivityPtr = QSharedPointer<const SensitivityReport>;
// Optimal and uniform allocations over a range of budgets (the Pareto plot).
using FrontierPtr = QSharedPointer<const AllocationFrontier>;

// The explorer allocates weight widths among the measured widths only (no
// FP), as `diffquant allocate --no-fp`; the worker's table, the dialog and
// the window all use these options.
AllocationOptions explorerAllocationOptions();
// One allocation at an average weight width, solved on the calling thread.
Allocation allocateAverageWeightBits(const SensitivityReport& report, double bits);

}  // namespace dq::gui

Q_DECLARE_METATYPE(dq::gui::ModelInfoPtr)
Q_DECLARE_METATYPE(dq::gui::QuantizedModelPtr)
Q_DECLARE_METATYPE(dq::gui::StatisticsPtr)
Q_DECLARE_METATYPE(dq::gui::ComparisonPtr)
Q_DECLARE_METATYPE(dq::gui::SensitivityPtr)
Q_DECLARE_METATYPE(dq::gui::FrontierPtr)
Q_DECLARE_METATYPE(dq::gui::EvaluationData)
Q_DECLARE_METATYPE(dq::gui::TrajectoryImages)
