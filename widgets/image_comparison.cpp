#include "widgets/image_comparison.h"

#include <algorithm>

#include <QBuffer>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QPainter>
#include <QSaveFile>

#include "widgets/image_panel.h"

namespace dq::widgets {

ImageComparison::ImageComparison(QWidget* parent) : QWidget(parent), layout_(new QHBoxLayout(this)) {
    layout_->setContentsMargins(0, 0, 0, 0);
}

void ImageComparison::setImages(const QVector<QImage>& images, const QStringList& captions) {
    while (panels_.size() > images.size()) delete panels_.takeLast();
    while (panels_.size() < images.size()) {
        auto* panel = new ImagePanel(this);
        layout_->addWidget(panel, 1);
        panels_.push_back(panel);
    }
    for (int i = 0; i < images.size(); ++i) panels_[i]->setImage(images[i], i < captions.size() ? captions[i] : QString());
}

QImage ImageComparison::image(int panel) const {
    return panel >= 0 && panel < panels_.size() ? panels_[panel]->image() : QImage();
}

QString ImageComparison::caption(int panel) const {
    return panel >= 0 && panel < panels_.size() ? panels_[panel]->caption() : QString();
}

QImage ImageComparison::composedImage(int scale) const {
    QVector<QImage> images;
    QStringList captions;
    for (const ImagePanel* p : panels_) {
        images << p->image();
        captions << p->caption();
    }
    return compose(images, captions, scale);
}

QImage ImageComparison::compose(const QVector<QImage>& images, const QStringList& captions, int scale) {
    const QFont font("Sans", 11);
    const QFontMetrics metrics(font);
    const int gap = 12, captionHeight = metrics.height() + 8;
    int width = gap, height = 0;
    for (const QImage& image : images) {
        width += image.width() * scale + gap;
        height = std::max(height, image.height() * scale);
    }
    if (height == 0) return {};
    QImage out(width, height + captionHeight + gap, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    painter.setFont(font);
    painter.setPen(Qt::black);
    int x = gap;
    for (int i = 0; i < images.size(); ++i) {
        const QSize size = images[i].size() * scale;
        painter.drawText(QRect(x, 0, size.width(), captionHeight), Qt::AlignCenter, captions.value(i));
        painter.drawImage(QRect(QPoint(x, captionHeight), size), images[i]);
        x += size.width() + gap;
    }
    return out;
}

bool ImageComparison::savePng(const QString& path, QString* error) const { return writePng(composedImage(), path, error); }

bool ImageComparison::writePng(const QImage& picture, const QString& path, QString* error) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (picture.isNull()) return fail(tr("There is no comparison to save yet; generate one first."));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return fail(tr("Cannot write '%1': %2").arg(path, file.errorString()));
    if (!picture.save(&file, "PNG")) {
        file.cancelWriting();
        return fail(tr("Cannot encode '%1' as PNG.").arg(path));
    }
    if (!file.commit()) return fail(tr("Cannot write '%1': %2").arg(path, file.errorString()));
    return true;
}

}  // namespace dq::widgets
