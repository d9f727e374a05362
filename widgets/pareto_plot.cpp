#include "widgets/pareto_plot.h"

#include <algorithm>
#include <limits>

#include <QVBoxLayout>
#include <qcustomplot.h>

namespace dq::widgets {

namespace {
QCPGraph* scatter(QCustomPlot* plot, const QColor& color, QCPScatterStyle::ScatterShape shape, double size,
                  bool line) {
    QCPGraph* g = plot->addGraph();
    g->setPen(QPen(color, line ? 1.6 : 0));
    g->setLineStyle(line ? QCPGraph::lsLine : QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(shape, color, line ? QColor(Qt::white) : color, size));
    return g;
}
}  // namespace

ParetoPlot::ParetoPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setObjectName("paretoPlot");
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    optimal_ = scatter(plot_, QColor(30, 110, 170), QCPScatterStyle::ssCircle, 5, true);
    uniform_ = scatter(plot_, QColor(200, 90, 30), QCPScatterStyle::ssSquare, 7, false);
    current_ = scatter(plot_, QColor(40, 150, 60), QCPScatterStyle::ssStar, 14, false);
    selected_ = scatter(plot_, QColor(160, 30, 120), QCPScatterStyle::ssDiamond, 11, false);
    setAxisLabels(QString(), QString(), QString(), QString(), QString(), QString());
    setMinimumSize(320, 220);
}

QWidget* ParetoPlot::plotWidget() const { return plot_; }

void ParetoPlot::setAxisLabels(const QString& x, const QString& y, const QString& optimal, const QString& uniform,
                               const QString& current, const QString& selected) {
    plot_->xAxis->setLabel(x);
    plot_->yAxis->setLabel(y);
    optimal_->setName(optimal);
    uniform_->setName(uniform);
    current_->setName(current);
    selected_->setName(selected);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParetoPlot::setFrontier(const QVector<QPointF>& optimal, const QVector<LabelledPoint>& uniform) {
    QVector<QPointF> sorted = optimal;
    std::sort(sorted.begin(), sorted.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    QVector<double> x, y;
    for (const QPointF& p : sorted) x << p.x(), y << p.y();
    optimal_->setData(x, y, true);
    uniformPoints_ = uniform;
    x.clear();
    y.clear();
    plot_->clearItems();
    for (const LabelledPoint& p : uniform) {
        x << p.point.x();
        y << p.point.y();
        auto* text = new QCPItemText(plot_);
        text->position->setCoords(p.point);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setPadding(QMargins(4, 2, 0, 0));
        text->setText(p.label);
        text->setFont(QFont(font().family(), 8));
    }
    uniform_->setData(x, y);
    rescale();
}

void ParetoPlot::setCurrent(const QPointF& point, bool visible) {
    current_->setData(QVector<double>{point.x()}, QVector<double>{point.y()});
    current_->setVisible(visible);
    rescale();
}

void ParetoPlot::setSelected(const QPointF& point, bool visible) {
    selected_->setData(QVector<double>{point.x()}, QVector<double>{point.y()});
    selected_->setVisible(visible);
    rescale();
}

int ParetoPlot::frontierPointCount() const { return optimal_->dataCount(); }
int ParetoPlot::uniformPointCount() const { return uniform_->dataCount(); }
bool ParetoPlot::hasCurrent() const { return current_->visible() && current_->dataCount() > 0; }
QPointF ParetoPlot::current() const {
    return current_->dataCount() ? QPointF(current_->dataMainKey(0), current_->dataMainValue(0)) : QPointF();
}
QPointF ParetoPlot::selected() const {
    return selected_->dataCount() ? QPointF(selected_->dataMainKey(0), selected_->dataMainValue(0)) : QPointF();
}

void ParetoPlot::rescale() {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (QCPGraph* g : {optimal_, uniform_, current_, selected_}) {
        if (!g->visible()) continue;
        for (int i = 0; i < g->dataCount(); ++i) {
            x0 = std::min(x0, g->dataMainKey(i));
            x1 = std::max(x1, g->dataMainKey(i));
            y0 = std::min(y0, g->dataMainValue(i));
            y1 = std::max(y1, g->dataMainValue(i));
        }
    }
    if (x0 <= x1) {
        const double px = std::max(0.25, 0.06 * (x1 - x0)), py = std::max(0.5, 0.08 * (y1 - y0));
        plot_->xAxis->setRange(x0 - px, x1 + px);
        plot_->yAxis->setRange(y0 - py, y1 + py);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace dq::widgets
