#pragma once
// The user-interface language: installs the application's and Qt's own
// translations for a language code and remembers the choice. Widgets then
// receive QEvent::LanguageChange and retranslate themselves.
#include <QString>
#include <QStringList>

namespace dq::gui {

// "en", "de", "zh_CN".
QStringList availableLanguages();
// The language's name in itself ("English", "Deutsch", "简体中文").
QString languageName(const QString& code);
// Installs the translators for `code` (replacing earlier ones). Unknown codes
// fall back to English. Returns the code in effect.
QString applyLanguage(const QString& code);
QString currentLanguage();
// The saved choice, else the system locale if available, else English.
QString preferredLanguage();
void saveLanguage(const QString& code);

}  // namespace dq::gui
