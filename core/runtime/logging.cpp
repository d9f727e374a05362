#include "core/runtime/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace dq {

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

}  // namespace dq
