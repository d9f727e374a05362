// Runs one GUI test suite, chosen by name, on whatever platform ctest sets
// (offscreen), with settings isolated from the user's own.
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "core/runtime/device.h"
#include "core/runtime/logging.h"

QObject* makeWidgetsTest();
QObject* makeWorkerTest();
QObject* makeMainWindowTest();

int main(int argc, char** argv) {
    const std::map<std::string, std::function<QObject*()>> suites = {
        {"widgets", makeWidgetsTest}, {"worker", makeWorkerTest}, {"main_window", makeMainWindowTest}};
    if (argc < 2 || !suites.count(argv[1])) {
        std::cerr << "usage: dq_gui_tests SUITE [QtTest options]; suites: widgets worker main_window\n";
        return 2;
    }
    QApplication app(argc, argv);
    // Tests never read or write the user's settings.
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QApplication::setOrganizationName("DiffQuantTests");
    QApplication::setApplicationName("DiffQuant Studio Tests");
    dq::configureLogging(dq::Verbosity::Quiet);
    dq::configureCpuThreads();
    std::unique_ptr<QObject> suite(suites.at(argv[1])());
    argv[1] = argv[0];
    return QTest::qExec(suite.get(), argc - 1, argv + 1);
}
