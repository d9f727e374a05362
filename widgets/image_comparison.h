#pragma once
// Side-by-side images with captions (e.g. FP | quantized | amplified
// |difference|), and the composed picture for saving as PNG.
#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QHBoxLayout;

namespace dq::widgets {

class ImagePanel;

class ImageComparison : public QWidget {
    Q_OBJECT
public:
    explicit ImageComparison(QWidget* parent = nullptr);
    // Panels are created or removed to match `images`.
    void setImages(const QVector<QImage>& images, const QStringList& captions);
    int panelCount() const { return panels_.size(); }
    QImage image(int panel) const;
    QString caption(int panel) const;
    // The panels side by side at their native resolution × `scale`, captions
    // above, on a white background.
    QImage composedImage(int scale = 3) const;
    // Writes composedImage() atomically; returns false and sets `error` on failure.
    bool savePng(const QString& path, QString* error = nullptr) const;

    // The same picture for any images and captions (not necessarily shown).
    static QImage compose(const QVector<QImage>& images, const QStringList& captions, int scale = 3);
    // Writes a picture as PNG atomically; false with `error` set on failure.
    static bool writePng(const QImage& picture, const QString& path, QString* error = nullptr);

private:
    QHBoxLayout* layout_;
    QVector<ImagePanel*> panels_;
};

}  // namespace dq::widgets
