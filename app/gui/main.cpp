// diffquant-studio: the GUI executable. Parses arguments, applies the saved
// or requested language, opens the given or the last or the shipped model,
// and optionally runs a scripted session (see automation.h).
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>

#include "app/gui/automation.h"
#include "app/gui/language.h"
#include "app/gui/main_window.h"
#include "app/gui/default_model.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"
#include "core/runtime/runtime_info.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("DiffQuant Studio");
    QApplication::setOrganizationName("DiffQuant");
    QApplication::setApplicationVersion(DQ_VERSION);
    dq::configureLogging(dq::Verbosity::Normal);
    dq::configureCpuThreads();
    dq::logRuntimeInfo();

    QCommandLineParser parser;
    parser.setApplicationDescription("Post-training quantization explorer for diffusion models");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("model", "diffusers UNet2DModel folder (default: the last one, else the shipped model)");
    parser.addOption({"language", "user interface language: en, de or zh_CN", "code"});
    dq::gui::AutomationScript::addOptions(parser);
    parser.process(app);

    dq::gui::applyLanguage(parser.isSet("language") ? parser.value("language") : dq::gui::preferredLanguage());

    dq::gui::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    QString model = positional.isEmpty() ? QString() : positional.first();
    if (model.isEmpty()) {
        const QString last = QSettings().value("lastModel").toString();
        model = !last.isEmpty() && QFileInfo::exists(last + "/config.json") ? last
                                                                           : QString::fromStdString(dq::gui::defaultModel());
    }
    if (!model.isEmpty()) window.openModel(model);
    window.show();

    const dq::gui::AutomationScript script = dq::gui::AutomationScript::fromParser(parser);
    dq::gui::Automation automation(window, script);
    if (script.active()) automation.start();
    return app.exec();
}
