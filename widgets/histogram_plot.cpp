#include "widgets/histogram_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace dq::widgets {

namespace {
// Dense grids (8 bits and up) are drawn as short ticks along the bottom;
// sparse ones (up to 6 bits) as full-height lines so each level is visible.
constexpr int kFullHeightLevelLimit = 64;
constexpr double kTickHeight = 0.05;
}  // namespace

HistogramPlot::HistogramPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setObjectName("histogramPlot");
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->legend->setBrush(QColor(255, 255, 255, 200));
    plot_->yAxis2->setRange(0, 1);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, QString(), QFont(font().family(), 9, QFont::Bold)));
    setMinimumSize(280, 150);
}

QWidget* HistogramPlot::plotWidget() const { return plot_; }

void HistogramPlot::setAxisLabels(const QString& x, const QString& y) {
    plot_->xAxis->setLabel(x);
    plot_->yAxis->setLabel(y);
}

QString HistogramPlot::title() const { return title_; }

void HistogramPlot::setHistograms(const QVector<HistogramSeries>& series, const QVector<GridOverlay>& grids,
                                  const QString& title) {
    series_ = series;
    grids_ = grids;
    title_ = title;
    rebuild();
}

void HistogramPlot::clear(const QString& message) { setHistograms({}, {}, message); }

void HistogramPlot::setLogScale(bool on) {
    if (on == logScale_) return;
    logScale_ = on;
    rebuild();
}

void HistogramPlot::rebuild() {
    plot_->clearGraphs();
    plot_->clearItems();
    if (auto* text = qobject_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))) text->setText(title_);

    double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo, yMax = 0, yMinPositive = xLo;
    for (const HistogramSeries& s : series_) {
        QCPGraph* g = plot_->addGraph(plot_->xAxis, plot_->yAxis);
        g->setName(s.label);
        QPen pen(s.color, 1.5, s.style);
        g->setPen(pen);
        if (s.filled) {
            QColor fill = s.color;
            fill.setAlpha(70);
            g->setBrush(fill);
        }
        g->setLineStyle(QCPGraph::lsStepCenter);
        QVector<double> keys(s.counts.size()), values(s.counts.size());
        for (int b = 0; b < s.counts.size(); ++b) {
            keys[b] = s.lo + (b + 0.5) * s.binWidth;
            const double c = s.counts[b];
            values[b] = (logScale_ && c <= 0) ? std::numeric_limits<double>::quiet_NaN() : c;
            yMax = std::max(yMax, c);
            if (c > 0) yMinPositive = std::min(yMinPositive, c);
        }
        g->setData(keys, values, true);
        if (!s.counts.isEmpty()) {
            xLo = std::min(xLo, s.lo);
            xHi = std::max(xHi, s.lo + s.counts.size() * s.binWidth);
        }
    }

    for (const GridOverlay& grid : grids_) {
        QColor c = grid.color;
        const bool sparse = grid.levels.size() <= kFullHeightLevelLimit;
        QCPGraph* levels = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
        levels->setName(grid.label);
        c.setAlpha(sparse ? 110 : 90);
        levels->setPen(QPen(c, sparse ? 1.0 : 0.6));
        levels->setLineStyle(QCPGraph::lsImpulse);
        QVector<double> keys, heights;
        for (double level : grid.levels) {
            keys.push_back(level);
            heights.push_back(sparse ? 1.0 : kTickHeight);
        }
        levels->setData(keys, heights, true);
        for (double edge : {grid.clipLo, grid.clipHi}) {
            auto* line = new QCPItemStraightLine(plot_);
            line->point1->setCoords(edge, 0);
            line->point2->setCoords(edge, 1);
            QColor lc = grid.color;
            line->setPen(QPen(lc, 2, Qt::DashLine));
        }
        xLo = std::min(xLo, grid.clipLo);
        xHi = std::max(xHi, grid.clipHi);
    }

    if (xLo < xHi) {
        const double pad = 0.03 * (xHi - xLo);
        plot_->xAxis->setRange(xLo - pad, xHi + pad);
    } else {
        plot_->xAxis->setRange(-1, 1);
    }
    if (logScale_) {
        plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        const double lo = std::isfinite(yMinPositive) ? yMinPositive / 2 : 0.5;
        plot_->yAxis->setRange(lo, std::max(yMax * 2, lo * 10));
    } else {
        plot_->yAxis->setScaleType(QCPAxis::stLinear);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        plot_->yAxis->setRange(0, yMax > 0 ? yMax * 1.05 : 1);
    }
    plot_->legend->setVisible(!series_.isEmpty() || !grids_.isEmpty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}


QVector<double> HistogramPlot::plottedCounts(int series) const {
    QVector<double> out;
    if (series < 0 || series >= plot_->graphCount()) return out;
    for (auto it = plot_->graph(series)->data()->constBegin(); it != plot_->graph(series)->data()->constEnd(); ++it)
        out.push_back(it->value);
    return out;
}

QVector<double> HistogramPlot::plottedCentres(int series) const {
    QVector<double> out;
    if (series < 0 || series >= plot_->graphCount()) return out;
    for (auto it = plot_->graph(series)->data()->constBegin(); it != plot_->graph(series)->data()->constEnd(); ++it)
        out.push_back(it->key);
    return out;
}

int HistogramPlot::plottedLevelCount(int grid) const {
    const int index = series_.size() + grid;
    if (grid < 0 || index >= plot_->graphCount()) return 0;
    return plot_->graph(index)->data()->size();
}

}  // namespace dq::widgets
