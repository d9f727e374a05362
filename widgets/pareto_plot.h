#pragma once
// Budget against predicted quality for mixed-precision allocation: the optimal
// allocations as a curve, the uniform widths as labelled points, the plan
// being edited and the budget under the slider as markers. x is the average
// weight width in bits, y the predicted SQNR of the predicted noise in dB
// (higher is better). Takes plain data.
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace dq::widgets {

struct LabelledPoint {
    QPointF point;
    QString label;  // e.g. "W4"
};

class ParetoPlot : public QWidget {
    Q_OBJECT
public:
    explicit ParetoPlot(QWidget* parent = nullptr);
    void setFrontier(const QVector<QPointF>& optimal, const QVector<LabelledPoint>& uniform);
    // The plan being edited (hidden when `visible` is false).
    void setCurrent(const QPointF& point, bool visible = true);
    // The allocation under the slider.
    void setSelected(const QPointF& point, bool visible = true);
    void setAxisLabels(const QString& x, const QString& y, const QString& optimal, const QString& uniform,
                       const QString& current, const QString& selected);

    int frontierPointCount() const;
    int uniformPointCount() const;
    bool hasCurrent() const;
    QPointF current() const;
    QPointF selected() const;
    QWidget* plotWidget() const;

private:
    void rescale();

    QCustomPlot* plot_;
    QCPGraph* optimal_;
    QCPGraph* uniform_;
    QCPGraph* current_;
    QCPGraph* selected_;
    QVector<LabelledPoint> uniformPoints_;
};

}  // namespace dq::widgets
