#pragma once
// A histogram plot (QCustomPlot) for activation and weight distributions: any
// number of histograms, each with its own bin range, drawn as filled step
// curves, and optional quantization grids drawn over them (the clipping range
// as dashed lines, the representable levels as ticks). Takes plain data.
#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace dq::widgets {

struct HistogramSeries {
    QString label;   // legend text, e.g. "skip (b = 0.71)"
    QColor color;
    double lo = 0;   // left edge of the first bin
    double binWidth = 0;
    QVector<double> counts;
    bool filled = true;
    Qt::PenStyle style = Qt::SolidLine;
};

struct GridOverlay {
    QString label;          // legend text, e.g. "8-bit grid"
    QColor color;
    double clipLo = 0;      // the calibrated clipping range
    double clipHi = 0;
    QVector<double> levels; // every representable value
};

class HistogramPlot : public QWidget {
    Q_OBJECT
public:
    explicit HistogramPlot(QWidget* parent = nullptr);

    void setHistograms(const QVector<HistogramSeries>& series, const QVector<GridOverlay>& grids,
                       const QString& title = {});
    void clear(const QString& message = {});
    // Counts on a logarithmic axis (empty bins are left out).
    void setLogScale(bool on);
    bool logScale() const { return logScale_; }
    void setAxisLabels(const QString& x, const QString& y);

    // What is on screen, for tests and tools.
    int seriesCount() const { return series_.size(); }
    QVector<double> plottedCounts(int series) const;
    QVector<double> plottedCentres(int series) const;
    int gridCount() const { return grids_.size(); }
    int plottedLevelCount(int grid) const;
    QString title() const;
    QWidget* plotWidget() const;

private:
    void rebuild();

    QCustomPlot* plot_;
    QVector<HistogramSeries> series_;
    QVector<GridOverlay> grids_;
    QString title_;
    bool logScale_ = false;
};

}  // namespace dq::widgets
