#!/usr/bin/env bash
# Configures and builds with Ninja (and ccache when present). Extra arguments
# go to cmake's configure step, e.g. -DDQ_WITH_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DQ_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build"
