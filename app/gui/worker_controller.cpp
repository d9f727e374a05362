#include "app/gui/worker_controller.h"

#include <QMetaObject>

namespace dq::gui {

WorkerController::WorkerController(QObject* parent) : QObject(parent), worker_(new Worker) {
    qRegisterMetaType<ModelInfoPtr>();
    qRegisterMetaType<QuantizedModelPtr>();
    qRegisterMetaType<StatisticsPtr>();
    qRegisterMetaType<ComparisonPtr>();
    qRegisterMetaType<SensitivityPtr>();
    qRegisterMetaType<FrontierPtr>();
    qRegisterMetaType<EvaluationData>();
    qRegisterMetaType<TrajectoryImages>();
    qRegisterMetaType<JobOutcome>();
    thread_.setObjectName("diffquant-worker");
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &Worker::jobFinished, this, &WorkerController::onFinished, Qt::QueuedConnection);
    thread_.start();
}

WorkerController::~WorkerController() { shutdown(); }

quint64 WorkerController::submit(std::function<void(Worker*, quint64)> job) {
    if (!worker_ || !thread_.isRunning()) return 0;
    const quint64 id = ++nextId_;
    const bool wasBusy = busy();
    pending_.insert(id);
    Worker* w = worker_;
    QMetaObject::invokeMethod(w, [w, id, job = std::move(job)] { job(w, id); }, Qt::QueuedConnection);
    if (!wasBusy) Q_EMIT busyChanged(true);
    Q_EMIT pendingChanged(pendingCount());
    return id;
}

void WorkerController::cancelAll() {
    if (nextId_ > 0 && worker_ && thread_.isRunning()) worker_->requestCancel(nextId_);
}

void WorkerController::onFinished(quint64 id, JobOutcome outcome, const QString& message) {
    if (!pending_.remove(id)) return;
    Q_EMIT jobFinished(id, outcome, message);
    Q_EMIT pendingChanged(pendingCount());
    if (!busy()) Q_EMIT busyChanged(false);
}

void WorkerController::shutdown() {
    if (!worker_) return;
    cancelAll();
    thread_.quit();  // runs after the current job; queued jobs are then dropped
    thread_.wait();
    worker_ = nullptr;  // deleted on the thread's way out (deleteLater on finished)
    const bool wasBusy = busy();
    pending_.clear();
    Q_EMIT pendingChanged(0);
    if (wasBusy) Q_EMIT busyChanged(false);
}

}  // namespace dq::gui
