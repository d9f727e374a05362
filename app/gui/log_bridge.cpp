#include "app/gui/log_bridge.h"

#include <algorithm>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace dq::gui {

struct LogBridge::Sink : spdlog::sinks::base_sink<std::mutex> {
    LogBridge* bridge = nullptr;  // guarded by base_sink's mutex

    void detach() {
        std::lock_guard<std::mutex> lock(mutex_);
        bridge = nullptr;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!bridge) return;
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        QString text = QString::fromUtf8(formatted.data(), static_cast<int>(formatted.size())).trimmed();
        int level = 1;
        if (msg.level <= spdlog::level::debug) level = 0;
        else if (msg.level == spdlog::level::warn) level = 2;
        else if (msg.level >= spdlog::level::err) level = 3;
        // Emitting from the worker thread is fine: receivers connect queued.
        Q_EMIT bridge->message(level, text);
    }
    void flush_() override {}
};

LogBridge::LogBridge(QObject* parent) : QObject(parent), sink_(std::make_shared<Sink>()) {
    sink_->bridge = this;
    sink_->set_pattern("[%H:%M:%S] %v");
    spdlog::default_logger()->sinks().push_back(sink_);
}

LogBridge::~LogBridge() {
    sink_->detach();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

}  // namespace dq::gui
