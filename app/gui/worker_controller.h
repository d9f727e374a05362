#pragma once
// Owns the worker thread (as Tiled does with its worker objects): moves the
// Worker onto a QThread, queues jobs on it, tracks what is pending, cancels,
// and shuts the thread down cleanly when the window closes, even mid-job.
#include <functional>

#include <QObject>
#include <QSet>
#include <QThread>

#include "app/gui/worker.h"

namespace dq::gui {

class WorkerController : public QObject {
    Q_OBJECT
public:
    explicit WorkerController(QObject* parent = nullptr);
    ~WorkerController() override;

    // Null after shutdown().
    Worker* worker() const { return worker_; }
    // Queues `job(worker, id)` on the worker thread; returns the job id, or 0
    // once shut down (the job is refused). Jobs run one at a time in order.
    quint64 submit(std::function<void(Worker*, quint64)> job);
    // Cancels the running job and everything queued.
    void cancelAll();
    bool busy() const { return !pending_.isEmpty(); }
    int pendingCount() const { return static_cast<int>(pending_.size()); }
    // Cancels, stops the thread and waits for it (also done by the destructor).
    void shutdown();

Q_SIGNALS:
    // The worker's jobFinished, re-emitted on this (the GUI) thread before
    // pendingChanged/busyChanged, so that a job's outcome is handled before
    // anyone hears that the queue is empty.
    void jobFinished(quint64 id, dq::gui::JobOutcome outcome, const QString& message);
    void busyChanged(bool busy);
    void pendingChanged(int count);

private:
    void onFinished(quint64 id, JobOutcome outcome, const QString& message);

    QThread thread_;
    Worker* worker_;
    QSet<quint64> pending_;
    quint64 nextId_ = 0;
};

}  // namespace dq::gui
