#pragma once
// The explorer's main window: dockable panels (quantization settings, the
// layer tree, histograms, the layer × timestep heatmap, the log console)
// around the generation comparison, a status bar with progress, ETA and
// Cancel, and menus for models, runs, views and the language. All heavy work
// goes to the worker thread through WorkerController; this class only wires
// plain data into widgets.
#include <optional>

#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include "app/gui/explorer_types.h"
#include "app/gui/worker.h"

class QActionGroup;
class QDockWidget;
class QLabel;

namespace dq::widgets {
class LayerTable;
class LogConsole;
class ProgressStatus;
}  // namespace dq::widgets

namespace dq::gui {
class AllocateDialog;
}

namespace dq::gui {

class GenerationPanel;
class HeatmapPanel;
class HistogramPanel;
class LayerTools;
class LogBridge;
class QuantizationPanel;
class WorkerController;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Queues loading a model folder; modelChanged() or an error follows.
    // On failure the current model stays.
    quint64 openModel(const QString& folder);
    // Queues opening a quantized model (an artifact of the current model);
    // quantizedModelChanged() or an error follows.
    quint64 openQuantizedModel(const QString& folder);
    void calibrate();
    // Queues a sensitivity sweep of the current plan (on the calibration data
    // the Quantization panel describes); the Sensitivity column follows.
    void measureSensitivity();
    // Sets per-site weight widths for an average of `bits` from the last sweep
    // (the plan becomes "custom"); false with the reason in lastError().
    // One dynamic program on the calling thread (for scripts and tests; the
    // dialog's slider reads the worker's table instead).
    bool allocateWeightBits(double bits);
    // Opens the Allocate… dialog at `bits` (non-modal) and computes its
    // frontier and allocation table on the worker; applying it applies the
    // dialog's allocation.
    void openAllocateDialog(double bits);
    AllocateDialog* allocateDialog() const;
    void generate();
    void collectStatistics(bool quantized);
    void evaluate(int samples);
    void cancelAll();
    bool saveComparison(const QString& path, QString* error = nullptr);
    void setShowErrorDialogs(bool on) { showErrorDialogs_ = on; }
    // Scripted sessions leave the user's settings (recent models, panels) alone.
    void setPersistSettings(bool on) { persistSettings_ = on; }

    QString modelFolder() const;
    bool busy() const;
    const QuantPlan& plan() const { return plan_; }
    bool hasQuantizedModel() const { return quantized_ != nullptr; }
    // The plan of the current quantized model (relaxing included), if any.
    const QuantPlan* calibratedPlan() const { return calibratedPlan_ ? &*calibratedPlan_ : nullptr; }
    QString summaryText() const;
    QString lastError() const { return lastError_; }
    StatisticsPtr fpStatistics() const { return fpStats_; }
    StatisticsPtr quantizedStatistics() const { return quantStats_; }

    widgets::LayerTable* layerTable() const { return layers_; }
    QuantizationPanel* quantizationPanel() const { return quantPanel_; }
    GenerationPanel* generationPanel() const { return generation_; }
    HistogramPanel* histogramPanel() const { return histograms_; }
    HeatmapPanel* heatmapPanel() const { return heatmap_; }
    LayerTools* layerTools() const { return layerTools_; }
    SensitivityPtr sensitivity() const { return sensitivity_; }
    widgets::LogConsole* logConsole() const { return console_; }
    widgets::ProgressStatus* progressStatus() const { return progress_; }
    WorkerController* controller() const { return controller_; }

Q_SIGNALS:
    void modelChanged(const QString& folder);
    void quantizedModelChanged(bool present);
    void comparisonShown();
    void statisticsShown(bool quantized);
    void evaluationShown(const dq::gui::EvaluationData& result);
    void errorShown(const QString& message);
    // No job running or queued.
    void idle();

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void createDocks();
    void createMenus();
    void connectWorker();
    void retranslate();
    void restoreWindowSettings();
    void fitDocksToPanels();
    void saveWindowSettings();

    void chooseModel();
    void chooseQuantizedModel();
    void chooseSaveQuantizedModel();
    void chooseSaveComparison();
    void chooseEvaluate();
    void rememberRecent(const QString& folder);
    void rebuildRecentMenu();
    void setLanguage(const QString& code);

    void onModelLoaded(const ModelInfoPtr& model);
    void onQuantizedModel(const QuantizedModelPtr& model);
    void onQuantizedDiscarded();
    void onStatistics(const StatisticsPtr& stats);
    void onComparison(const ComparisonPtr& comparison);
    void applyAllocation(const SensitivityReport& report, const Allocation& allocation);
    void onSensitivity(const SensitivityPtr& sensitivity);
    void onEvaluation(const EvaluationData& result);
    void onJobFinished(quint64 id, JobOutcome outcome, const QString& message);
    void onBusyChanged(bool busy);
    void showError(const QString& title, const QString& message);

    void rebuildPlan();
    // The plan a calibration with the panel's settings records: the edited
    // plan, relaxed (PCR) for the current number of sampling steps.
    QuantPlan calibrationPlan() const;
    void onBitsEdited(const QString& site, int weightBits, int activationBits);
    void refreshLayerTable();
    void refreshCalibrationState();
    void showSiteStep(const QString& site, qint64 timestep);
    void updateSummary();
    void updateTitle();

    // Owned here; destroyed in ~MainWindow before the log bridge.
    WorkerController* controller_;
    LogBridge* logBridge_;

    GenerationPanel* generation_;
    QuantizationPanel* quantPanel_;
    widgets::LayerTable* layers_;
    LayerTools* layerTools_;
    QLabel* summary_;
    HistogramPanel* histograms_;
    HeatmapPanel* heatmap_;
    widgets::LogConsole* console_;
    widgets::ProgressStatus* progress_;
    QDockWidget* quantDock_ = nullptr;
    QDockWidget* layerDock_ = nullptr;
    QDockWidget* histogramDock_ = nullptr;
    QDockWidget* heatmapDock_ = nullptr;
    QDockWidget* logDock_ = nullptr;

    QMenu* fileMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* shippedMenu_ = nullptr;
    QMenu* runMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* languageMenu_ = nullptr;
    QMenu* helpMenu_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* openQuantAction_ = nullptr;
    QAction* saveQuantAction_ = nullptr;
    QAction* saveComparisonAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* calibrateAction_ = nullptr;
    QAction* generateAction_ = nullptr;
    QAction* statsAction_ = nullptr;
    QAction* evaluateAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QActionGroup* languageGroup_ = nullptr;

    ModelInfoPtr model_;
    QuantPlan plan_;
    std::optional<QuantPlan> calibratedPlan_;
    QuantizedModelPtr quantized_;
    StatisticsPtr fpStats_, quantStats_;
    SensitivityPtr sensitivity_;
    QPointer<AllocateDialog> allocateDialog_;
    quint64 frontierJob_ = 0;  // the open dialog's frontier job
    QHash<quint64, QString> jobTitles_;
    QString pendingFolder_;
    QString lastError_;
    bool showErrorDialogs_ = true;
    bool fitDocksOnShow_ = true;  // until saved window state was restored or the window was first shown
    bool persistSettings_ = true;
    bool closing_ = false;
};

}  // namespace dq::gui
