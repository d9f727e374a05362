#include "widgets/heatmap_plot.h"

#include <cmath>
#include <limits>

#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace dq::widgets {

namespace {
// Tick labels are thinned so they stay readable at any row or column count.
QSharedPointer<QCPAxisTickerText> labelTicker(const QStringList& labels, int maxTicks) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const int stride = std::max(1, static_cast<int>(std::ceil(labels.size() / static_cast<double>(maxTicks))));
    for (int i = 0; i < labels.size(); i += stride) ticker->addTick(i, labels[i]);
    return ticker;
}
}  // namespace

HeatmapPlot::HeatmapPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setObjectName("heatmapPlot");
    plot_->setMouseTracking(true);
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(plot_);
    plot_->plotLayout()->addElement(0, 1, scale_);
    map_->setColorScale(scale_);
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    map_->setGradient(gradient);
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    plot_->yAxis->setRangeReversed(true);  // first site at the top
    plot_->yAxis->setTickLabelFont(QFont(font().family(), 7));
    plot_->xAxis->setTickLabelFont(QFont(font().family(), 7));
    plot_->xAxis->grid()->setVisible(false);
    plot_->yAxis->grid()->setVisible(false);
    selection_ = new QCPItemRect(plot_);
    selection_->setPen(QPen(Qt::cyan, 2));
    selection_->setVisible(false);
    connect(plot_, &QCustomPlot::mousePress, this, &HeatmapPlot::onMousePress);
    connect(plot_, &QCustomPlot::mouseMove, this, &HeatmapPlot::onMouseMove);
    setMinimumSize(300, 160);
}

QWidget* HeatmapPlot::plotWidget() const { return plot_; }

void HeatmapPlot::setData(const QStringList& rowLabels, const QStringList& columnLabels, const QVector<double>& values,
                          const QString& quantity) {
    rows_ = rowLabels;
    columns_ = columnLabels;
    values_ = values;
    quantity_ = quantity;
    const int nr = static_cast<int>(rows_.size()), nc = static_cast<int>(columns_.size());
    map_->data()->setSize(std::max(nc, 1), std::max(nr, 1));
    map_->data()->setRange(QCPRange(0, std::max(nc - 1, 0)), QCPRange(0, std::max(nr - 1, 0)));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int r = 0; r < nr; ++r)
        for (int c = 0; c < nc; ++c) {
            const double v = r * nc + c < values_.size() ? values_[r * nc + c] : std::numeric_limits<double>::quiet_NaN();
            map_->data()->setCell(c, r, std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN());
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    if (nr == 0 || nc == 0) map_->data()->fill(std::numeric_limits<double>::quiet_NaN());
    map_->setDataRange(lo < hi ? QCPRange(lo, hi) : QCPRange(lo - 1, lo + 1));
    if (!std::isfinite(lo)) map_->setDataRange(QCPRange(0, 1));
    updateTickers();
    plot_->xAxis->setRange(-0.5, std::max(nc, 1) - 0.5);
    plot_->yAxis->setRange(-0.5, std::max(nr, 1) - 0.5);
    selection_->setVisible(false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlot::updateTickers() {
    // About one label per 11 pixels of height and 45 of width.
    const int height = std::max(60, plot_->axisRect()->height() > 0 ? plot_->axisRect()->height() : this->height() - 60);
    const int width = std::max(120, plot_->axisRect()->width() > 0 ? plot_->axisRect()->width() : this->width() - 160);
    plot_->yAxis->setTicker(labelTicker(rows_, std::max(4, height / 11)));
    plot_->xAxis->setTicker(labelTicker(columns_, std::max(3, width / 45)));
}

void HeatmapPlot::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    updateTickers();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlot::clear(const QString& message) {
    setData({}, {}, {}, message);
}

double HeatmapPlot::value(int row, int column) const {
    const int nc = static_cast<int>(columns_.size());
    if (row < 0 || column < 0 || row >= rows_.size() || column >= nc || row * nc + column >= values_.size())
        return std::numeric_limits<double>::quiet_NaN();
    return values_[row * nc + column];
}

void HeatmapPlot::setSelection(int row, int column) {
    const bool valid = row >= 0 && column >= 0 && row < rows_.size() && column < columns_.size();
    selection_->setVisible(valid);
    if (valid) {
        selection_->topLeft->setCoords(column - 0.5, row - 0.5);
        selection_->bottomRight->setCoords(column + 0.5, row + 0.5);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QPoint HeatmapPlot::cellCenter(int row, int column) const {
    return QPoint(static_cast<int>(std::lround(plot_->xAxis->coordToPixel(column))),
                  static_cast<int>(std::lround(plot_->yAxis->coordToPixel(row))));
}

bool HeatmapPlot::cellAt(const QPointF& pos, int* row, int* column) const {
    if (!plot_->axisRect()->rect().contains(pos.toPoint())) return false;
    const int c = static_cast<int>(std::lround(plot_->xAxis->pixelToCoord(pos.x())));
    const int r = static_cast<int>(std::lround(plot_->yAxis->pixelToCoord(pos.y())));
    if (r < 0 || c < 0 || r >= rows_.size() || c >= columns_.size()) return false;
    *row = r;
    *column = c;
    return true;
}

void HeatmapPlot::onMousePress(QMouseEvent* event) {
    int row = 0, column = 0;
    if (event->button() != Qt::LeftButton || !cellAt(event->position(), &row, &column)) return;
    setSelection(row, column);
    Q_EMIT cellClicked(row, column);
}

void HeatmapPlot::onMouseMove(QMouseEvent* event) {
    int row = 0, column = 0;
    if (!cellAt(event->position(), &row, &column)) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(),
                       QStringLiteral("%1\n%2 · %3 = %4")
                           .arg(rows_[row], columns_[column], quantity_, QString::number(value(row, column), 'g', 4)),
                       plot_);
}

void HeatmapPlot::replotNow() { plot_->replot(QCustomPlot::rpImmediateRefresh); }

}  // namespace dq::widgets
