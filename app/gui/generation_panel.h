#pragma once
// The generation comparison: seed, class (or, for text-to-image pipelines,
// prompt and negative prompt), guidance, steps and image count;
// FP | quantized | amplified |difference| grids from identical noise and
// classes with their paired PSNR/SSIM; and a trajectory scrubber showing x_t
// and the predicted x0 of both models at the same step.
#include <QHash>
#include <QWidget>

#include "app/gui/explorer_types.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

#include "widgets/trajectory_scrubber.h"

namespace dq::widgets {
class ImageComparison;
}  // namespace dq::widgets

namespace dq::gui {

class GenerationPanel : public QWidget {
    Q_OBJECT
public:
    explicit GenerationPanel(QWidget* parent = nullptr);

    void setModel(const ModelInfo& model);
    SamplingSettings settings() const;
    double amplify() const;
    void setSeed(quint64 seed);
    void setCount(int count);
    void setSteps(int steps);
    void setPrompt(const QString& prompt, const QString& negativePrompt = {});
    void showComparison(const ComparisonPtr& comparison);
    // A frame the worker decoded for comparison `comparisonId` (see
    // trajectoryFrameRequested); frames of another comparison are ignored.
    void setTrajectoryFrame(quint64 comparisonId, int step, const TrajectoryImages& frame);
    void showPreview(const QImage& image, int step, int steps);
    ComparisonPtr comparison() const { return comparison_; }
    const widgets::ImageComparison* images() const { return images_; }
    const widgets::TrajectoryScrubber* scrubber() const { return scrubber_; }
    // Saves the last finished comparison (not a preview on screen).
    bool saveComparison(const QString& path, QString* error) const;
    // Shows the last finished comparison again (after a cancelled or failed run).
    // (A frame request that job ended is asked again when its step is next shown.)
    void restoreComparison() {
        pendingFrame_ = -1;
        refreshImages();
    }
    void setBusy(bool busy);
    QString metricsText() const;

    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    void generateRequested();
    void saveRequested();
    // The sampling-step count changed (relaxing and the width map depend on it).
    void stepsChanged(int steps);
    // The scrubber shows a step of a pipeline comparison that is not decoded yet.
    void trajectoryFrameRequested(quint64 comparisonId, int step);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void refreshImages();
    void updateClassNames();
    QVector<QImage> comparisonImages(QStringList* captions) const;
    widgets::TrajectoryFrame scrubberFrame(const TrajectoryImages& images) const;
    void requestShownFrame();

    QSpinBox* seed_;
    QComboBox* class_;
    QLineEdit* prompt_;
    QLineEdit* negativePrompt_;
    QLabel* promptLabel_;
    QLabel* negativeLabel_;
    QDoubleSpinBox* guidance_;
    QSpinBox* steps_;
    QComboBox* spacing_;
    QSpinBox* count_;
    QSpinBox* amplify_;
    QPushButton* generate_;
    QPushButton* save_;
    QLabel* metrics_;
    QList<QLabel*> labels_;
    widgets::ImageComparison* images_;
    widgets::TrajectoryScrubber* scrubber_;
    ComparisonPtr comparison_;
    QHash<int, TrajectoryImages> decodedFrames_;  // pipeline comparisons: the steps decoded so far
    // The step asked of the worker (-1: none). One request at a time: a drag
    // over the slider asks for the step it ends on, not for every step passed.
    int pendingFrame_ = -1;
    QStringList classNames_;
    QStringList modelClassNames_;
    int classCount_ = 0;
    bool textToImage_ = false;
};

}  // namespace dq::gui
