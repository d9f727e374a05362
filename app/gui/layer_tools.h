#pragma once
// The row of tools above the layer table: filter by name and kind, group by
// block or list flat, measure per-site sensitivity, and allocate widths for
// an average weight width from that measurement.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace dq::gui {

class LayerTools : public QWidget {
    Q_OBJECT
public:
    explicit LayerTools(QWidget* parent = nullptr);

    QString filterText() const;
    QString filterKind() const;  // "", "conv", "linear", "attention" or "shortcut"
    bool grouped() const;
    double averageWeightBits() const;
    // Allocation needs a sweep (sweeps queue like every other job).
    void setSensitivityAvailable(bool available);
    void setStatus(const QString& text);
    QString status() const;

Q_SIGNALS:
    void filterChanged(const QString& text, const QString& kind);
    void groupedChanged(bool grouped);
    void measureRequested();
    void allocateRequested(double averageWeightBits);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateEnabled();

    QLineEdit* filter_;
    QComboBox* kind_;
    QCheckBox* grouped_;
    QPushButton* measure_;
    QDoubleSpinBox* bits_;
    QPushButton* allocate_;
    QLabel* status_;
    bool available_ = false;
};

}  // namespace dq::gui
