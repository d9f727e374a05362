#include "app/gui/allocate_dialog.h"

#include <algorithm>
#include <cmath>

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include "widgets/layer_table.h"
#include "widgets/pareto_plot.h"

namespace dq::gui {

namespace {
// The slider moves in hundredths of a bit.
constexpr int kScale = 100;
}  // namespace

double predictedSqnrDb(double nmse) { return nmse > 0 ? -10.0 * std::log10(nmse) : 200.0; }

AllocateDialog::AllocateDialog(const SensitivityPtr& report, const QuantPlan& current, double averageWeightBits,
                               QWidget* parent)
    : QDialog(parent), report_(report), current_(predictPlan(*report, current)), slider_(new QSlider(Qt::Horizontal, this)),
      budget_(new QLabel(this)), summary_(new QLabel(this)), currentLabel_(new QLabel(this)),
      frontierStatus_(new QLabel(this)), plot_(new widgets::ParetoPlot(this)), apply_(new QPushButton(this)),
      close_(new QPushButton(this)) {
    setObjectName("allocateDialog");
    // The slider spans the measured widths: below the narrowest nothing fits,
    // above the widest every site is at the widest.
    const auto range = std::minmax_element(report->weightWidths.begin(), report->weightWidths.end());
    const int low = report->weightWidths.empty() ? 2 : *range.first;
    const int high = report->weightWidths.empty() ? 8 : *range.second;
    slider_->setRange(low * kScale, high * kScale);
    slider_->setSingleStep(5);
    slider_->setPageStep(25);
    slider_->setObjectName("budgetSlider");
    summary_->setWordWrap(true);
    summary_->setObjectName("allocationSummary");
    currentLabel_->setWordWrap(true);
    apply_->setObjectName("applyAllocationButton");
    apply_->setDefault(true);

    auto* top = new QHBoxLayout;
    top->addWidget(slider_, 1);
    top->addWidget(budget_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(frontierStatus_, 1);
    buttons->addWidget(apply_);
    buttons->addWidget(close_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(summary_);
    layout->addWidget(currentLabel_);
    layout->addWidget(plot_, 1);
    layout->addLayout(buttons);

    connect(slider_, &QSlider::valueChanged, this, [this] { updateAllocation(); });
    connect(apply_, &QPushButton::clicked, this, [this] {
        if (allocation_) Q_EMIT applyRequested();
    });
    connect(close_, &QPushButton::clicked, this, &QDialog::reject);
    // A plan with nothing quantized (0 error, 200 dB) or outside the slider's
    // range would only stretch the axes.
    const bool plottable = current_.complete && current_.predictedNmse > 0 && current_.averageWeightBits >= low - 0.5 &&
                           current_.averageWeightBits <= high + 0.5;
    plot_->setCurrent({current_.averageWeightBits, predictedSqnrDb(current_.predictedNmse)}, plottable);
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(static_cast<int>(std::lround(std::clamp(averageWeightBits, double(low), double(high)) * kScale)));
    }
    retranslate();
    resize(640, 520);
}

double AllocateDialog::averageWeightBits() const { return slider_->value() / double(kScale); }

void AllocateDialog::setAverageWeightBits(double bits) { slider_->setValue(static_cast<int>(std::lround(bits * kScale))); }

QString AllocateDialog::summaryText() const { return summary_->text(); }

void AllocateDialog::setFrontier(const FrontierPtr& frontier) {
    if (!frontier) return;
    QVector<QPointF> optimal;
    for (const PlanPrediction& p : frontier->optimal) optimal << QPointF(p.averageWeightBits, predictedSqnrDb(p.predictedNmse));
    QVector<widgets::LabelledPoint> uniform;
    for (const auto& [bits, p] : frontier->uniform)
        uniform.push_back({QPointF(p.averageWeightBits, predictedSqnrDb(p.predictedNmse)), QStringLiteral("W%1").arg(bits)});
    plot_->setFrontier(optimal, uniform);
    hasFrontier_ = true;
    table_ = frontier->table;
    frontierStatus_->setText(tr("Prediction: the sum of each site's error measured alone."));
    updateAllocation();
}

void AllocateDialog::frontierUnavailable(const QString& reason) {
    if (table_) return;
    frontierProblem_ = reason.isEmpty() ? tr("not computed") : reason;
    retranslate();  // the status line, then the allocation under the slider
}

void AllocateDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QDialog::changeEvent(event);
}

void AllocateDialog::retranslate() {
    setWindowTitle(tr("Allocate weight widths"));
    apply_->setText(tr("Apply to the plan"));
    close_->setText(tr("Close"));
    slider_->setToolTip(tr("Average weight width, weighted by each site's weight count"));
    if (hasFrontier_)
        frontierStatus_->setText(tr("Prediction: the sum of each site's error measured alone."));
    else if (!frontierProblem_.isEmpty())
        frontierStatus_->setText(tr("No frontier (%1): each budget is solved here, more slowly.").arg(frontierProblem_));
    else
        frontierStatus_->setText(tr("Computing the frontier on the worker…"));
    plot_->setAxisLabels(tr("average weight width (bits)"), tr("predicted SQNR of ε (dB)"), tr("optimal allocation"),
                         tr("uniform width"), tr("current plan"), tr("this budget"));
    currentLabel_->setText(current_.complete
                               ? tr("Current plan: %1 average weight bits, %2 KiB, predicted %3 dB.")
                                     .arg(current_.averageWeightBits, 0, 'f', 2)
                                     .arg(current_.weightKiB, 0, 'f', 0)
                                     .arg(predictedSqnrDb(current_.predictedNmse), 0, 'f', 1)
                               : tr("Current plan: uses widths the sweep did not measure; not plotted."));
    updateAllocation();
}

// The dynamic program runs once, on the worker, with the frontier; each
// slider move then only reads the allocation for its budget from the table
// (a backtrack, well under a millisecond), so the GUI thread never solves.
void AllocateDialog::updateAllocation() {
    const double bits = averageWeightBits();
    budget_->setText(tr("%1 bits").arg(bits, 0, 'f', 2));
    if (!table_ && frontierProblem_.isEmpty()) {
        allocation_.reset();
        apply_->setEnabled(false);
        summary_->setText(tr("Computing the allocations on the worker…"));
        plot_->setSelected({}, false);
        return;
    }
    try {
        if (table_) {
            allocation_ = table_->allocate(bits);
        } else {  // the worker's table never came: solve this budget here
            allocation_ = allocateAverageWeightBits(*report_, bits);
        }
        error_.clear();
    } catch (const std::exception& e) {
        allocation_.reset();
        error_ = QString::fromStdString(e.what());
    }
    apply_->setEnabled(allocation_.has_value());
    if (!allocation_) {
        summary_->setText(error_);
        plot_->setSelected({}, false);
        return;
    }
    QStringList widths;
    for (const auto& [w, n] : allocation_->weightWidthCounts)
        widths << tr("%1 bits: %2").arg(widgets::LayerTable::bitsText(w)).arg(n);
    const double db = predictedSqnrDb(allocation_->predictedNmse);
    summary_->setText(tr("Predicted: %1 average weight bits · %2 KiB of weights · SQNR %3 dB · %4")
                          .arg(allocation_->averageWeightBits, 0, 'f', 2)
                          .arg(allocation_->weightKiB, 0, 'f', 0)
                          .arg(db, 0, 'f', 1)
                          .arg(widths.join(QStringLiteral(", "))));
    plot_->setSelected({allocation_->averageWeightBits, db});
}

}  // namespace dq::gui
