// diffquant-studio: the GUI executable. Parses arguments, installs the
// translator for the saved or system language, and shows the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include "app/gui/main_window.h"
#include "app/gui/model_loader.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("DiffQuant Studio");
    QApplication::setOrganizationName("DiffQuant");
    QApplication::setApplicationVersion(DQ_VERSION);
    dq::configureLogging(dq::Verbosity::Normal);
    dq::configureCpuThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription("Post-training quantization explorer for diffusion models");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("model", "diffusers UNet2DModel folder (default: the shipped model)");
    QCommandLineOption language("language", "user interface language: en, de or zh_CN", "code");
    parser.addOption(language);
    parser.process(app);

    QSettings settings;
    const QString code = parser.isSet(language) ? parser.value(language)
                                                : settings.value("language", QLocale::system().name()).toString();
    QTranslator translator, qtTranslator;
    if (translator.load(":/i18n/diffquant_" + code)) QApplication::installTranslator(&translator);
    if (qtTranslator.load("qtbase_" + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);

    dq::gui::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    const QString model = positional.isEmpty() ? QString::fromStdString(dq::gui::defaultModel()) : positional.first();
    if (!model.isEmpty()) window.openModel(model);
    window.show();
    return app.exec();
}
