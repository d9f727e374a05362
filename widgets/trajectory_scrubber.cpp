#include "widgets/trajectory_scrubber.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include "widgets/image_comparison.h"

namespace dq::widgets {

TrajectoryScrubber::TrajectoryScrubber(QWidget* parent)
    : QWidget(parent), slider_(new QSlider(Qt::Horizontal, this)), label_(new QLabel(this)),
      panels_(new ImageComparison(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    slider_->setObjectName("trajectorySlider");
    label_->setMinimumWidth(160);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    layout->addLayout(row);
    layout->addWidget(panels_, 1);
    slider_->setEnabled(false);
    connect(slider_, &QSlider::valueChanged, this, [this](int step) {
        showStep(step);
        Q_EMIT stepChanged(step);
    });
    showStep(0);
}

void TrajectoryScrubber::setFrames(const QVector<TrajectoryFrame>& frames, const QStringList& captions) {
    frames_ = frames;
    captions_ = captions;
    // Keep the user's step; a fresh scrubber starts at the end (the result).
    const int last = std::max(0, static_cast<int>(frames_.size()) - 1);
    const int keep = slider_->isEnabled() ? slider_->value() : last;
    const QSignalBlocker block(slider_);
    slider_->setRange(0, last);
    slider_->setEnabled(!frames_.isEmpty());
    slider_->setValue(std::min(keep, last));
    showStep(slider_->value());
}

void TrajectoryScrubber::setFrame(int step, const TrajectoryFrame& frame) {
    if (step < 0 || step >= frames_.size()) return;
    frames_[step] = frame;
    if (step == slider_->value()) showStep(step);
}

int TrajectoryScrubber::currentStep() const { return slider_->value(); }

void TrajectoryScrubber::setCurrentStep(int step) { slider_->setValue(step); }

void TrajectoryScrubber::showStep(int step) {
    if (step < 0 || step >= frames_.size()) {
        label_->setText(tr("No trajectory yet"));
        panels_->setImages({}, {});
        return;
    }
    const TrajectoryFrame& f = frames_[step];
    label_->setText(tr("step %1 / %2 · t = %3").arg(step + 1).arg(frames_.size()).arg(f.timestep));
    if (f.images.isEmpty()) {
        label_->setText(label_->text() + tr(" · not decoded yet"));
        panels_->setImages({}, {});
        return;
    }
    panels_->setImages(f.images, captions_);
}

void TrajectoryScrubber::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) showStep(slider_->value());
    QWidget::changeEvent(event);
}

}  // namespace dq::widgets
