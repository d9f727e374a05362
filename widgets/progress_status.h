#pragma once
// The status-bar part that every long operation uses: what is running, a
// progress bar, the estimated time left, how much is queued, and Cancel.
#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace dq::widgets {

class ProgressStatus : public QWidget {
    Q_OBJECT
public:
    explicit ProgressStatus(QWidget* parent = nullptr);
    void begin(const QString& task);
    // Restarts the ETA clock when the stage changes (e.g. FP → quantized run).
    void setProgress(int done, int total, const QString& stage = {});
    void setQueued(int count);
    void end();
    bool isActive() const { return active_; }
    QString etaText() const;
    int value() const;

Q_SIGNALS:
    void cancelRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    QLabel* task_;
    QProgressBar* bar_;
    QLabel* eta_;
    QLabel* queued_;
    QToolButton* cancel_;
    QElapsedTimer clock_;
    QString taskText_, stage_;
    int stageStart_ = 0;
    int queuedCount_ = 0;
    bool active_ = false;
};

// "1 h 02 min", "3 min 05 s", "12 s".
QString formatDuration(double seconds);

}  // namespace dq::widgets
