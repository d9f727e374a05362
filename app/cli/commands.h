#pragma once
// The `diffquant` subcommands. Each registers its options on the CLI11 app and
// returns the action to run once parsing succeeded.
#include <functional>

#include <CLI/CLI.hpp>

namespace dq::cli {

using Action = std::function<void()>;

void addInfoCommand(CLI::App& app, Action& action);
void addUnetCommand(CLI::App& app, Action& action);
void addVaeCommand(CLI::App& app, Action& action);
void addTextEncodeCommand(CLI::App& app, Action& action);
void addSampleCommand(CLI::App& app, Action& action);
void addCreateModelCommand(CLI::App& app, Action& action);
void addTrainCommand(CLI::App& app, Action& action);
void addTrainClassifierCommand(CLI::App& app, Action& action);
void addTrainTokenizerCommand(CLI::App& app, Action& action);
void addTrainVaeCommand(CLI::App& app, Action& action);
void addTrainTextToImageCommand(CLI::App& app, Action& action);
void addEvalCommand(CLI::App& app, Action& action);
void addEvalMergeCommand(CLI::App& app, Action& action);
void addCalibrateCommand(CLI::App& app, Action& action);
void addStatsCommand(CLI::App& app, Action& action);
void addSensitivityCommand(CLI::App& app, Action& action);
void addAllocateCommand(CLI::App& app, Action& action);

}  // namespace dq::cli
