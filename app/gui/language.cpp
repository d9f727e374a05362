#include "app/gui/language.h"

#include <memory>

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace dq::gui {

namespace {
struct Installed {
    std::unique_ptr<QTranslator> app, qt;
    QString code = "en";
};
Installed& installed() {
    static Installed state;
    return state;
}
}  // namespace

QStringList availableLanguages() { return {"en", "de", "zh_CN"}; }

QString languageName(const QString& code) {
    if (code == "de") return QStringLiteral("Deutsch");
    if (code == "zh_CN") return QStringLiteral("简体中文");
    return QStringLiteral("English");
}

QString applyLanguage(const QString& requested) {
    Installed& s = installed();
    for (auto* t : {s.app.get(), s.qt.get()})
        if (t) QCoreApplication::removeTranslator(t);
    s.app.reset();
    s.qt.reset();
    const QString code = availableLanguages().contains(requested) ? requested : QStringLiteral("en");
    s.code = QStringLiteral("en");
    if (code == "en") return s.code;
    auto app = std::make_unique<QTranslator>();
    if (!app->load(":/i18n/diffquant_" + code)) return s.code;  // stay in English
    QCoreApplication::installTranslator(app.get());
    s.app = std::move(app);
    s.code = code;
    auto qt = std::make_unique<QTranslator>();
    if (qt->load("qtbase_" + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        s.qt = std::move(qt);
    }
    return code;
}

QString currentLanguage() { return installed().code; }

QString preferredLanguage() {
    const QSettings settings;
    if (settings.contains("language")) return settings.value("language").toString();
    const QString system = QLocale::system().name();
    if (availableLanguages().contains(system)) return system;
    if (system.startsWith("de")) return "de";
    if (system.startsWith("zh")) return "zh_CN";
    return "en";
}

void saveLanguage(const QString& code) { QSettings().setValue("language", code); }

}  // namespace dq::gui
