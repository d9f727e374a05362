#include "core/runtime/logging.h"

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace dq {

namespace {

class ForwardingSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit ForwardingSink(std::function<void(const std::string&, const std::string&)> forward)
        : forward_(std::move(forward)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto level = spdlog::level::to_string_view(msg.level);
        forward_(std::string(level.data(), level.size()), std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

private:
    std::function<void(const std::string&, const std::string&)> forward_;
};

}  // namespace

void configureLogging(Verbosity verbosity) {
    auto logger = spdlog::get("diffquant");
    if (!logger) logger = spdlog::stderr_color_mt("diffquant");
    logger->set_pattern("[%H:%M:%S] [%^%l%$] %v");
    spdlog::set_default_logger(logger);
    switch (verbosity) {
        case Verbosity::Quiet: spdlog::set_level(spdlog::level::warn); break;
        case Verbosity::Normal: spdlog::set_level(spdlog::level::info); break;
        case Verbosity::Verbose: spdlog::set_level(spdlog::level::debug); break;
    }
}

void addLogForwarder(std::function<void(const std::string& level, const std::string& line)> forward) {
    spdlog::default_logger()->sinks().push_back(std::make_shared<ForwardingSink>(std::move(forward)));
}

}  // namespace dq
