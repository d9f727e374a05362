#pragma once
// Helpers shared by the core test suites: temporary folders and small real
// model folders written through the same code paths users exercise.
#include <string>

#include <QStringList>
#include <QTemporaryDir>

#include "core/model/unet2d.h"

namespace dq::test {

// Folder of the checked-in test data (tests/data).
std::string dataDir();

// The tiny class-conditional config in tests/data, parsed.
UNetConfig tinyConfig();

// Writes a randomly initialised model folder (config, weights, scheduler) to `dir`.
void writeModelFolder(const std::string& dir, const UNetConfig& config, uint64_t seed);

struct CliResult {
    int exitCode;
    QString out;
    QString err;
};

// Runs the real `diffquant` executable and waits (up to `timeoutMs`).
CliResult runCli(const QStringList& args, int timeoutMs = 120000);

// Runs `fn` and returns the dq::Error message it throws; fails the test if it does not throw.
template <typename Fn>
QString errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<no error>");
}

}  // namespace dq::test
