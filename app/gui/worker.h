#pragma once
// The explorer's worker: a QObject that lives on its own QThread, owns the
// core objects (the FP model, the quantized model, cached calibration data)
// and runs every long operation there. Results leave as queued signals with
// plain data. No torch types appear here, so the window's translation units
// do not include LibTorch.
//
// Each job carries an id. requestCancel(id) is thread-safe: it cancels the
// running job (checked before every denoising step and calibration batch) and
// every queued job with an id up to `id`, which are skipped when they start.
#include <atomic>
#include <memory>

#include <QObject>

#include "app/gui/explorer_types.h"
#include "core/callbacks.h"

namespace dq::gui {

// How the worker calibrates: the plan plus the calibration data settings.
struct CalibrationRequest {
    QuantPlan plan;
    QString timestepSelection = "uniform";  // uniform (Q-Diffusion) | normal (PTQ4DM NDTC)
    int caliSteps = 20;
    int caliSamples = 64;
    double normalMean = 0.4, normalStd = 0.4;
    SamplingSettings trajectory;  // the FP trajectories the data comes from
    QString rounding = "nearest";  // weight rounding: nearest | gptq | adaround
    int reconIterations = 500;      // AdaRound iterations per unit
    int activationIterations = 0;   // LSQ iterations per unit (0: off)
    bool progressive = false;       // PCR progressive calibration
    QStringList prompts;            // text-to-image pipelines: the calibration prompts
    int textEncoderBits = 0;        // text-to-image pipelines: weight-only widths of the
    int vaeBits = 0;                // text encoder and the VAE decoder (0: FP)
};

// A sensitivity sweep: the base plan and calibration data of `calibration`
// (its rounding options are not used) and the widths to measure.
struct SensitivityRequest {
    CalibrationRequest calibration;
    QVector<int> weightWidths{2, 3, 4, 6, 8};
    QVector<int> activationWidths{4, 6, 8};
    int rowsPerStep = 2;
};

struct StatisticsRequest {
    bool quantized = false;  // with the calibrated model (adds SQNR)
    SamplingSettings sampling;
    int bins = 128;
};

enum class JobOutcome { Finished, Cancelled, Failed };

class Worker : public QObject {
    Q_OBJECT
public:
    explicit Worker(QObject* parent = nullptr);
    ~Worker() override;

    // Thread-safe: cancels the running job if its id ≤ `upTo`, and queued ones.
    void requestCancel(quint64 upTo);
    bool hasQuantizedModel() const { return hasQuantized_.load(); }

    // The jobs. Call them on the worker's thread (queued invocation); each
    // emits jobStarted, progress…, its result signal, and jobFinished.
    void loadModel(quint64 id, const QString& folder, const QString& device);
    void calibrate(quint64 id, const CalibrationRequest& request);
    void measureSensitivity(quint64 id, const SensitivityRequest& request);
    // The optimal allocation at each average weight width of `budgets`, and
    // the uniform widths, predicted from `report` (the Allocate dialog's plot).
    void allocationFrontier(quint64 id, const SensitivityPtr& report, const QVector<double>& budgets);
    void generate(quint64 id, const SamplingSettings& settings, double amplify);
    // One step of the last comparison's trajectory (`comparisonId`: its
    // ComparisonData::id) decoded through the VAE; an older comparison's
    // request is dropped.
    void decodeTrajectoryFrame(quint64 id, quint64 comparisonId, int step);
    void collectStatistics(quint64 id, const StatisticsRequest& request);
    void evaluate(quint64 id, const SamplingSettings& settings, int samples);
    void saveQuantizedModel(quint64 id, const QString& folder);
    void loadQuantizedModel(quint64 id, const QString& folder);
    void discardQuantizedModel(quint64 id);

Q_SIGNALS:
    void jobStarted(quint64 id, const QString& title);
    void progress(quint64 id, int done, int total, const QString& stage);
    // The predicted x0 of the current step while sampling (throttled).
    void preview(quint64 id, const QImage& image, int step, int steps);
    void jobFinished(quint64 id, dq::gui::JobOutcome outcome, const QString& message);

    void modelLoaded(dq::gui::ModelInfoPtr model);
    void quantizedModelReady(dq::gui::QuantizedModelPtr quantized);
    void quantizedModelDiscarded();
    void statisticsReady(dq::gui::StatisticsPtr statistics);
    void comparisonReady(dq::gui::ComparisonPtr comparison);
    void trajectoryFrameReady(quint64 comparisonId, int step, const dq::gui::TrajectoryImages& frame);
    void sensitivityReady(dq::gui::SensitivityPtr sensitivity);
    // `report` is the sweep the frontier was computed from.
    void frontierReady(dq::gui::SensitivityPtr report, dq::gui::FrontierPtr frontier);
    void evaluationReady(const dq::gui::EvaluationData& result);
    void quantizedModelSaved(const QString& folder, qint64 bytes, qint64 fpBytes);

private:
    struct State;
    template <typename Body>
    void run(quint64 id, const QString& title, Body&& body);
    bool cancelled() const;
    QString stageText(const std::string& stage) const;
    ProgressCallbacks jobCallbacks(quint64 id, QString& stage, QString& detail);

    std::unique_ptr<State> state_;
    std::atomic<quint64> cancelUpTo_{0};
    std::atomic<quint64> current_{0};
    std::atomic<bool> hasQuantized_{false};
};

}  // namespace dq::gui

Q_DECLARE_METATYPE(dq::gui::JobOutcome)
