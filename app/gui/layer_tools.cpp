#include "app/gui/layer_tools.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace dq::gui {

LayerTools::LayerTools(QWidget* parent)
    : QWidget(parent), filter_(new QLineEdit(this)), kind_(new QComboBox(this)), grouped_(new QCheckBox(this)),
      measure_(new QPushButton(this)), bits_(new QDoubleSpinBox(this)), allocate_(new QPushButton(this)),
      status_(new QLabel(this)) {
    setObjectName("layerTools");
    filter_->setObjectName("layerFilter");
    filter_->setClearButtonEnabled(true);
    kind_->setObjectName("layerKindFilter");
    for (const char* k : {"", "conv", "linear", "attention", "shortcut"}) kind_->addItem(QString(), QString::fromLatin1(k));
    grouped_->setObjectName("groupByBlockBox");
    grouped_->setChecked(true);
    measure_->setObjectName("sensitivityButton");
    bits_->setObjectName("allocateBitsBox");
    bits_->setRange(2, 16);
    bits_->setSingleStep(0.25);
    bits_->setDecimals(2);
    bits_->setValue(4);
    allocate_->setObjectName("allocateButton");
    status_->setObjectName("layerToolsStatus");
    status_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(filter_, 1);
    filterRow->addWidget(kind_);
    filterRow->addWidget(grouped_);
    layout->addLayout(filterRow);
    auto* sensitivityRow = new QHBoxLayout;
    sensitivityRow->addWidget(measure_);
    sensitivityRow->addStretch(1);
    sensitivityRow->addWidget(bits_);
    sensitivityRow->addWidget(allocate_);
    layout->addLayout(sensitivityRow);
    layout->addWidget(status_);

    auto filterChanged = [this] { Q_EMIT this->filterChanged(filterText(), filterKind()); };
    connect(filter_, &QLineEdit::textChanged, this, filterChanged);
    connect(kind_, &QComboBox::currentIndexChanged, this, filterChanged);
    connect(grouped_, &QCheckBox::toggled, this, &LayerTools::groupedChanged);
    connect(measure_, &QPushButton::clicked, this, &LayerTools::measureRequested);
    connect(allocate_, &QPushButton::clicked, this, [this] { Q_EMIT allocateRequested(bits_->value()); });
    retranslate();
    updateEnabled();
}

void LayerTools::retranslate() {
    filter_->setPlaceholderText(tr("Filter sites, e.g. up_blocks.2"));
    const QStringList kinds{tr("all kinds"), tr("Conv2d"), tr("Linear"), tr("attention operands"), tr("shortcut sites")};
    for (int i = 0; i < kinds.size(); ++i) kind_->setItemText(i, kinds[i]);
    grouped_->setText(tr("by block"));
    grouped_->setToolTip(tr("Group the sites under their blocks; unchecked, one list sorts across blocks"));
    measure_->setText(tr("Measure sensitivity"));
    measure_->setToolTip(tr("Quantize each site alone, and all sites but each one, at several widths, on the "
                            "calibration inputs: the Sensitivity column shows the result"));
    bits_->setSuffix(tr(" bits"));
    bits_->setToolTip(tr("Average weight width (weighted by each site's weight count) for the allocation"));
    allocate_->setText(tr("Allocate…"));
    allocate_->setToolTip(tr("Choose each site's weight width for this average, least predicted error first "
                             "(from the sensitivity sweep)"));
}

void LayerTools::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void LayerTools::updateEnabled() {
    allocate_->setEnabled(available_);
    bits_->setEnabled(available_);
}

QString LayerTools::filterText() const { return filter_->text(); }
QString LayerTools::filterKind() const { return kind_->currentData().toString(); }
bool LayerTools::grouped() const { return grouped_->isChecked(); }
double LayerTools::averageWeightBits() const { return bits_->value(); }
QString LayerTools::status() const { return status_->text(); }
void LayerTools::setStatus(const QString& text) { status_->setText(text); }

void LayerTools::setSensitivityAvailable(bool available) {
    available_ = available;
    updateEnabled();
}

}  // namespace dq::gui
