#include "app/gui/generation_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include "widgets/image_comparison.h"
#include "widgets/trajectory_scrubber.h"

namespace dq::gui {

GenerationPanel::GenerationPanel(QWidget* parent)
    : QWidget(parent), seed_(new QSpinBox(this)), class_(new QComboBox(this)), prompt_(new QLineEdit(this)),
      negativePrompt_(new QLineEdit(this)), promptLabel_(new QLabel(this)), negativeLabel_(new QLabel(this)),
      guidance_(new QDoubleSpinBox(this)),
      steps_(new QSpinBox(this)), spacing_(new QComboBox(this)), count_(new QSpinBox(this)), amplify_(new QSpinBox(this)),
      generate_(new QPushButton(this)), save_(new QPushButton(this)), metrics_(new QLabel(this)),
      images_(new widgets::ImageComparison(this)), scrubber_(new widgets::TrajectoryScrubber(this)) {
    setObjectName("generationPanel");
    seed_->setRange(0, 1000000000);
    seed_->setObjectName("seedBox");
    class_->setObjectName("classBox");
    prompt_->setObjectName("promptEdit");
    negativePrompt_->setObjectName("negativePromptEdit");
    promptLabel_->setBuddy(prompt_);
    negativeLabel_->setBuddy(negativePrompt_);
    guidance_->setRange(0, 20);
    guidance_->setSingleStep(0.5);
    guidance_->setValue(1.0);
    guidance_->setObjectName("guidanceBox");
    steps_->setRange(1, 1000);
    steps_->setValue(50);
    steps_->setObjectName("stepsBox");
    connect(steps_, &QSpinBox::valueChanged, this, &GenerationPanel::stepsChanged);
    spacing_->addItem(QString(), QString());
    for (const char* s : {"leading", "trailing", "linspace", "quad"}) spacing_->addItem(QString::fromLatin1(s), s);
    count_->setRange(1, 256);
    count_->setValue(16);
    count_->setObjectName("countBox");
    amplify_->setRange(1, 64);
    amplify_->setValue(4);
    amplify_->setPrefix(QStringLiteral("×"));
    generate_->setObjectName("generateButton");
    save_->setObjectName("saveComparisonButton");
    save_->setEnabled(false);
    metrics_->setObjectName("pairedMetrics");
    metrics_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Two rows of label + field pairs, so the panel fits beside the docks.
    auto* controls = new QGridLayout;
    const QList<QWidget*> fields{seed_, class_, guidance_, steps_, spacing_, count_, amplify_};
    for (int i = 0; i < fields.size(); ++i) {
        auto* label = new QLabel(this);
        label->setBuddy(fields[i]);
        labels_ << label;
        const int row = i < 4 ? 0 : 1, column = 2 * (i < 4 ? i : i - 4);
        controls->addWidget(label, row, column, Qt::AlignRight);
        controls->addWidget(fields[i], row, column + 1);
    }
    controls->addWidget(generate_, 1, 6);
    controls->addWidget(save_, 1, 7);
    // Text-to-image pipelines: the prompts, in place of the class (shown only for them).
    controls->addWidget(promptLabel_, 2, 0, Qt::AlignRight);
    controls->addWidget(prompt_, 2, 1, 1, 3);
    controls->addWidget(negativeLabel_, 2, 4, Qt::AlignRight);
    controls->addWidget(negativePrompt_, 2, 5, 1, 3);
    for (QWidget* w : {static_cast<QWidget*>(promptLabel_), static_cast<QWidget*>(prompt_),
                       static_cast<QWidget*>(negativeLabel_), static_cast<QWidget*>(negativePrompt_)})
        w->setVisible(false);
    controls->setColumnStretch(8, 1);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(images_);
    splitter->addWidget(scrubber_);
    connect(scrubber_, &widgets::TrajectoryScrubber::stepChanged, this, [this] { requestShownFrame(); });
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 300});
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(metrics_);
    layout->addWidget(splitter, 1);

    connect(generate_, &QPushButton::clicked, this, &GenerationPanel::generateRequested);
    connect(save_, &QPushButton::clicked, this, &GenerationPanel::saveRequested);
    retranslate();
}

