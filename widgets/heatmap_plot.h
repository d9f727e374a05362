#pragma once
// A layer × timestep heatmap (QCPColorMap): one row per quantization site, one
// column per sampling step. Clicking a cell reports its row and column, which
// the explorer uses to open that site and step in the histogram view. Takes
// plain data; NaN cells (no data) are left blank.
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QMouseEvent;

namespace dq::widgets {

class HeatmapPlot : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapPlot(QWidget* parent = nullptr);

    // values: rows × columns, row-major. columnLabels: one per column (e.g. the timestep).
    void setData(const QStringList& rowLabels, const QStringList& columnLabels, const QVector<double>& values,
                 const QString& quantity);
    void clear(const QString& message = {});
    // Draws a frame around a cell (−1 hides it).
    void setSelection(int row, int column);

    int rowCount() const { return rows_.size(); }
    int columnCount() const { return columns_.size(); }
    double value(int row, int column) const;
    QString quantity() const { return quantity_; }
    // The centre of a cell in plotWidget() coordinates (for tests and tooltips).
    QPoint cellCenter(int row, int column) const;
    QWidget* plotWidget() const;
    void replotNow();

Q_SIGNALS:
    void cellClicked(int row, int column);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateTickers();
    void onMousePress(QMouseEvent* event);
    void onMouseMove(QMouseEvent* event);
    bool cellAt(const QPointF& pos, int* row, int* column) const;

    QCustomPlot* plot_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPItemRect* selection_;
    QStringList rows_, columns_;
    QVector<double> values_;
    QString quantity_;
};

}  // namespace dq::widgets
