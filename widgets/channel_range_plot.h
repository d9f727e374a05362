#pragma once
// Per-output-channel weight ranges of one layer: for each channel the minimum
// and maximum weight, as a band, for the FP weights and (optionally) the
// quantized ones. Wide spreads between channels are why weights are
// quantized per channel. Takes plain data.
#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace dq::widgets {

struct ChannelRanges {
    QString label;
    QColor color;
    QVector<double> minimum;  // [channels]
    QVector<double> maximum;  // [channels]
};

class ChannelRangePlot : public QWidget {
    Q_OBJECT
public:
    explicit ChannelRangePlot(QWidget* parent = nullptr);
    void setRanges(const QVector<ChannelRanges>& ranges, const QString& title = {});
    void setAxisLabels(const QString& x, const QString& y);
    int bandCount() const { return ranges_.size(); }
    int channelCount(int band) const { return band < ranges_.size() ? ranges_[band].minimum.size() : 0; }
    QWidget* plotWidget() const;

private:
    QCustomPlot* plot_;
    QVector<ChannelRanges> ranges_;
};

}  // namespace dq::widgets
