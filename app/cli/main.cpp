// diffquant: the command-line front end of DiffQuant Studio. A thin layer over
// the core library; every failure becomes one line on stderr and exit code 1.
#include <iostream>
#include <new>

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include "app/cli/commands.h"
#include "app/cli/value_checks.h"
#include "core/errors.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"
#include "core/runtime/runtime_info.h"
#include "core/validation/message_text.h"

namespace {
// Messages are one line by design; this keeps a stray newline (or a huge
// echoed value) from breaking that promise.
std::string oneLine(const std::string& text) {
    std::string line = text;
    for (char& ch : line)
        if (ch == '\n' || ch == '\r') ch = ' ';
    return line.size() > 2000 ? line.substr(0, 2000) + "..." : line;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"diffquant: post-training quantization of diffusion models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] { return dq::versionReport("diffquant"); },
                         "print the versions of diffquant and LibTorch, CUDA availability and the BLAS, and exit");
    bool verbose = false, quiet = false;
    app.add_flag("-v,--verbose", verbose, "debug logging");
    app.add_flag("-q,--quiet", quiet, "warnings and errors only");

    // Global flags (-v, -q) are also accepted after the subcommand. CLI11
    // copies this setting into each subcommand when it is added, so it must
    // come first.
    app.fallthrough();

    dq::cli::Action action;
    dq::cli::addInfoCommand(app, action);
    dq::cli::addUnetCommand(app, action);
    dq::cli::addVaeCommand(app, action);
    dq::cli::addTextEncodeCommand(app, action);
    dq::cli::addSampleCommand(app, action);
    dq::cli::addCreateModelCommand(app, action);
    dq::cli::addTrainCommand(app, action);
    dq::cli::addTrainClassifierCommand(app, action);
    dq::cli::addTrainTokenizerCommand(app, action);
    dq::cli::addTrainVaeCommand(app, action);
    dq::cli::addTrainTextToImageCommand(app, action);
    dq::cli::addEvalCommand(app, action);
    dq::cli::addEvalMergeCommand(app, action);
    dq::cli::addCalibrateCommand(app, action);
    dq::cli::addStatsCommand(app, action);
    dq::cli::addSensitivityCommand(app, action);
    dq::cli::addAllocateCommand(app, action);

    dq::cli::rejectNonFiniteEverywhere(app);

    if (const std::string unknown = dq::cli::unknownCommandMessage(app, argc, argv); !unknown.empty()) {
        std::cerr << "diffquant: " << unknown << "\n";
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version print as CLI11 formats them; errors become one
        // bounded line (CLI11 echoes values unbounded and adds a second line).
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
        std::string message = dq::shortText(e.what(), 300);
        std::cerr << "diffquant: " << message << " (see --help)\n";
        return 2;
    }
    dq::configureLogging(quiet ? dq::Verbosity::Quiet : verbose ? dq::Verbosity::Verbose : dq::Verbosity::Normal);
    try {
        dq::configureCpuThreads();
        dq::logRuntimeInfo();
        action();
    } catch (const dq::Error& e) {
        std::cerr << "diffquant: " << oneLine(e.what()) << "\n";
        return 1;
    } catch (const c10::Error& e) {
        const std::string text = e.what_without_backtrace();
        // The allocator's enforce text ("[enforce fail at alloc_cpu.cpp:75] err == 0 ...") says nothing
        // a user can act on; sizes are checked up front, so this is a real shortage.
        if (text.find("allocate memory") != std::string::npos || text.find("out of memory") != std::string::npos)
            std::cerr << "diffquant: ran out of memory; ask for fewer or smaller samples, or a smaller --batch.\n";
        else
            std::cerr << "diffquant: LibTorch error: " << oneLine(text) << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "diffquant: ran out of memory; ask for fewer or smaller samples, or a smaller batch.\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "diffquant: " << oneLine(e.what()) << "\n";
        return 1;
    }
    return 0;
}
