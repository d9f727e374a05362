#include "app/gui/quantization_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "app/gui/worker.h"
#include "widgets/scroll_pane.h"

namespace dq::gui {

namespace {
const char* const kCustom = "custom";
}

QuantizationPanel::QuantizationPanel(QWidget* parent)
    : QWidget(parent), form_(new QFormLayout), preset_(new QComboBox(this)), method_(new QComboBox(this)),
      split_(new QComboBox(this)), softmaxBits_(new QSpinBox(this)), firstLast_(new QComboBox(this)),
      perStep_(new QCheckBox(this)), timesteps_(new QComboBox(this)), normalMean_(new QDoubleSpinBox(this)),
      normalStd_(new QDoubleSpinBox(this)), caliSteps_(new QSpinBox(this)), caliSamples_(new QSpinBox(this)),
      prompts_(new QPlainTextEdit(this)), textEncoderBits_(new QComboBox(this)), vaeBits_(new QComboBox(this)),
      rounding_(new QComboBox(this)), reconIterations_(new QSpinBox(this)), activationIterations_(new QSpinBox(this)),
      progressive_(new QCheckBox(this)), relaxFraction_(new QDoubleSpinBox(this)), relaxBits_(new QSpinBox(this)),
      relaxAt_(new QComboBox(this)), averageActivationBits_(new QLabel(this)), calibrate_(new QPushButton(this)),
      status_(new QLabel(this)) {
    setObjectName("quantizationPanel");
    // The form scrolls on small screens (a field wraps below its label when the
    // dock is narrow); Calibrate and its status stay in view below it.
    auto* formPane = new QWidget(this);
    formPane->setObjectName("quantizationForm");
    auto* formLayout = new QVBoxLayout(formPane);
    formLayout->setContentsMargins(0, 0, 0, 0);
    form_->setRowWrapPolicy(QFormLayout::WrapLongRows);
    formLayout->addLayout(form_);
    formLayout->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new widgets::ScrollPane(formPane, this), 1);
    layout->addWidget(calibrate_);
    layout->addWidget(status_);
    status_->setWordWrap(true);

    for (const std::string& name : presetNames()) preset_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    preset_->addItem(QString(), kCustom);
    preset_->setObjectName("presetBox");
    for (const char* m : {"minmax", "mse", "percentile", "running"}) method_->addItem(QString(), m);
    method_->setObjectName("methodBox");
    for (const char* scope : {"off", "shortcut", "shortcut_and_conv1"}) split_->addItem(QString(), scope);
    split_->setObjectName("splitBox");
    softmaxBits_->setRange(0, 16);
    softmaxBits_->setObjectName("softmaxBitsBox");
    for (const char* f : {"same", "8", "fp"}) firstLast_->addItem(QString(), f);
    for (const char* t : {"uniform", "normal"}) timesteps_->addItem(QString(), t);
    normalMean_->setRange(0, 1);
    normalMean_->setSingleStep(0.05);
    normalMean_->setValue(0.4);
    normalStd_->setRange(0.01, 1);
    normalStd_->setSingleStep(0.05);
    normalStd_->setValue(0.4);
    caliSteps_->setRange(1, 1000);
    caliSteps_->setValue(20);
    caliSteps_->setObjectName("caliStepsBox");
    caliSamples_->setRange(1, 100000);
    caliSamples_->setValue(64);
    caliSamples_->setObjectName("caliSamplesBox");
    for (const char* r : {"nearest", "gptq", "adaround"}) rounding_->addItem(QString(), r);
    rounding_->setObjectName("roundingBox");
    reconIterations_->setRange(0, 100000);
    reconIterations_->setSingleStep(100);
    reconIterations_->setValue(500);
    reconIterations_->setObjectName("reconIterationsBox");
    activationIterations_->setRange(0, 100000);
    activationIterations_->setSingleStep(100);
    activationIterations_->setObjectName("activationIterationsBox");
    progressive_->setObjectName("progressiveBox");
    relaxFraction_->setRange(0, 1);
    relaxFraction_->setSingleStep(0.05);
    relaxFraction_->setObjectName("relaxFractionBox");
    relaxBits_->setRange(2, 16);
    relaxBits_->setValue(10);
    relaxBits_->setObjectName("relaxBitsBox");
    for (const char* at : {"last", "first"}) relaxAt_->addItem(QString(), at);
    relaxAt_->setObjectName("relaxAtBox");
    averageActivationBits_->setObjectName("averageActivationBitsLabel");
    averageActivationBits_->setWordWrap(true);
    calibrate_->setObjectName("calibrateButton");
    prompts_->setObjectName("calibrationPromptsEdit");
    prompts_->setTabChangesFocus(true);
    prompts_->setMaximumHeight(120);
    for (QComboBox* box : {textEncoderBits_, vaeBits_})
        for (int bits : {0, 8, 6, 4}) box->addItem(QString(), bits);
    textEncoderBits_->setObjectName("textEncoderBitsBox");
    vaeBits_->setObjectName("vaeBitsBox");
    preset_->setCurrentIndex(std::max(0, preset_->findData("W8A8")));

