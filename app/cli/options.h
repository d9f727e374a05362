#pragma once
// Options several subcommands share, and their resolution.
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "core/model/model_folder.h"

namespace dq::cli {

struct ModelOptions {
    std::string folder;           // empty: the default model
    std::string device = "auto";  // auto | cpu | cuda

    void add(CLI::App& command);
    // Loads the folder (or the default model) onto the selected device.
    LoadedModel load() const;
    std::string resolvedFolder() const;
};

}  // namespace dq::cli
