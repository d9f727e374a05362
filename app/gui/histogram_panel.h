#pragma once
// The histogram view: for one site and one sampling step, the FP model's
// activation histogram with the quantization grid over it (clip range and the
// levels at the current width), the quantized model's histogram as an
// overlay, and for shortcut sites the h and skip halves in their own colours
// with their bimodality coefficients. A second tab shows the layer's weight
// histogram and per-channel weight ranges.
#include <QSet>
#include <QWidget>

#include "app/gui/explorer_types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTabWidget;

namespace dq::widgets {
class ChannelRangePlot;
class HistogramPlot;
}  // namespace dq::widgets

namespace dq::gui {

class HistogramPanel : public QWidget {
    Q_OBJECT
public:
    explicit HistogramPanel(QWidget* parent = nullptr);

    // The sites to choose from; text-dependent ones (cross-attention keys and
    // values of text-to-image models) are marked in the list.
    void setSites(const QStringList& sites, const QSet<QString>& textDependent = {});
    void setFpStatistics(const StatisticsPtr& stats);
    void setQuantizedStatistics(const StatisticsPtr& stats);  // null clears
    void setQuantizedModel(const QuantizedModelPtr& model);    // null clears
    void showSite(const QString& site);
    void showStep(int step);
    // Shows the step of the FP timeline nearest to `timestep`.
    void showTimestep(qint64 timestep);
    QString site() const;
    int step() const;
    qint64 timestep() const;  // −1 without statistics
    int stepCount() const;
    void setLogScale(bool on);

    const widgets::HistogramPlot* activationPlot() const { return activations_; }
    const widgets::HistogramPlot* weightPlot() const { return weights_; }
    const widgets::ChannelRangePlot* channelPlot() const { return channels_; }
    QString summaryText() const;

Q_SIGNALS:
    void siteChanged(const QString& site);
    void timestepChanged(qint64 timestep);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void refresh();
    void refreshActivations();
    void refreshWeights();
    void updateStepRange();

    QComboBox* site_;
    QSlider* step_;
    QLabel* stepLabel_;
    QCheckBox* showFp_;
    QCheckBox* showQuantized_;
    QCheckBox* showGrid_;
    QCheckBox* logScale_;
    QTabWidget* tabs_;
    widgets::HistogramPlot* activations_;
    QLabel* summary_;
    widgets::HistogramPlot* weights_;
    widgets::ChannelRangePlot* channels_;
    StatisticsPtr fp_, quantized_;
    QuantizedModelPtr model_;
};

}  // namespace dq::gui
