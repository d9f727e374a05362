#include "widgets/log_console.h"

#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>

namespace dq::widgets {

LogConsole::LogConsole(QWidget* parent, int maxLines) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setMaximumBlockCount(maxLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setObjectName("logConsole");
}

void LogConsole::appendLine(LogLevel level, const QString& text) {
    QTextCharFormat format;
    switch (level) {
        case LogLevel::Debug: format.setForeground(QColor(120, 120, 120)); break;
        case LogLevel::Info: format.setForeground(palette().color(QPalette::Text)); break;
        case LogLevel::Warning: format.setForeground(QColor(190, 120, 0)); break;
        case LogLevel::Error: format.setForeground(QColor(200, 30, 30)); break;
    }
    QScrollBar* bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    if (!document()->isEmpty()) cursor.insertBlock();
    cursor.insertText(text, format);
    if (atBottom) bar->setValue(bar->maximum());
}

QString LogConsole::lastLine() const { return document()->lastBlock().text(); }

}  // namespace dq::widgets