    // Labels are set (and translated) in retranslate().
    for (QWidget* field : std::initializer_list<QWidget*>{preset_, method_, split_, softmaxBits_, firstLast_, perStep_,
                                                          timesteps_, normalMean_, normalStd_, caliSteps_, caliSamples_, prompts_, textEncoderBits_, vaeBits_, rounding_,
                                                          reconIterations_, activationIterations_, progressive_,
                                                          relaxFraction_, relaxBits_, relaxAt_, averageActivationBits_})
        form_->addRow(new QLabel(this), field);

    auto changed = [this] {
        updateEnabled();
        Q_EMIT planOptionsChanged();
    };
    connect(preset_, &QComboBox::currentIndexChanged, this, [this, changed] {
        custom_ = preset_->currentData().toString() == kCustom;
        changed();
    });
    connect(method_, &QComboBox::currentIndexChanged, this, changed);
    connect(split_, &QComboBox::currentIndexChanged, this, changed);
    connect(softmaxBits_, &QSpinBox::valueChanged, this, changed);
    connect(firstLast_, &QComboBox::currentIndexChanged, this, changed);
    connect(perStep_, &QCheckBox::toggled, this, changed);
    connect(relaxFraction_, &QDoubleSpinBox::valueChanged, this, changed);
    connect(relaxBits_, &QSpinBox::valueChanged, this, changed);
    connect(relaxAt_, &QComboBox::currentIndexChanged, this, changed);
    connect(timesteps_, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
    connect(rounding_, &QComboBox::currentIndexChanged, this, [this] { updateEnabled(); });
    connect(calibrate_, &QPushButton::clicked, this, &QuantizationPanel::calibrateRequested);
    retranslate();
    updateEnabled();
    setTextToImage(false, {});  // shown once a text-to-image pipeline is open
}

void QuantizationPanel::retranslate() {
    auto label = [this](QWidget* field, const QString& text) {
        if (auto* l = qobject_cast<QLabel*>(form_->labelForField(field))) l->setText(text);
    };
    label(preset_, tr("Preset"));
    label(method_, tr("Range method"));
    label(split_, tr("Shortcuts"));
    label(softmaxBits_, tr("Softmax bits"));
    label(firstLast_, tr("First/last layer"));
    label(perStep_, tr("Activation grids"));
    label(timesteps_, tr("Timestep sampling"));
    label(normalMean_, tr("Normal mean (×T)"));
    label(normalStd_, tr("Normal std (×T)"));
    label(caliSteps_, tr("cali_st"));
    label(caliSamples_, tr("cali_n"));
    label(prompts_, tr("Calibration prompts"));
    prompts_->setPlaceholderText(tr("One prompt per line; trajectory i follows prompt i mod n"));
    prompts_->setToolTip(tr("Text-to-image pipelines are calibrated on trajectories from these prompts, each "
                            "conditional and unconditional (the negative prompt), as Q-Diffusion does"));
    label(textEncoderBits_, tr("Text encoder weights"));
    label(vaeBits_, tr("VAE decoder weights"));
    for (QComboBox* box : {textEncoderBits_, vaeBits_}) {
        for (int i = 0; i < box->count(); ++i) {
            const int bits = box->itemData(i).toInt();
            box->setItemText(i, bits == 0 ? tr("FP (as Q-Diffusion and PCR)") : tr("%1-bit, per channel").arg(bits));
        }
        box->setToolTip(tr("Weight-only quantization of this part of the pipeline, kept in the artifact; the quantized "
                           "side of comparisons and evaluations encodes or decodes with it"));
    }
    label(rounding_, tr("Weight rounding"));
    rounding_->setItemText(0, tr("nearest"));
    rounding_->setItemText(1, tr("GPTQ (second-order)"));
    rounding_->setItemText(2, tr("AdaRound (block reconstruction)"));
    label(reconIterations_, tr("AdaRound iterations"));
    reconIterations_->setToolTip(tr("Learning iterations per unit (resnet, attention block or layer)"));
    label(activationIterations_, tr("LSQ iterations"));
    activationIterations_->setSpecialValueText(tr("off"));
    activationIterations_->setToolTip(tr("Learn each unit's activation step sizes after the weights (0: off)"));
    label(progressive_, tr("Progressive"));
    progressive_->setText(tr("calibrate each step on the quantized trajectory (PCR)"));
    rounding_->setToolTip(tr("GPTQ rounds each layer's weights column by column and compensates the error with "
                             "the layer's input statistics: much better at 4 bits, seconds more to calibrate"));
    preset_->setItemText(preset_->findData(kCustom), tr("custom"));
    preset_->setToolTip(tr("W = weight bits, A = activation bits; A16 keeps activations in floating point"));
    const QStringList methods{tr("min/max"), tr("MSE search (Lp 2.4)"), tr("percentile"), tr("running min/max")};
    for (int i = 0; i < methods.size(); ++i) method_->setItemText(i, methods[i]);
    method_->setToolTip(tr("How activation and weight clipping ranges are chosen from the calibration data"));
    split_->setItemText(0, tr("one grid"));
    split_->setItemText(1, tr("split h | skip: shortcut conv (Q-Diffusion)"));
    split_->setItemText(2, tr("split h | skip: shortcut conv and conv1"));
    split_->setToolTip(tr("Quantize the two halves of a decoder cat(h, skip) input with separate grids. The shortcut "
                          "conv receives the raw concatenation (marked ⑃ in the layer table); conv1 sees it after "
                          "GroupNorm and SiLU."));
    // Text-to-image presets keep the probabilities at 16 bits (presetOptionsForModel).
    softmaxBits_->setSpecialValueText(textToImage_ ? tr("16 (text-to-image default)") : tr("as activations"));
    softmaxBits_->setToolTip(tr("Width of the attention probabilities (zero point 0)"));
    const QStringList policies{tr("as the rest"), tr("8 bits"), tr("full precision")};
    for (int i = 0; i < policies.size(); ++i) firstLast_->setItemText(i, policies[i]);
    perStep_->setText(tr("one grid per step (PCR)"));
    perStep_->setToolTip(tr("A separate activation scale and zero point for every sampling step"));
    timesteps_->setItemText(0, tr("uniform (Q-Diffusion)"));
    timesteps_->setItemText(1, tr("normal (PTQ4DM NDTC)"));
    caliSteps_->setToolTip(tr("Timesteps kept per FP trajectory"));
    caliSamples_->setToolTip(tr("FP trajectories (images) sampled for calibration"));
    label(relaxFraction_, tr("Relaxed steps"));
    relaxFraction_->setSpecialValueText(tr("off"));
    relaxFraction_->setToolTip(tr("PCR's activation relaxing: the fraction of sampling steps whose activations "
                                  "use the relaxed width (0: off)"));
    label(relaxBits_, tr("Relaxed width"));
    relaxBits_->setSuffix(tr(" bits"));
    relaxBits_->setToolTip(tr("Activation width on the relaxed steps (never below a site's own width)"));
    label(relaxAt_, tr("Relax at"));
    relaxAt_->setItemText(0, tr("the last steps (fine detail)"));
    relaxAt_->setItemText(1, tr("the first steps"));
    label(averageActivationBits_, tr("Average activation width"));
    setAverageActivationBits(averageBits_);
    calibrate_->setText(tr("Calibrate"));
}

void QuantizationPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void QuantizationPanel::updateEnabled() {
    const bool fp = preset_->currentData().toString() == "FP";
    const bool normal = timesteps_->currentData().toString() == "normal";
    normalMean_->setEnabled(normal);
    normalStd_->setEnabled(normal);
    for (QWidget* w : std::initializer_list<QWidget*>{method_, split_, softmaxBits_, firstLast_, perStep_, rounding_,
                                                      activationIterations_, progressive_, relaxFraction_})
        w->setEnabled(!fp);
    relaxBits_->setEnabled(!fp && relaxFraction_->value() > 0);
    relaxAt_->setEnabled(!fp && relaxFraction_->value() > 0);
    reconIterations_->setEnabled(!fp && rounding_->currentData().toString() == "adaround");
}

QString QuantizationPanel::preset() const { return preset_->currentData().toString(); }

void QuantizationPanel::setPreset(const QString& preset) {
    const int index = preset_->findData(preset);
    if (index >= 0) preset_->setCurrentIndex(index);
}

void QuantizationPanel::markCustom() {
    if (custom_) return;
    const QSignalBlocker block(preset_);
    preset_->setCurrentIndex(preset_->findData(kCustom));
    custom_ = true;
    updateEnabled();
}

PresetOptions QuantizationPanel::presetOptions() const {
    PresetOptions o;
    o.rangeMethod = parseRangeMethod(method_->currentData().toString().toStdString());
    const QString split = split_->currentData().toString();
    o.splitShortcuts = split != "off";
    o.splitScope = split == "shortcut_and_conv1" ? SplitScope::ShortcutAndConv1 : SplitScope::Shortcut;
    o.softmaxBits = softmaxBits_->value();
    const QString fl = firstLast_->currentData().toString();
    o.firstLast = fl == "8" ? FirstLastPolicy::EightBit : fl == "fp" ? FirstLastPolicy::FullPrecision : FirstLastPolicy::SameAsRest;
    o.perStepActivation = perStep_->isChecked();
    return o;
}

QuantizationPanel::Relaxing QuantizationPanel::relaxing() const {
    return {relaxFraction_->value(), relaxBits_->value(), relaxAt_->currentData().toString() == "last"};
}

void QuantizationPanel::setRelaxing(const Relaxing& relaxing) {
    relaxFraction_->setValue(relaxing.fraction);
    relaxBits_->setValue(relaxing.bits);
    relaxAt_->setCurrentIndex(relaxAt_->findData(relaxing.lastSteps ? "last" : "first"));
}

void QuantizationPanel::fillCalibration(CalibrationRequest& request) const {
    request.timestepSelection = timesteps_->currentData().toString();
    request.caliSteps = caliSteps_->value();
    request.caliSamples = caliSamples_->value();
    request.normalMean = normalMean_->value();
    request.normalStd = normalStd_->value();
    request.rounding = rounding_->currentData().toString();
    request.reconIterations = reconIterations_->value();
    request.activationIterations = activationIterations_->value();
    request.progressive = progressive_->isChecked();
    request.prompts = calibrationPrompts();
    request.textEncoderBits = textToImage_ ? textEncoderBits_->currentData().toInt() : 0;
    request.vaeBits = textToImage_ ? vaeBits_->currentData().toInt() : 0;
}

void QuantizationPanel::setTextToImage(bool on, const QStringList& defaults) {
    textToImage_ = on;
    retranslate();
    for (QWidget* field : std::initializer_list<QWidget*>{prompts_, textEncoderBits_, vaeBits_}) {
        field->setVisible(on);
        if (QWidget* label = form_->labelForField(field)) label->setVisible(on);
    }
    if (on && prompts_->toPlainText().trimmed().isEmpty()) setCalibrationPrompts(defaults);
}

QStringList QuantizationPanel::calibrationPrompts() const {
    QStringList prompts;
    for (const QString& line : prompts_->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty()) prompts << line.trimmed();
    return prompts;
}

void QuantizationPanel::setCalibrationPrompts(const QStringList& prompts) {
    prompts_->setPlainText(prompts.join(QLatin1Char('\n')));
}

void QuantizationPanel::setRounding(const QString& rounding) {
    const int index = rounding_->findData(rounding);
    if (index >= 0) rounding_->setCurrentIndex(index);
}

void QuantizationPanel::setCalibrationSize(int caliSteps, int caliSamples) {
    caliSteps_->setValue(caliSteps);
    caliSamples_->setValue(caliSamples);
}

void QuantizationPanel::setMethod(const QString& method) {
    const int index = method_->findData(method);
    if (index >= 0) method_->setCurrentIndex(index);
}

void QuantizationPanel::setSplit(bool on) { setSplitScope(on ? "shortcut" : "off"); }

void QuantizationPanel::setSplitScope(const QString& scope) {
    const int index = split_->findData(scope);
    if (index >= 0) split_->setCurrentIndex(index);
}

void QuantizationPanel::showSplit(bool split, SplitScope scope) {
    const QSignalBlocker block(split_);
    const int index = split_->findData(split ? QString::fromLatin1(splitScopeName(scope)) : QStringLiteral("off"));
    if (index >= 0) split_->setCurrentIndex(index);
}

void QuantizationPanel::setAverageActivationBits(const std::optional<ActivationWidthSummary>& summary) {
    averageBits_ = summary;
    if (!summary || summary->quantizedSites == 0) {
        averageActivationBits_->setText(tr("activations in floating point"));
        return;
    }
    averageActivationBits_->setText(tr("%1 bits over %2 quantized inputs × %3 steps")
                                        .arg(summary->averageBits, 0, 'f', 2)
                                        .arg(summary->quantizedSites)
                                        .arg(summary->steps));
}

QString QuantizationPanel::averageActivationBitsText() const { return averageActivationBits_->text(); }

void QuantizationPanel::setCalibrationStatus(const QString& text) { status_->setText(text); }

void QuantizationPanel::setBusy(bool busy) { calibrate_->setEnabled(!busy); }

void QuantizationPanel::saveSettings() const {
    QSettings s;
    s.beginGroup("quantization");
    s.setValue("preset", custom_ ? QString("W8A8") : preset());
    s.setValue("method", method_->currentData());
    s.setValue("splitScope", split_->currentData());
    s.setValue("softmaxBits", softmaxBits_->value());
    s.setValue("firstLast", firstLast_->currentData());
    s.setValue("perStep", perStep_->isChecked());
    s.setValue("timesteps", timesteps_->currentData());
    s.setValue("normalMean", normalMean_->value());
    s.setValue("normalStd", normalStd_->value());
    s.setValue("caliSteps", caliSteps_->value());
    s.setValue("caliSamples", caliSamples_->value());
    s.setValue("rounding", rounding_->currentData());
    s.setValue("reconIterations", reconIterations_->value());
    s.setValue("activationIterations", activationIterations_->value());
    s.setValue("progressive", progressive_->isChecked());
    s.setValue("relaxFraction", relaxFraction_->value());
    s.setValue("relaxBits", relaxBits_->value());
    s.setValue("relaxAt", relaxAt_->currentData());
}

void QuantizationPanel::restoreSettings() {
    QSettings s;
    s.beginGroup("quantization");
    auto select = [](QComboBox* box, const QVariant& value) {
        const int index = box->findData(value);
        if (index >= 0) box->setCurrentIndex(index);
    };
    select(preset_, s.value("preset", "W8A8"));
    select(method_, s.value("method", "minmax"));
    select(split_, s.value("splitScope", s.value("split", false).toBool() ? "shortcut" : "off"));
    softmaxBits_->setValue(s.value("softmaxBits", 0).toInt());
    select(firstLast_, s.value("firstLast", "same"));
    perStep_->setChecked(s.value("perStep", false).toBool());
    select(timesteps_, s.value("timesteps", "uniform"));
    normalMean_->setValue(s.value("normalMean", 0.4).toDouble());
    normalStd_->setValue(s.value("normalStd", 0.4).toDouble());
    caliSteps_->setValue(s.value("caliSteps", 20).toInt());
    caliSamples_->setValue(s.value("caliSamples", 64).toInt());
    select(rounding_, s.value("rounding", "nearest"));
    reconIterations_->setValue(s.value("reconIterations", 500).toInt());
    activationIterations_->setValue(s.value("activationIterations", 0).toInt());
    progressive_->setChecked(s.value("progressive", false).toBool());
    relaxFraction_->setValue(s.value("relaxFraction", 0.0).toDouble());
    relaxBits_->setValue(s.value("relaxBits", 10).toInt());
    select(relaxAt_, s.value("relaxAt", "last"));
}

}  // namespace dq::gui
