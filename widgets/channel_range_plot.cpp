#include "widgets/channel_range_plot.h"

#include <algorithm>
#include <limits>

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace dq::widgets {

ChannelRangePlot::ChannelRangePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setObjectName("channelRangePlot");
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, QString(), QFont(font().family(), 9, QFont::Bold)));
    setMinimumSize(280, 130);
}

QWidget* ChannelRangePlot::plotWidget() const { return plot_; }

void ChannelRangePlot::setAxisLabels(const QString& x, const QString& y) {
    plot_->xAxis->setLabel(x);
    plot_->yAxis->setLabel(y);
}

void ChannelRangePlot::setRanges(const QVector<ChannelRanges>& ranges, const QString& title) {
    ranges_ = ranges;
    plot_->clearGraphs();
    if (auto* text = qobject_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))) text->setText(title);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    int channels = 0;
    for (const ChannelRanges& r : ranges) {
        const int n = static_cast<int>(std::min(r.minimum.size(), r.maximum.size()));
        QVector<double> keys(n);
        for (int c = 0; c < n; ++c) keys[c] = c;
        QCPGraph* top = plot_->addGraph();
        QCPGraph* bottom = plot_->addGraph();
        top->setName(r.label);
        bottom->removeFromLegend();
        for (QCPGraph* g : {top, bottom}) {
            g->setPen(QPen(r.color, 1.2));
            g->setLineStyle(QCPGraph::lsStepCenter);
        }
        QColor fill = r.color;
        fill.setAlpha(60);
        top->setBrush(fill);
        top->setChannelFillGraph(bottom);
        top->setData(keys, r.maximum.mid(0, n), true);
        bottom->setData(keys, r.minimum.mid(0, n), true);
        for (int c = 0; c < n; ++c) {
            lo = std::min(lo, r.minimum[c]);
            hi = std::max(hi, r.maximum[c]);
        }
        channels = std::max(channels, n);
    }
    plot_->xAxis->setRange(-0.5, std::max(channels, 1) - 0.5);
    if (lo < hi) {
        const double pad = 0.05 * (hi - lo);
        plot_->yAxis->setRange(lo - pad, hi + pad);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace dq::widgets
