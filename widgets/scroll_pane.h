#pragma once
// A scroll area for a dock's panel. Its size hint is the panel's own, so on a
// screen with room the dock shows the whole panel with no scroll bar; its
// minimum size is small, so on a small screen (a 1366×768 laptop) the window
// still fits and the panel scrolls instead of pushing the window off screen.
#include <QScrollArea>

namespace dq::widgets {

class ScrollPane : public QScrollArea {
    Q_OBJECT
public:
    // Takes ownership of content.
    explicit ScrollPane(QWidget* content, QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
};

}  // namespace dq::widgets
