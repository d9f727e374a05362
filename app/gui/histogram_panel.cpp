#include "app/gui/histogram_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "widgets/channel_range_plot.h"
#include "widgets/histogram_plot.h"

namespace dq::gui {

namespace {
const QColor kInput(31, 119, 180);
const QColor kH(255, 127, 14);
const QColor kSkip(148, 103, 189);
const QColor kGrid(214, 39, 40);

QColor partColor(const QString& label) {
    if (label == "h") return kH;
    if (label == "skip") return kSkip;
    return kInput;
}
}  // namespace

HistogramPanel::HistogramPanel(QWidget* parent)
    : QWidget(parent), site_(new QComboBox(this)), step_(new QSlider(Qt::Horizontal, this)), stepLabel_(new QLabel(this)),
      showFp_(new QCheckBox(this)), showQuantized_(new QCheckBox(this)), showGrid_(new QCheckBox(this)),
      logScale_(new QCheckBox(this)), tabs_(new QTabWidget(this)), activations_(new widgets::HistogramPlot(this)),
      summary_(new QLabel(this)), weights_(new widgets::HistogramPlot(this)),
      channels_(new widgets::ChannelRangePlot(this)) {
    setObjectName("histogramPanel");
    site_->setObjectName("histogramSiteBox");
    site_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    site_->setMinimumContentsLength(18);
    step_->setObjectName("histogramStepSlider");
    stepLabel_->setMinimumWidth(140);
    for (QCheckBox* box : {showFp_, showQuantized_, showGrid_}) box->setChecked(true);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setObjectName("histogramSummary");

    auto* top = new QHBoxLayout;
    top->addWidget(site_, 1);
    top->addWidget(step_, 1);
    top->addWidget(stepLabel_);
    // Two rows of two: a compact block beside the plot's controls.
    auto* toggles = new QGridLayout;
    int index = 0;
    for (QCheckBox* box : {showFp_, showQuantized_, showGrid_, logScale_}) {
        toggles->addWidget(box, index / 2, index % 2);
        ++index;
    }
    toggles->setColumnStretch(2, 1);

    auto* activationTab = new QWidget(this);
    auto* activationLayout = new QVBoxLayout(activationTab);
    activationLayout->setContentsMargins(0, 0, 0, 0);
    activationLayout->addWidget(activations_, 1);
    activationLayout->addWidget(summary_);
    auto* weightTab = new QSplitter(Qt::Vertical, this);
    weightTab->addWidget(weights_);
    weightTab->addWidget(channels_);
    tabs_->addTab(activationTab, QString());
    tabs_->addTab(weightTab, QString());

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(toggles);
    layout->addWidget(tabs_, 1);

    connect(site_, &QComboBox::currentIndexChanged, this, [this] {
        refresh();
        Q_EMIT siteChanged(site());
    });
    connect(step_, &QSlider::valueChanged, this, [this] {
        refreshActivations();
        Q_EMIT timestepChanged(timestep());
    });
    for (QCheckBox* box : {showFp_, showQuantized_, showGrid_}) connect(box, &QCheckBox::toggled, this, [this] { refresh(); });
    connect(logScale_, &QCheckBox::toggled, this, [this](bool on) {
        activations_->setLogScale(on);
        weights_->setLogScale(on);
    });
    retranslate();
    refresh();
}

void HistogramPanel::retranslate() {
    showFp_->setText(tr("FP model"));
    showQuantized_->setText(tr("Quantized model"));
    showGrid_->setText(tr("Quantization grid"));
    logScale_->setText(tr("Log counts"));
    tabs_->setTabText(0, tr("Activations"));
    tabs_->setTabText(1, tr("Weights"));
    activations_->setAxisLabels(tr("activation value"), tr("count"));
    weights_->setAxisLabels(tr("weight value"), tr("count"));
    channels_->setAxisLabels(tr("output channel"), tr("weight range"));
    refresh();
}

void HistogramPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void HistogramPanel::setSites(const QStringList& sites, const QSet<QString>& textDependent) {
    {
        const QSignalBlocker block(site_);
        site_->clear();
        // The item's data is the site's name; its text may carry the marker.
        for (const QString& name : sites) {
            const bool text = textDependent.contains(name);
            site_->addItem(text ? tr("%1 · text").arg(name) : name, name);
            if (text)
                site_->setItemData(site_->count() - 1,
                                   tr("Text-dependent: its input comes from the prompt's encoder states, the same at "
                                      "every timestep."),
                                   Qt::ToolTipRole);
        }
        fp_.reset();
        quantized_.reset();
        model_.reset();
        updateStepRange();
    }
    refresh();
    Q_EMIT siteChanged(site());
}

void HistogramPanel::setFpStatistics(const StatisticsPtr& stats) {
    fp_ = stats;
    updateStepRange();
    refresh();
}

void HistogramPanel::setQuantizedStatistics(const StatisticsPtr& stats) {
    quantized_ = stats;
    updateStepRange();
    refresh();
}

void HistogramPanel::setQuantizedModel(const QuantizedModelPtr& model) {
    model_ = model;
    refresh();
}

void HistogramPanel::showSite(const QString& site) {
    const int index = site_->findData(site);
    if (index >= 0) site_->setCurrentIndex(index);
}

void HistogramPanel::showStep(int step) { step_->setValue(step); }

void HistogramPanel::showTimestep(qint64 t) {
    const StatisticsPtr& timeline = fp_ ? fp_ : quantized_;
    const int best = timeline ? nearestStepIndex(timeline->timesteps, t) : -1;
    if (best >= 0) step_->setValue(best);
}

qint64 HistogramPanel::timestep() const {
    const StatisticsPtr& timeline = fp_ ? fp_ : quantized_;
    const int k = step();
    return timeline && k < timeline->timesteps.size() ? timeline->timesteps[k] : -1;
}
QString HistogramPanel::site() const { return site_->currentData().toString(); }
int HistogramPanel::step() const { return step_->value(); }

int HistogramPanel::stepCount() const {
    const StatisticsPtr& s = fp_ ? fp_ : quantized_;
    return s ? static_cast<int>(s->timesteps.size()) : 0;
}

void HistogramPanel::setLogScale(bool on) { logScale_->setChecked(on); }

void HistogramPanel::updateStepRange() {
    const QSignalBlocker block(step_);
    step_->setRange(0, std::max(0, stepCount() - 1));
    step_->setEnabled(stepCount() > 0);
}

void HistogramPanel::refresh() {
    refreshActivations();
    refreshWeights();
}

void HistogramPanel::refreshActivations() {
    const QString name = site();
    const int k = step();
    const StatisticsPtr& timeline = fp_ ? fp_ : quantized_;
    if (!timeline || k >= timeline->timesteps.size()) {
        stepLabel_->setText(tr("no statistics yet"));
        activations_->clear(tr("Statistics appear after the model is loaded (FP) and calibrated (quantized)."));
        summary_->clear();
        return;
    }
    const qint64 timestep = timeline->timesteps[k];
    stepLabel_->setText(tr("step %1 / %2 · t = %3").arg(k + 1).arg(timeline->timesteps.size()).arg(timestep));

    QVector<widgets::HistogramSeries> series;
    QStringList lines;
    // Each statistics set is looked up by timestep: FP and quantized sets may
    // come from runs with different step counts.
    auto stepOf = [&](const StatisticsData& stats) { return static_cast<int>(stats.timesteps.indexOf(timestep)); };
    auto addParts = [&](const SiteStats& s, bool quantizedRun, int at) {
        // Split sites: the two halves (their union is the "input" part).
        const bool split = s.parts.size() > 1;
        for (const PartStats& p : s.parts) {
            if (split && p.label == "input") continue;
            if (at < 0 || at >= p.steps.size()) continue;
            const StepMoments& m = p.steps[at];
            widgets::HistogramSeries h;
            const QString who = quantizedRun ? tr("quantized") : tr("FP");
            const QString part = p.label == "input" ? tr("input") : p.label;
            h.label = tr("%1 %2 (b = %3)").arg(who, part).arg(m.bimodality, 0, 'f', 2);
            h.color = quantizedRun ? partColor(p.label).darker(140) : partColor(p.label);
            h.lo = p.lo;
            h.binWidth = p.binWidth;
            h.counts = p.countsAt(at);
            h.filled = !quantizedRun;
            h.style = quantizedRun ? Qt::DashLine : Qt::SolidLine;
            series.push_back(h);
            lines << tr("%1 %2: min %3, max %4, mean %5, std %6, bimodality %7")
                         .arg(who, part)
                         .arg(m.min, 0, 'g', 4)
                         .arg(m.max, 0, 'g', 4)
                         .arg(m.mean, 0, 'g', 4)
                         .arg(m.std, 0, 'g', 4)
                         .arg(m.bimodality, 0, 'f', 3);
        }
    };
    const SiteStats* fpSite = fp_ ? fp_->find(name) : nullptr;
    const SiteStats* qSite = quantized_ ? quantized_->find(name) : nullptr;
    const int qStep = quantized_ ? stepOf(*quantized_) : -1;
    if (fpSite && showFp_->isChecked()) addParts(*fpSite, false, stepOf(*fp_));
    if (qSite && showQuantized_->isChecked()) addParts(*qSite, true, qStep);
    if (qSite && qStep >= 0 && qStep < qSite->sqnrDb.size())
        lines << tr("output SQNR at this step: %1 dB").arg(qSite->sqnrDb[qStep], 0, 'f', 2);

    QVector<widgets::GridOverlay> grids;
    const SiteQuantData* q = model_ ? model_->find(name) : nullptr;
    if (q && showGrid_->isChecked()) {
        for (int part = 0; part < q->activation.size(); ++part) {
            const GridData* g = q->activation[part].gridFor(timestep);
            if (!g) continue;
            widgets::GridOverlay overlay;
            const bool halves = q->activation.size() > 1;
            overlay.color = halves ? (part == 0 ? kH : kSkip).darker(150) : kGrid;
            overlay.label = halves ? tr("%1-bit grid (%2)").arg(g->bits).arg(part == 0 ? "h" : "skip")
                                   : tr("%1-bit grid").arg(g->bits);
            overlay.clipLo = g->lo;
            overlay.clipHi = g->hi;
            overlay.levels = g->levels();
            grids.push_back(overlay);
            lines << tr("%1: clip [%2, %3], scale %4, zero point %5")
                         .arg(overlay.label)
                         .arg(g->lo, 0, 'g', 4)
                         .arg(g->hi, 0, 'g', 4)
                         .arg(g->scale, 0, 'g', 4)
                         .arg(g->zeroPoint);
        }
        if (q->activation.isEmpty()) lines << tr("This site's input stays in floating point.");
    }
    activations_->setHistograms(series, grids, tr("%1 · step %2 · t = %3").arg(name).arg(k + 1).arg(timestep));
    summary_->setText(lines.join('\n'));
}

void HistogramPanel::refreshWeights() {
    const QString name = site();
    const WeightStats* fp = fp_ ? fp_->findWeights(name) : nullptr;
    const WeightStats* q = quantized_ ? quantized_->findWeights(name) : nullptr;
    QVector<widgets::HistogramSeries> series;
    QVector<widgets::ChannelRanges> ranges;
    auto add = [&](const WeightStats& w, bool quantizedWeights) {
        widgets::HistogramSeries h;
        h.label = quantizedWeights ? tr("quantized weights") : tr("FP weights");
        h.color = quantizedWeights ? kGrid : kInput;
        h.lo = w.lo;
        h.binWidth = w.histogram.isEmpty() ? 0 : (w.hi - w.lo) / w.histogram.size();
        h.counts = w.histogram;
        h.filled = !quantizedWeights;
        h.style = quantizedWeights ? Qt::DashLine : Qt::SolidLine;
        series.push_back(h);
        ranges.push_back({h.label, h.color, w.channelMin, w.channelMax});
    };
    if (fp && showFp_->isChecked()) add(*fp, false);
    if (q && showQuantized_->isChecked()) add(*q, true);
    if (!fp && !q) {
        weights_->clear(tr("%1 has no weights (attention operand) or no statistics yet.").arg(name));
        channels_->setRanges({}, QString());
        return;
    }
    weights_->setHistograms(series, {}, tr("%1 · weights").arg(name));
    channels_->setRanges(ranges, tr("%1 · per-channel min/max").arg(name));
}

QString HistogramPanel::summaryText() const { return summary_->text(); }

}  // namespace dq::gui
