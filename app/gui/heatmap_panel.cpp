#include "app/gui/heatmap_panel.h"

#include <cmath>
#include <limits>

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/heatmap_plot.h"

namespace dq::gui {

HeatmapPanel::HeatmapPanel(QWidget* parent)
    : QWidget(parent), quantity_(new QComboBox(this)), note_(new QLabel(this)), imagesLabel_(new QLabel(this)),
      images_(new QSpinBox(this)), refresh_(new QPushButton(this)), plot_(new widgets::HeatmapPlot(this)) {
    setObjectName("heatmapPanel");
    images_->setRange(1, 256);
    images_->setValue(QSettings().value("statistics/images", 4).toInt());
    images_->setObjectName("statisticsImagesBox");
    imagesLabel_->setBuddy(images_);
    note_->setWordWrap(true);
    refresh_->setObjectName("statisticsButton");
    quantity_->setObjectName("heatmapQuantityBox");
    // Elided rather than setting the dock's width; the popup shows the full names.
    quantity_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    quantity_->setMinimumContentsLength(12);
    for (int i = 0; i < 4; ++i) quantity_->addItem(QString(), i);
    auto* top = new QHBoxLayout;
    top->addWidget(quantity_, 1);
    top->addWidget(imagesLabel_);
    top->addWidget(images_);
    top->addWidget(refresh_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(note_);
    layout->addWidget(plot_, 1);
    connect(quantity_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(refresh_, &QPushButton::clicked, this, &HeatmapPanel::statisticsRequested);
    connect(plot_, &widgets::HeatmapPlot::cellClicked, this, [this](int row, int column) {
        if (row >= 0 && row < rows_.size() && column >= 0 && column < columns_.size())
            Q_EMIT cellActivated(rows_[row], columns_[column]);
    });
    retranslate();
}

void HeatmapPanel::retranslate() {
    quantity_->setItemText(0, tr("Activation range (max − min)"));
    quantity_->setItemText(1, tr("Output SQNR (dB)"));
    quantity_->setItemText(2, tr("Bimodality coefficient"));
    quantity_->setItemText(3, tr("Activation width of the plan (bits)"));
    imagesLabel_->setText(tr("Images"));
    images_->setToolTip(tr("Images sampled (mixed classes) while collecting statistics"));
    refresh_->setText(tr("Collect statistics"));
    refresh();
}

void HeatmapPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

// Only the quantity on screen is recomputed: rebuilding the map is the
// costliest thing the window does when statistics arrive.
void HeatmapPanel::setFpStatistics(const StatisticsPtr& stats) {
    fp_ = stats;
    if (quantity() != Quantity::Sqnr || rows_.isEmpty()) refresh();
}

void HeatmapPanel::setQuantizedStatistics(const StatisticsPtr& stats) {
    quantized_ = stats;
    if (quantity() == Quantity::Sqnr) refresh();
}

void HeatmapPanel::setActivationWidths(const QStringList& sites, const QVector<double>& bits, int steps) {
    if (sites == widthSites_ && bits == widths_ && steps == widthSteps_) return;
    widthSites_ = sites;
    widths_ = bits;
    widthSteps_ = steps;
    if (quantity() == Quantity::ActivationWidth) refresh();
}

void HeatmapPanel::setQuantity(Quantity quantity) { quantity_->setCurrentIndex(static_cast<int>(quantity)); }

HeatmapPanel::Quantity HeatmapPanel::quantity() const { return static_cast<Quantity>(quantity_->currentIndex()); }

int HeatmapPanel::statisticsImages() const { return images_->value(); }
void HeatmapPanel::setStatisticsImages(int images) { images_->setValue(images); }

QStringList HeatmapPanel::rowLabels() const {
    QStringList labels;
    for (const QString& name : rows_) labels << (textDependent_.contains(name) ? tr("%1 · text").arg(name) : name);
    return labels;
}

QString HeatmapPanel::siteAt(int row) const { return row >= 0 && row < rows_.size() ? rows_[row] : QString(); }

void HeatmapPanel::selectCell(const QString& site, qint64 timestep) {
    plot_->setSelection(rows_.indexOf(site), nearestStepIndex(columns_, timestep));
}

void HeatmapPanel::refresh() {
    const Quantity q = quantity();
    if (q == Quantity::ActivationWidth) {
        showActivationWidths();
        return;
    }
    const StatisticsPtr& source = q == Quantity::Sqnr ? quantized_ : fp_;
    rows_.clear();
    columns_.clear();
    if (!source) {
        plot_->clear(quantity_->currentText());
        note_->setText(q == Quantity::Sqnr ? tr("Calibrate to see the quantized model's SQNR.")
                                           : tr("Waiting for statistics…"));
        return;
    }
    QStringList columns;
    for (qint64 t : source->timesteps) columns << QString::number(t);
    columns_ = source->timesteps;
    QVector<double> values;
    const int steps = static_cast<int>(source->timesteps.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const SiteStats& s : source->sites) {
        rows_ << s.name;
        const PartStats* input = s.part("input");
        for (int k = 0; k < steps; ++k) {
            double v = nan;
            if (q == Quantity::Sqnr) {
                // Sites whose output equals FP (nothing quantized) are blank, not +inf.
                if (k < s.sqnrDb.size() && std::isfinite(s.sqnrDb[k])) v = s.sqnrDb[k];
            } else if (input && k < input->steps.size()) {
                const StepMoments& m = input->steps[k];
                v = q == Quantity::Range ? m.max - m.min : m.bimodality;
            }
            values.push_back(v);
        }
    }
    plot_->setData(rowLabels(), columns, values, quantity_->currentText());
    note_->setText(tr("%1 sites × %2 steps · columns are timesteps t · click a cell to inspect it")
                       .arg(rows_.size())
                       .arg(steps));
}

// Columns are sampling steps; with FP statistics of the same step count they
// are labelled by timestep and clicks open the histogram like the other maps.
void HeatmapPanel::showActivationWidths() {
    rows_.clear();
    columns_.clear();
    if (widthSites_.isEmpty() || widthSteps_ <= 0) {
        plot_->clear(quantity_->currentText());
        note_->setText(tr("Open a model to see the plan's widths."));
        return;
    }
    rows_ = widthSites_;
    QStringList columns;
    const bool timed = fp_ && fp_->timesteps.size() == widthSteps_;
    if (timed) columns_ = fp_->timesteps;
    for (int k = 0; k < widthSteps_; ++k)
        columns << (timed ? QString::number(columns_[k]) : tr("step %1").arg(k + 1));
    // FP operands are blank rather than a misleading 0.
    QVector<double> values = widths_;
    for (double& v : values)
        if (v <= 0) v = std::numeric_limits<double>::quiet_NaN();
    plot_->setData(rowLabels(), columns, values, quantity_->currentText());
    note_->setText(tr("%1 sites × %2 sampling steps · relaxed steps show their wider width · blank: floating point")
                       .arg(rows_.size())
                       .arg(widthSteps_));
}

}  // namespace dq::gui
