#pragma once
// One place that configures spdlog for the CLI, the GUI and the tests.

namespace dq {

enum class Verbosity { Quiet, Normal, Verbose };

// Logs go to stderr so that stdout stays clean for command output.
void configureLogging(Verbosity verbosity);

}  // namespace dq