void GenerationPanel::retranslate() {
    const QStringList texts{tr("Seed"), tr("Class"), tr("Guidance"), tr("Steps"), tr("Spacing"), tr("Images"),
                            tr("|Difference|")};
    for (int i = 0; i < labels_.size(); ++i) labels_[i]->setText(texts[i]);
    spacing_->setItemText(0, tr("model default"));
    promptLabel_->setText(tr("Prompt"));
    negativeLabel_->setText(tr("Negative prompt"));
    prompt_->setPlaceholderText(tr("a photo of an ankle boot"));
    negativePrompt_->setPlaceholderText(tr("empty: unconditional"));
    prompt_->setToolTip(tr("The text every image is generated from (text-to-image pipelines)"));
    negativePrompt_->setToolTip(tr("The unconditional text that guidance steers away from"));
    updateClassNames();
    guidance_->setToolTip(tr("Classifier-free guidance scale (1: none; needs a model with a null class)"));
    amplify_->setToolTip(tr("Amplification of the |FP − quantized| difference image"));
    generate_->setText(tr("Generate"));
    save_->setText(tr("Save PNG…"));
    refreshImages();
}

void GenerationPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void GenerationPanel::updateClassNames() {
    classNames_.clear();
    for (int k = 0; k < classCount_; ++k)
        classNames_ << (k < modelClassNames_.size() ? QStringLiteral("%1 · %2").arg(k).arg(modelClassNames_[k])
                                                    : tr("class %1").arg(k));
    if (class_->count() > 0) class_->setItemText(0, tr("mixed"));
    for (int k = 0; k < classNames_.size() && k + 1 < class_->count(); ++k) class_->setItemText(k + 1, classNames_[k]);
}

void GenerationPanel::setModel(const ModelInfo& model) {
    classCount_ = model.classCount;
    modelClassNames_ = model.classNames;
    const int previous = class_->currentIndex();
    class_->clear();
    class_->addItem(QString(), -1);
    for (int k = 0; k < classCount_; ++k) class_->addItem(QString(), k);
    updateClassNames();
    class_->setEnabled(classCount_ > 0);
    textToImage_ = model.textToImage;
    for (QWidget* w : {static_cast<QWidget*>(promptLabel_), static_cast<QWidget*>(prompt_),
                       static_cast<QWidget*>(negativeLabel_), static_cast<QWidget*>(negativePrompt_)})
        w->setVisible(textToImage_);
    class_->setCurrentIndex(previous >= 0 && previous < class_->count() ? previous : 0);
    guidance_->setEnabled(model.supportsGuidance);
    if (!model.supportsGuidance) guidance_->setValue(1.0);
    comparison_.reset();
    refreshImages();
}

SamplingSettings GenerationPanel::settings() const {
    SamplingSettings s;
    s.seed = static_cast<quint64>(seed_->value());
    s.classLabel = class_->currentData().isValid() ? class_->currentData().toInt() : -1;
    s.guidance = guidance_->value();
    s.steps = steps_->value();
    s.spacing = spacing_->currentData().toString();
    s.count = count_->value();
    if (textToImage_) {
        s.prompt = prompt_->text();
        s.negativePrompt = negativePrompt_->text();
    }
    return s;
}

double GenerationPanel::amplify() const { return amplify_->value(); }
void GenerationPanel::setSeed(quint64 seed) { seed_->setValue(static_cast<int>(seed)); }
void GenerationPanel::setCount(int count) { count_->setValue(count); }
void GenerationPanel::setSteps(int steps) { steps_->setValue(steps); }
void GenerationPanel::setPrompt(const QString& prompt, const QString& negativePrompt) {
    prompt_->setText(prompt);
    negativePrompt_->setText(negativePrompt);
}

void GenerationPanel::setBusy(bool busy) { generate_->setEnabled(!busy); }

void GenerationPanel::showComparison(const ComparisonPtr& comparison) {
    comparison_ = comparison;
    decodedFrames_.clear();
    pendingFrame_ = -1;
    refreshImages();
    requestShownFrame();
}

void GenerationPanel::setTrajectoryFrame(quint64 comparisonId, int step, const TrajectoryImages& frame) {
    if (!comparison_ || comparison_->id != comparisonId || step < 0 || step >= comparison_->trajectory.size()) return;
    decodedFrames_.insert(step, frame);
    pendingFrame_ = -1;
    scrubber_->setFrame(step, scrubberFrame(frame));
    requestShownFrame();  // the slider may have moved on meanwhile
}

void GenerationPanel::requestShownFrame() {
    if (!comparison_ || !comparison_->framesOnDemand) return;
    const int step = scrubber_->currentStep();
    if (pendingFrame_ >= 0 || step < 0 || step >= comparison_->trajectory.size() || decodedFrames_.contains(step))
        return;
    pendingFrame_ = step;
    Q_EMIT trajectoryFrameRequested(comparison_->id, step);
}

