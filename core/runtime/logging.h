#pragma once
// One place that configures spdlog for the CLI, the GUI and the tests.
#include <functional>
#include <string>

namespace dq {

enum class Verbosity { Quiet, Normal, Verbose };

// Logs go to stderr so that stdout stays clean for command output.
void configureLogging(Verbosity verbosity);

// Adds a sink that forwards every formatted log line (level name, text) to
// `forward`, e.g. into the GUI's log console. Returns nothing; the sink lives
// as long as the default logger.
void addLogForwarder(std::function<void(const std::string& level, const std::string& line)> forward);

}  // namespace dq
