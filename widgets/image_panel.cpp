#include "widgets/image_panel.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace dq::widgets {

PixelImage::PixelImage(QWidget* parent) : QWidget(parent) {
    setMinimumSize(96, 96);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PixelImage::setImage(const QImage& image) {
    image_ = image;
    update();
}

void PixelImage::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (image_.isNull()) return;
    const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, image_);
}

ImagePanel::ImagePanel(QWidget* parent) : QWidget(parent), caption_(new QLabel(this)), picture_(new PixelImage(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    caption_->setAlignment(Qt::AlignCenter);
    layout->addWidget(caption_);
    layout->addWidget(picture_, 1);
}

void ImagePanel::setImage(const QImage& image, const QString& caption) {
    picture_->setImage(image);
    caption_->setText(caption);
}

const QImage& ImagePanel::image() const { return picture_->image(); }
QString ImagePanel::caption() const { return caption_->text(); }

}  // namespace dq::widgets
