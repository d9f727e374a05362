#pragma once
// Feeds spdlog into the window: a sink on the core's logger that turns every
// record (from any thread, the worker's included) into a queued Qt signal.
#include <memory>

#include <QObject>
#include <QString>

namespace dq::gui {

class LogBridge : public QObject {
    Q_OBJECT
public:
    explicit LogBridge(QObject* parent = nullptr);
    // Detaches the sink; records logged afterwards are no longer forwarded.
    ~LogBridge() override;

Q_SIGNALS:
    // level: 0 debug, 1 info, 2 warning, 3 error
    void message(int level, const QString& text);

private:
    struct Sink;
    std::shared_ptr<Sink> sink_;
};

}  // namespace dq::gui
