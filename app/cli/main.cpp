// diffquant: the command-line front end of DiffQuant Studio. A thin layer over
// the core library; every failure becomes one line on stderr and exit code 1.
#include <iostream>

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include "app/cli/commands.h"
#include "core/errors.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"
#include "core/runtime/runtime_info.h"

int main(int argc, char** argv) {
    CLI::App app{"diffquant: post-training quantization of diffusion models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] { return dq::versionReport("diffquant"); },
                         "print the versions of diffquant and LibTorch, CUDA availability and the BLAS, and exit");
    bool verbose = false, quiet = false;
    app.add_flag("-v,--verbose", verbose, "debug logging");
    app.add_flag("-q,--quiet", quiet, "warnings and errors only");

    dq::cli::Action action;
    dq::cli::addInfoCommand(app, action);
    dq::cli::addUnetCommand(app, action);
    dq::cli::addSampleCommand(app, action);
    dq::cli::addCreateModelCommand(app, action);
    dq::cli::addTrainCommand(app, action);
    dq::cli::addTrainClassifierCommand(app, action);
    dq::cli::addEvalCommand(app, action);
    dq::cli::addEvalMergeCommand(app, action);
    dq::cli::addCalibrateCommand(app, action);
    dq::cli::addStatsCommand(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    dq::configureLogging(quiet ? dq::Verbosity::Quiet : verbose ? dq::Verbosity::Verbose : dq::Verbosity::Normal);
    try {
        dq::configureCpuThreads();
        dq::logRuntimeInfo();
        action();
    } catch (const dq::Error& e) {
        std::cerr << "diffquant: " << e.what() << "\n";
        return 1;
    } catch (const c10::Error& e) {
        std::string message = e.what_without_backtrace();
        for (char& ch : message)
            if (ch == '\n') ch = ' ';
        std::cerr << "diffquant: LibTorch error: " << message << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "diffquant: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
