#include "widgets/scroll_pane.h"

#include <QAbstractSpinBox>
#include <QChildEvent>
#include <QComboBox>
#include <QScrollBar>
#include <QSlider>
#include <QWheelEvent>

#include <algorithm>

namespace dq::widgets {

namespace {
// Scroll bars (of a text field in the panel, say) are not guarded: the wheel
// is what they are for.
bool changesOnWheel(const QObject* object) {
    return qobject_cast<const QAbstractSpinBox*>(object) || qobject_cast<const QComboBox*>(object) ||
           qobject_cast<const QSlider*>(object);
}
}  // namespace

ScrollPane::ScrollPane(QWidget* content, QWidget* parent) : QScrollArea(parent) {
    Q_ASSERT(content);
    setObjectName(content->objectName() + "Scroll");
    setFrameShape(QFrame::NoFrame);
    setWidgetResizable(true);
    setWidget(content);
    guardWheel(content);
}

void ScrollPane::guardWheel(QObject* object) {
    // Every widget is watched for new children (fields shown for another kind
    // of model are created later); the fields themselves for wheel events.
    if (!object->isWidgetType()) return;
    object->installEventFilter(this);
    if (changesOnWheel(object)) static_cast<QWidget*>(object)->setFocusPolicy(Qt::StrongFocus);
    for (QObject* child : object->children()) guardWheel(child);
}

bool ScrollPane::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ChildPolished) {
        // Polished, not merely added: a child is added from inside its base
        // class constructor, before it is a combo box or sets its focus policy.
        guardWheel(static_cast<QChildEvent*>(event)->child());
    } else if (event->type() == QEvent::Wheel && changesOnWheel(watched) &&
               !static_cast<QWidget*>(watched)->hasFocus() &&
               static_cast<QWidget*>(watched)->window() == window()) {  // not in a combo box's open list
        wheelEvent(static_cast<QWheelEvent*>(event));  // scroll the pane instead
        return true;
    }
    return QScrollArea::eventFilter(watched, event);
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
