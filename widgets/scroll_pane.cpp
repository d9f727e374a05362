#include "widgets/scroll_pane.h"

#include <QScrollBar>

#include <algorithm>

namespace dq::widgets {

ScrollPane::ScrollPane(QWidget* content, QWidget* parent) : QScrollArea(parent) {
    setObjectName(content->objectName() + "Scroll");
    setFrameShape(QFrame::NoFrame);
    setWidgetResizable(true);
    setWidget(content);
}

QSize ScrollPane::sizeHint() const {
    // QScrollArea bounds its hint to 36 × 24 lines of text, which is narrower
    // than a form of labelled fields: ask for the whole panel instead.
    if (!widget()) return QScrollArea::sizeHint();
    // Room for a vertical scroll bar too, so that scrolling down never also
    // needs scrolling sideways.
    const int frame = 2 * frameWidth();
    const int bar = verticalScrollBar()->sizeHint().width();
    const QSize content = widget()->sizeHint().expandedTo(widget()->minimumSizeHint()).expandedTo(widget()->minimumSize());
    return content + QSize(frame + bar, frame);
}

QSize ScrollPane::minimumSizeHint() const {
    // Enough for the scroll bars and a few lines of the panel.
    const int bar = verticalScrollBar()->sizeHint().width();
    return {std::min(widget() ? widget()->minimumSizeHint().expandedTo(widget()->minimumSize()).width() : 0, 8 * bar) + bar,
            6 * bar};
}

}  // namespace dq::widgets
