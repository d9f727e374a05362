#pragma once
// A scroll area for a dock's panel. Its size hint is the panel's own, so on a
// screen with room the dock shows the whole panel with no scroll bar; its
// minimum size is small, so on a small screen (a 1366×768 laptop) the window
// still fits and the panel scrolls instead of pushing the window off screen.
//
// The wheel scrolls the pane, not the field under the pointer: spin boxes,
// combo boxes and sliders in it change with the wheel only once clicked or tabbed
// into, so scrolling through a form never changes a setting by accident.
#include <QScrollArea>

namespace dq::widgets {

class ScrollPane : public QScrollArea {
    Q_OBJECT
public:
    // Takes ownership of content. Fields added to it later are guarded too.
    explicit ScrollPane(QWidget* content, QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void guardWheel(QObject* object);
};

}  // namespace dq::widgets