widgets::TrajectoryFrame GenerationPanel::scrubberFrame(const TrajectoryImages& t) const {
    widgets::TrajectoryFrame f;
    f.timestep = t.timestep;
    if (!t.decoded()) return f;  // shown as "decoding" until the worker sends it
    f.images = {t.fpSample, t.fpX0};
    if (comparison_ && comparison_->hasQuantized) f.images << t.quantizedSample << t.quantizedX0;
    return f;
}

void GenerationPanel::showPreview(const QImage& image, int step, int steps) {
    images_->setImages({image}, {tr("Predicted x0 at step %1 / %2").arg(step + 1).arg(steps)});
}

QString GenerationPanel::metricsText() const { return metrics_->text(); }

void GenerationPanel::refreshImages() {
    save_->setEnabled(comparison_ != nullptr);
    if (!comparison_) {
        images_->setImages({}, {});
        scrubber_->setFrames({}, {});
        metrics_->setText(tr("Press Generate to sample from the same noise with the FP and the quantized model."));
        return;
    }
    const ComparisonData& c = *comparison_;
    const QString what = !c.settings.prompt.isEmpty()
                             ? tr("“%1”").arg(c.settings.prompt)
                             : c.settings.classLabel >= 0 && c.settings.classLabel < classNames_.size()
                                   ? classNames_[c.settings.classLabel]
                                   : tr("mixed classes");
    const QString setting = tr("seed %1 · %2 · guidance %3 · %4 steps")
                                .arg(c.settings.seed)
                                .arg(what)
                                .arg(c.settings.guidance)
                                .arg(c.settings.steps);
    QStringList captions;
    const QVector<QImage> images = comparisonImages(&captions);
    if (c.hasQuantized) {
        images_->setImages(images, captions);
        metrics_->setText(tr("Paired PSNR %1 dB · SSIM %2 · MSE %3   (%4)")
                              .arg(c.psnr, 0, 'f', 2)
                              .arg(c.ssim, 0, 'f', 4)
                              .arg(c.mse, 0, 'g', 3)
                              .arg(setting));
    } else {
        images_->setImages({c.fp}, {tr("FP (no quantized model yet: press Calibrate)")});
        metrics_->setText(setting);
    }
    QVector<widgets::TrajectoryFrame> frames;
    QStringList frameCaptions{tr("FP x_t"), tr("FP predicted x0")};
    if (c.hasQuantized) frameCaptions << tr("Quantized x_t") << tr("Quantized predicted x0");
    for (int k = 0; k < c.trajectory.size(); ++k)
        frames.push_back(scrubberFrame(decodedFrames_.value(k, c.trajectory[k])));
    scrubber_->setFrames(frames, frameCaptions);
}

QVector<QImage> GenerationPanel::comparisonImages(QStringList* captions) const {
    const ComparisonData& c = *comparison_;
    if (!c.hasQuantized) {
        *captions = QStringList{tr("FP")};
        return {c.fp};
    }
    *captions = QStringList{tr("FP"), tr("Quantized"), tr("|FP − quantized| × %1").arg(c.amplify)};
    return {c.fp, c.quantized, c.difference};
}

bool GenerationPanel::saveComparison(const QString& path, QString* error) const {
    if (!comparison_) return widgets::ImageComparison::writePng(QImage(), path, error);
    QStringList captions;
    const QVector<QImage> images = comparisonImages(&captions);
    return widgets::ImageComparison::writePng(widgets::ImageComparison::compose(images, captions), path, error);
}

void GenerationPanel::saveSettings() const {
    QSettings s;
    s.beginGroup("generation");
    s.setValue("seed", seed_->value());
    s.setValue("guidance", guidance_->value());
    s.setValue("steps", steps_->value());
    s.setValue("spacing", spacing_->currentData());
    s.setValue("count", count_->value());
    s.setValue("amplify", amplify_->value());
    s.setValue("prompt", prompt_->text());
    s.setValue("negativePrompt", negativePrompt_->text());
}

void GenerationPanel::restoreSettings() {
    QSettings s;
    s.beginGroup("generation");
    seed_->setValue(s.value("seed", 0).toInt());
    guidance_->setValue(s.value("guidance", 1.0).toDouble());
    steps_->setValue(s.value("steps", 50).toInt());
    const int spacing = spacing_->findData(s.value("spacing", QString()));
    spacing_->setCurrentIndex(std::max(0, spacing));
    count_->setValue(s.value("count", 16).toInt());
    amplify_->setValue(s.value("amplify", 4).toInt());
    prompt_->setText(s.value("prompt").toString());
    negativePrompt_->setText(s.value("negativePrompt").toString());
}

}  // namespace dq::gui
