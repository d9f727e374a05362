#pragma once
// A read-only console of log lines, coloured by level, keeping the most recent
// lines only so that long sessions do not grow without bound.
#include <QPlainTextEdit>

namespace dq::widgets {

enum class LogLevel { Debug, Info, Warning, Error };

class LogConsole : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit LogConsole(QWidget* parent = nullptr, int maxLines = 5000);
    void appendLine(LogLevel level, const QString& text);
    int lineCount() const { return document()->blockCount(); }
    QString lastLine() const;
};

}  // namespace dq::widgets
