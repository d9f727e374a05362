#pragma once
// The Allocate… dialog: choose an average weight width with a slider and see,
// live, the allocation the sensitivity sweep predicts is best at that budget
// (its size, average width, width counts and predicted SQNR), next to the
// Pareto plot of all budgets with the uniform widths and the plan being
// edited marked. Applying hands the budget back to the window, which changes
// the plan's weight widths; sites whose widths change are then marked for
// recalibration in the layer table. The frontier, and the table of
// allocations the slider reads, are computed on the worker and arrive through
// setFrontier(); until then the dialog shows no allocation.
#include <memory>
#include <optional>

#include <QDialog>

#include "app/gui/explorer_types.h"

class QLabel;
class QSlider;
class QPushButton;

namespace dq::widgets {
class ParetoPlot;
}

namespace dq::gui {

class AllocateDialog : public QDialog {
    Q_OBJECT
public:
    AllocateDialog(const SensitivityPtr& report, const QuantPlan& current, double averageWeightBits,
                   QWidget* parent = nullptr);

    void setFrontier(const FrontierPtr& frontier);
    // The worker's frontier job failed or was cancelled: the dialog then
    // solves each budget itself (one dynamic program per slider move).
    void frontierUnavailable(const QString& reason);
    SensitivityPtr report() const { return report_; }
    double averageWeightBits() const;
    void setAverageWeightBits(double bits);
    // The allocation under the slider (nullopt when nothing fits the budget).
    const std::optional<Allocation>& allocation() const { return allocation_; }
    QString summaryText() const;
    widgets::ParetoPlot* plot() const { return plot_; }
    QPushButton* applyButton() const { return apply_; }

Q_SIGNALS:
    // Apply allocation() to the plan; the receiver closes the dialog once it did.
    void applyRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateAllocation();

    SensitivityPtr report_;
    std::shared_ptr<const AllocationTable> table_;
    PlanPrediction current_;
    std::optional<Allocation> allocation_;
    QString error_;
    QSlider* slider_;
    QLabel* budget_;
    QLabel* summary_;
    QLabel* currentLabel_;
    QLabel* frontierStatus_;
    widgets::ParetoPlot* plot_;
    QPushButton* apply_;
    QPushButton* close_;
    bool hasFrontier_ = false;
    QString frontierProblem_;  // why there is no table (empty while it is coming)
};

// 10·log10(1 / nmse), the predicted SQNR of the predicted noise in dB.
double predictedSqnrDb(double nmse);

}  // namespace dq::gui
