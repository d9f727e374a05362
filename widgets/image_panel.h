#pragma once
// One captioned image, scaled to fit with nearest-neighbour sampling so that
// the pixels of small generations stay crisp.
#include <QImage>
#include <QString>
#include <QWidget>

class QLabel;

namespace dq::widgets {

class PixelImage : public QWidget {
    Q_OBJECT
public:
    explicit PixelImage(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    QSize sizeHint() const override { return {256, 256}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
};

class ImagePanel : public QWidget {
    Q_OBJECT
public:
    explicit ImagePanel(QWidget* parent = nullptr);
    void setImage(const QImage& image, const QString& caption);
    const QImage& image() const;
    QString caption() const;

private:
    QLabel* caption_;
    PixelImage* picture_;
};

}  // namespace dq::widgets
