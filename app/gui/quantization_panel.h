#pragma once
// The quantization panel: the preset (FP, W8A8, W4A8, W4A16, W8A16 or a custom
// per-layer plan), the range method and plan options, the calibration data
// settings, and the Calibrate button.
#include <optional>

#include <QWidget>

#include "core/quant/quant_plan.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace dq::gui {

struct CalibrationRequest;

class QuantizationPanel : public QWidget {
    Q_OBJECT
public:
    explicit QuantizationPanel(QWidget* parent = nullptr);

    // "FP", "W8A8", …, or "custom" once layers were edited by hand.
    QString preset() const;
    void setPreset(const QString& preset);
    // Switches the preset box to "custom" without rebuilding the plan.
    void markCustom();
    PresetOptions presetOptions() const;
    // PCR's activation relaxing: widen every activation to `bits` on the first
    // or last `fraction` of the sampling steps (fraction 0: off).
    struct Relaxing {
        double fraction = 0;
        int bits = 10;
        bool lastSteps = true;
    };
    Relaxing relaxing() const;
    void setRelaxing(const Relaxing& relaxing);
    // Fills the calibration part of a request (plan and trajectory excluded).
    void fillCalibration(CalibrationRequest& request) const;
    // Text-to-image pipelines calibrate from prompts: shows the editable list,
    // filled with `defaults` (the pipeline's own) unless the user wrote some.
    void setTextToImage(bool on, const QStringList& defaults);
    QStringList calibrationPrompts() const;
    void setCalibrationPrompts(const QStringList& prompts);
    void setCalibrationSize(int caliSteps, int caliSamples);
    void setMethod(const QString& method);  // minmax | mse | percentile | running
    void setSplit(bool on);                // off, or Q-Diffusion's shortcut-only split
    void setSplitScope(const QString& scope);  // "off" | "shortcut" | "shortcut_and_conv1"
    // Shows a plan's split without rebuilding the plan (no planOptionsChanged).
    void showSplit(bool split, SplitScope scope);
    // The live average activation width of the plan being edited (relaxing
    // included); nullopt before a model is loaded.
    void setAverageActivationBits(const std::optional<ActivationWidthSummary>& summary);
    QString averageActivationBitsText() const;
    void setRounding(const QString& rounding);  // nearest | gptq
    void setCalibrationStatus(const QString& text);
    void setBusy(bool busy);

    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    // The preset or a plan option changed: the plan must be rebuilt.
    void planOptionsChanged();
    void calibrateRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateEnabled();

    QFormLayout* form_;
    QComboBox* preset_;
    QComboBox* method_;
    QComboBox* split_;
    QSpinBox* softmaxBits_;
    QComboBox* firstLast_;
    QCheckBox* perStep_;
    QComboBox* timesteps_;
    QDoubleSpinBox* normalMean_;
    QDoubleSpinBox* normalStd_;
    QSpinBox* caliSteps_;
    QSpinBox* caliSamples_;
    QPlainTextEdit* prompts_;
    QComboBox* textEncoderBits_;  // text-to-image pipelines: FP, 8 or 4 bits (weight-only)
    QComboBox* vaeBits_;
    QComboBox* rounding_;
    QSpinBox* reconIterations_;
    QSpinBox* activationIterations_;
    QCheckBox* progressive_;
    QDoubleSpinBox* relaxFraction_;
    QSpinBox* relaxBits_;
    QComboBox* relaxAt_;
    QLabel* averageActivationBits_;
    std::optional<ActivationWidthSummary> averageBits_;
    QPushButton* calibrate_;
    QLabel* status_;
    bool custom_ = false;
    bool textToImage_ = false;
};

}  // namespace dq::gui
