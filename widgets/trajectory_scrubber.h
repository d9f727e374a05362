#pragma once
// Steps through a sampling trajectory: a slider over the denoising steps and,
// for the current step, one image per panel (e.g. FP x_t, FP predicted x0,
// quantized x_t, quantized predicted x0), all from the same step.
#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QLabel;
class QSlider;

namespace dq::widgets {

class ImageComparison;

struct TrajectoryFrame {
    qint64 timestep = 0;
    QVector<QImage> images;  // one per caption
};

class TrajectoryScrubber : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryScrubber(QWidget* parent = nullptr);
    void setFrames(const QVector<TrajectoryFrame>& frames, const QStringList& captions);
    // Replaces one frame (e.g. once its images are decoded); a frame without
    // images is shown as not decoded yet.
    void setFrame(int step, const TrajectoryFrame& frame);
    int frameCount() const { return frames_.size(); }
    int currentStep() const;
    void setCurrentStep(int step);
    const ImageComparison* panels() const { return panels_; }

Q_SIGNALS:
    void stepChanged(int step);

protected:
    void changeEvent(QEvent* event) override;

private:
    void showStep(int step);

    QSlider* slider_;
    QLabel* label_;
    ImageComparison* panels_;
    QVector<TrajectoryFrame> frames_;
    QStringList captions_;
};

}  // namespace dq::widgets
