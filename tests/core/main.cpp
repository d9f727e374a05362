// Runs one Qt Test suite of the core library, chosen by name, so that ctest
// lists each suite separately while they share one (precompiled) executable.
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include <QCoreApplication>
#include <QTest>

#include "core/runtime/device.h"
#include "core/runtime/logging.h"

QObject* makeSafetensorsTest();
QObject* makeUNetModelTest();
QObject* makeSchedulerTest();
QObject* makePipelineTest();
QObject* makeFashionMnistTest();
QObject* makeMetricsTest();
QObject* makeTrainingTest();
QObject* makeShippedModelTest();
QObject* makeQuantizationTest();
QObject* makeReconstructionTest();
QObject* makeRuntimeTest();
QObject* makeYardstickTest();
QObject* makeHostileInputsTest();
QObject* makeSensitivityTest();
QObject* makeGoldenTest();
QObject* makeTextQuantTest();
QObject* makeShippedTextToImageTest();

int main(int argc, char** argv) {
    const std::map<std::string, std::function<QObject*()>> suites = {
        {"safetensors", makeSafetensorsTest}, {"unet", makeUNetModelTest},     {"scheduler", makeSchedulerTest},
        {"pipeline", makePipelineTest},       {"fashion_mnist", makeFashionMnistTest},
        {"metrics", makeMetricsTest},         {"training", makeTrainingTest},       {"shipped", makeShippedModelTest},   {"quant", makeQuantizationTest},
        {"recon", makeReconstructionTest},     {"runtime", makeRuntimeTest},
        {"yardstick", makeYardstickTest},     {"hostile", makeHostileInputsTest},
        {"sensitivity", makeSensitivityTest}, {"golden", makeGoldenTest},
        {"text_quant", makeTextQuantTest},    {"shipped_t2i", makeShippedTextToImageTest},
    };
    if (argc < 2 || !suites.count(argv[1])) {
        std::cerr << "usage: dq_core_tests SUITE [QtTest options]; suites:";
        for (const auto& [name, _] : suites) std::cerr << " " << name;
        std::cerr << "\n";
        return 2;
    }
    QCoreApplication app(argc, argv);
    dq::configureLogging(dq::Verbosity::Quiet);
    // Same thread policy as the CLI, so results compared bit for bit agree.
    dq::configureCpuThreads();
    std::unique_ptr<QObject> suite(suites.at(argv[1])());
    // Hand QtTest the remaining arguments (program name + options).
    argv[1] = argv[0];
    return QTest::qExec(suite.get(), argc - 1, argv + 1);
}
