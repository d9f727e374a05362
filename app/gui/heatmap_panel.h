#pragma once
// The layer × timestep heatmap with its quantity selector: activation range
// (max − min of the FP input), output SQNR in dB of the quantized model,
// Sarle's bimodality coefficient of the FP input, or the activation width the
// plan uses at each step (where PCR's relaxing applies).
#include <QSet>
#include <QWidget>

#include "app/gui/explorer_types.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace dq::widgets {
class HeatmapPlot;
}

namespace dq::gui {

class HeatmapPanel : public QWidget {
    Q_OBJECT
public:
    enum class Quantity { Range, Sqnr, Bimodality, ActivationWidth };

    explicit HeatmapPanel(QWidget* parent = nullptr);
    void setFpStatistics(const StatisticsPtr& stats);
    void setQuantizedStatistics(const StatisticsPtr& stats);
    // The plan's activation width per site and sampling step (sites × steps,
    // row-major, 0 = floating point), shown by Quantity::ActivationWidth.
    void setActivationWidths(const QStringList& sites, const QVector<double>& bits, int steps);
    void setQuantity(Quantity quantity);
    // Rows of these sites are marked as text-dependent (cross-attention k/v).
    void setTextDependentSites(const QSet<QString>& sites) { textDependent_ = sites; }
    Quantity quantity() const;
    // Frames the cell of `site` at the column nearest to `timestep`.
    void selectCell(const QString& site, qint64 timestep);
    const widgets::HeatmapPlot* plot() const { return plot_; }
    widgets::HeatmapPlot* plot() { return plot_; }
    // The site of a heatmap row.
    QString siteAt(int row) const;
    // Images sampled when statistics are collected.
    int statisticsImages() const;
    void setStatisticsImages(int images);

Q_SIGNALS:
    void cellActivated(const QString& site, qint64 timestep);
    void statisticsRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void refresh();
    void showActivationWidths();

    QComboBox* quantity_;
    QLabel* note_;
    QLabel* imagesLabel_;
    QSpinBox* images_;
    QPushButton* refresh_;
    widgets::HeatmapPlot* plot_;
    StatisticsPtr fp_, quantized_;
    QStringList widthSites_;
    QVector<double> widths_;
    int widthSteps_ = 0;
    QStringList rows_;
    QSet<QString> textDependent_;
    // rows_ with the text-dependent marker, as the plot shows them.
    QStringList rowLabels() const;
    QVector<qint64> columns_;  // the timesteps of the statistics shown
};

}  // namespace dq::gui
