#include "widgets/progress_status.h"

#include <cmath>

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

namespace dq::widgets {

QString formatDuration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    if (s >= 3600) return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
    if (s >= 60) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
    return QObject::tr("%1 s").arg(s);
}

ProgressStatus::ProgressStatus(QWidget* parent)
    : QWidget(parent), task_(new QLabel(this)), bar_(new QProgressBar(this)), eta_(new QLabel(this)),
      queued_(new QLabel(this)), cancel_(new QToolButton(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    bar_->setObjectName("progressBar");
    bar_->setMaximumWidth(220);
    bar_->setTextVisible(true);
    cancel_->setObjectName("cancelButton");
    layout->addWidget(task_);
    layout->addWidget(bar_);
    layout->addWidget(eta_);
    layout->addWidget(queued_);
    layout->addWidget(cancel_);
    connect(cancel_, &QToolButton::clicked, this, &ProgressStatus::cancelRequested);
    retranslate();
    end();
}

void ProgressStatus::retranslate() {
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop the running operation (within one denoising step) and everything queued"));
    setQueued(queuedCount_);
}

void ProgressStatus::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ProgressStatus::begin(const QString& task) {
    active_ = true;
    taskText_ = task;
    stage_.clear();
    stageStart_ = 0;
    task_->setText(task);
    bar_->setRange(0, 0);  // busy indicator until the first report
    eta_->clear();
    clock_.start();
    setVisible(true);
}

void ProgressStatus::setProgress(int done, int total, const QString& stage) {
    if (!active_) return;
    if (stage != stage_) {
        stage_ = stage;
        stageStart_ = done;
        clock_.restart();
        task_->setText(stage.isEmpty() ? taskText_ : tr("%1: %2").arg(taskText_, stage));
    }
    bar_->setRange(0, std::max(total, 1));
    bar_->setValue(done);
    const int progressed = done - stageStart_;
    if (progressed > 0 && total > done) {
        const double perUnit = clock_.elapsed() / 1000.0 / progressed;
        eta_->setText(tr("%1 left").arg(formatDuration(perUnit * (total - done))));
    } else {
        eta_->clear();
    }
}

void ProgressStatus::setQueued(int count) {
    queuedCount_ = count;
    queued_->setText(count > 0 ? tr("(+%n queued)", nullptr, count) : QString());
}

void ProgressStatus::end() {
    active_ = false;
    setVisible(false);
    bar_->reset();
    eta_->clear();
}

QString ProgressStatus::etaText() const { return eta_->text(); }
int ProgressStatus::value() const { return bar_->value(); }

}  // namespace dq::widgets
