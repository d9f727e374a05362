#!/bin/bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer
# (DQ_SANITIZE=ON, in build-asan/) and runs the test suites under them.
#   tests/sanitizers/run.sh [ctest arguments, e.g. -L core]
# Any sanitizer report fails the test that triggered it.
set -euo pipefail
cd "$(dirname "$0")/../.."
DQ_BUILD_DIR=build-asan bash packaging/build.sh -DDQ_SANITIZE=ON -DCMAKE_CXX_FLAGS_RELEASE=-O1 >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
ctest --output-on-failure "$@"
