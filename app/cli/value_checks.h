#pragma once
// Checks for numeric command-line values. CLI11's own validators let "nan"
// through (every comparison with NaN is false) and print DBL_MAX as a
// 309-digit bound; these reject non-finite values and print bounds as plain
// numbers, so every message reads "--eta: must be a number from 0 to 1, not nan".
#include <string>

#include <CLI/CLI.hpp>

namespace dq::cli {

// A finite number in [min, max] (integers too: the value must also parse as
// one, without exceeding the bounds, for integer options).
CLI::Validator rangeOf(double min, double max);
CLI::Validator positiveNumber();
CLI::Validator nonNegativeNumber();
// Any finite number: added to every FLOAT option that has no other check.
CLI::Validator finiteNumber();

// Adds finiteNumber() to every floating-point option of `app` and its
// subcommands, so that no option accepts nan or inf.
void rejectNonFiniteEverywhere(CLI::App& app);

// The subcommand named in argv when it is not one of `app`'s, with a
// suggestion: "unknown command 'sampel'; did you mean 'sample'? ...".
// Empty when argv names a known command (or none).
std::string unknownCommandMessage(const CLI::App& app, int argc, const char* const* argv);

}  // namespace dq::cli
