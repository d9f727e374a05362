#include "widgets/layer_table.h"

#include <QComboBox>
#include <QEvent>
#include <QHeaderView>
#include <QMap>
#include <QStyledItemDelegate>

namespace dq::widgets {

namespace {
constexpr int kBitsRole = Qt::UserRole + 1;   // int: the width (0 = FP)
constexpr int kSiteRole = Qt::UserRole + 2;   // bool: a site row (not a block group)
constexpr int kOperandRole = Qt::UserRole + 3;
constexpr int kNameRole = Qt::UserRole + 4;   // QString: the full site name

// Rows sit under their block, so they show the name relative to it.
QString shortName(const QString& name, const QString& block) {
    return name.startsWith(block + '.') ? name.mid(block.size() + 1) : name;
}

// Bit-width editor: FP or 2…16 bits.
class BitsDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const override {
        auto* box = new QComboBox(parent);
        box->addItem(LayerTable::bitsText(0), 0);
        for (int b = 2; b <= 16; ++b) box->addItem(LayerTable::bitsText(b), b);
        return box;
    }
    void setEditorData(QWidget* editor, const QModelIndex& index) const override {
        auto* box = static_cast<QComboBox*>(editor);
        box->setCurrentIndex(std::max(0, box->findData(index.data(kBitsRole))));
    }
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override {
        auto* box = static_cast<QComboBox*>(editor);
        model->setData(index, box->currentData(), kBitsRole);
    }
};
}  // namespace

QString LayerTable::bitsText(int bits) { return bits <= 0 ? tr("FP") : QString::number(bits); }

LayerTable::LayerTable(QWidget* parent) : QTreeWidget(parent) {
    setObjectName("layerTable");
    setColumnCount(7);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                    QAbstractItemView::EditKeyPressed);
    // Fixed (interactive) widths: ResizeToContents would re-measure every row
    // on each cell change, which makes bulk status updates quadratic.
    header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int c = KindColumn; c <= ReconColumn; ++c) header()->setSectionResizeMode(c, QHeaderView::Interactive);
    header()->resizeSection(KindColumn, 105);
    header()->resizeSection(ShapeColumn, 85);
    header()->resizeSection(WeightBitsColumn, 48);
    header()->resizeSection(ActivationBitsColumn, 48);
    header()->resizeSection(StatusColumn, 80);
    header()->resizeSection(ReconColumn, 70);
    header()->setStretchLastSection(false);
    setItemDelegateForColumn(WeightBitsColumn, new BitsDelegate(this));
    setItemDelegateForColumn(ActivationBitsColumn, new BitsDelegate(this));
    connect(this, &QTreeWidget::itemChanged, this, &LayerTable::onItemChanged);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->data(0, kSiteRole).toBool()) Q_EMIT siteSelected(item->data(0, kNameRole).toString());
    });
    retranslate();
}

void LayerTable::retranslate() {
    setHeaderLabels({tr("Site"), tr("Kind"), tr("Shape"), tr("W bits"), tr("A bits"), tr("Status"), tr("Recon")});
    headerItem()->setToolTip(ReconColumn, tr("Change of the site's reconstruction unit output error "
                                             "(AdaRound, then LSQ) against its starting point"));
    headerItem()->setToolTip(WeightBitsColumn, tr("Weight bit-width (double-click to edit; FP = not quantized)"));
    headerItem()->setToolTip(ActivationBitsColumn,
                             tr("Activation bit-width of the site's input, or of the attention operand"));
    const bool wasUpdating = updating_;
    updating_ = true;
    for (QTreeWidgetItem* item : std::as_const(items_)) {
        const auto row = rows_.constFind(item->data(0, kNameRole).toString());
        if (row != rows_.constEnd()) describe(item, *row);
        for (int c : {WeightBitsColumn, ActivationBitsColumn}) {
            if (item->data(c, kBitsRole).isValid()) item->setText(c, bitsText(item->data(c, kBitsRole).toInt()));
        }
        refreshStatus(item);
    }
    updating_ = wasUpdating;
}

void LayerTable::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QTreeWidget::changeEvent(event);
}

bool LayerTable::edit(const QModelIndex& index, EditTrigger trigger, QEvent* event) {
    if (index.column() != WeightBitsColumn && index.column() != ActivationBitsColumn) return false;
    if (!index.data(kBitsRole).isValid()) return false;
    return QTreeWidget::edit(index, trigger, event);
}

// The translated parts of a row: the kind with its marker, and the tooltip.
void LayerTable::describe(QTreeWidgetItem* item, const LayerRow& row) {
    QString kind = row.kind;
    QString tip = row.name;
    if (row.splitChannels > 0) {
        kind += tr(" · split");
        tip += tr("\nShortcut site: its input is cat(h, skip) with %1 + %2 channels; split quantization gives "
                  "each half its own grid.")
                   .arg(row.splitChannels)
                   .arg(row.inputChannels - row.splitChannels);
    } else if (row.attentionOperand) {
        kind += QStringLiteral(" ◆");
        tip += tr("\nAttention matmul operand: quantized with its own width.");
    }
    item->setText(KindColumn, kind);
    for (int c : {NameColumn, KindColumn, ShapeColumn}) item->setToolTip(c, tip);
}

void LayerTable::setLayers(const QVector<LayerRow>& rows) {
    updating_ = true;
    clear();
    items_.clear();
    rows_.clear();
    stale_.clear();
    calibrated_ = false;
    QMap<QString, QTreeWidgetItem*> groups;
    QList<QTreeWidgetItem*> order;
    for (const LayerRow& row : rows) {
        QTreeWidgetItem*& group = groups[row.block];
        if (!group) {
            group = new QTreeWidgetItem({row.block});
            group->setFlags(group->flags() & ~Qt::ItemIsEditable);
            order.push_back(group);
        }
        auto* item = new QTreeWidgetItem(group, {shortName(row.name, row.block), QString(), row.shape});
        item->setData(0, kNameRole, row.name);
        describe(item, row);
        rows_.insert(row.name, row);
        item->setData(0, kSiteRole, true);
        item->setData(0, kOperandRole, row.attentionOperand);
        Qt::ItemFlags flags = item->flags() | Qt::ItemIsEditable;
        item->setFlags(flags);
        if (!row.attentionOperand) item->setData(WeightBitsColumn, kBitsRole, row.weightBits);
        else item->setText(WeightBitsColumn, QStringLiteral("—"));
        item->setData(ActivationBitsColumn, kBitsRole, row.activationBits);
        if (row.splitChannels > 0) item->setForeground(KindColumn, QColor(160, 60, 160));
        if (row.attentionOperand) item->setForeground(KindColumn, QColor(30, 110, 170));
        items_.insert(row.name, item);
    }
    addTopLevelItems(order);
    expandAll();
    updating_ = false;
    retranslate();
}

void LayerTable::setBits(const QString& name, int weightBits, int activationBits) {
    QTreeWidgetItem* item = items_.value(name);
    if (!item) return;
    updating_ = true;
    if (item->data(WeightBitsColumn, kBitsRole).isValid()) {
        item->setData(WeightBitsColumn, kBitsRole, weightBits);
        item->setText(WeightBitsColumn, bitsText(weightBits));
    }
    item->setData(ActivationBitsColumn, kBitsRole, activationBits);
    item->setText(ActivationBitsColumn, bitsText(activationBits));
    updating_ = false;
}

void LayerTable::setCalibrationState(const QSet<QString>& needsRecalibration, bool calibrated) {
    stale_ = needsRecalibration;
    calibrated_ = calibrated;
    updating_ = true;
    for (QTreeWidgetItem* item : std::as_const(items_)) refreshStatus(item);
    updating_ = false;
}

void LayerTable::setUnitErrors(const QVector<UnitError>& errors) {
    const bool wasUpdating = updating_;
    updating_ = true;
    for (QTreeWidgetItem* item : std::as_const(items_)) {
        const QString site = item->data(0, kNameRole).toString();
        // The site's unit: the longest unit name that is the site or a prefix of it.
        double before = 0, after = 0;
        QStringList lines;
        int matchLength = -1;
        for (const UnitError& e : errors) {
            const bool match = site == e.unit || site.startsWith(e.unit + QLatin1Char('.'));
            if (!match || e.unit.size() < matchLength) continue;
            if (e.unit.size() > matchLength) {
                matchLength = static_cast<int>(e.unit.size());
                lines.clear();
                before = e.before;  // the first phase's starting error
            }
            after = e.after;  // the last phase's final error
            lines << tr("%1 (%2): %3 → %4").arg(e.unit, e.phase).arg(e.before, 0, 'g', 4).arg(e.after, 0, 'g', 4);
        }
        if (matchLength < 0 || !(before > 0)) {
            item->setText(ReconColumn, QString());
            item->setToolTip(ReconColumn, QString());
            continue;
        }
        const double change = 100.0 * (after - before) / before;
        item->setText(ReconColumn, QStringLiteral("%1%2 %").arg(change > 0 ? "+" : "").arg(change, 0, 'f', 0));
        item->setForeground(ReconColumn, change < 0 ? QColor(40, 140, 40) : QColor(120, 120, 120));
        item->setToolTip(ReconColumn, lines.join(QLatin1Char('\n')));
    }
    updating_ = wasUpdating;
}

QString LayerTable::reconText(const QString& site) const {
    QTreeWidgetItem* item = itemFor(site);
    return item ? item->text(ReconColumn) : QString();
}

void LayerTable::refreshStatus(QTreeWidgetItem* item) {
    const bool stale = stale_.contains(item->data(0, kNameRole).toString());
    item->setText(StatusColumn, stale ? tr("recalibrate") : (calibrated_ ? tr("calibrated") : QString()));
    item->setForeground(StatusColumn, stale ? QColor(200, 110, 0) : QColor(40, 140, 40));
    item->setToolTip(StatusColumn, stale ? tr("Changed since the last calibration: press Calibrate to apply") : QString());
}

void LayerTable::onItemChanged(QTreeWidgetItem* item, int column) {
    if (updating_ || !item->data(0, kSiteRole).toBool()) return;
    if (column != WeightBitsColumn && column != ActivationBitsColumn) return;
    const QVariant bits = item->data(column, kBitsRole);
    if (!bits.isValid()) return;
    updating_ = true;
    item->setText(column, bitsText(bits.toInt()));
    updating_ = false;
    const QString name = item->data(0, kNameRole).toString();
    Q_EMIT bitsEdited(name, weightBits(name), activationBits(name));
}

void LayerTable::editBits(const QString& name, Column column, int bits) {
    QTreeWidgetItem* item = items_.value(name);
    if (!item || !item->data(column, kBitsRole).isValid()) return;
    item->setData(column, kBitsRole, bits);  // triggers onItemChanged like the editor does
}

void LayerTable::selectSite(const QString& name) {
    if (QTreeWidgetItem* item = items_.value(name)) {
        setCurrentItem(item);
        scrollToItem(item);
    }
}

QTreeWidgetItem* LayerTable::itemFor(const QString& name) const { return items_.value(name); }

int LayerTable::weightBits(const QString& name) const {
    QTreeWidgetItem* item = items_.value(name);
    return item ? item->data(WeightBitsColumn, kBitsRole).toInt() : -1;
}

int LayerTable::activationBits(const QString& name) const {
    QTreeWidgetItem* item = items_.value(name);
    return item ? item->data(ActivationBitsColumn, kBitsRole).toInt() : -1;
}

bool LayerTable::needsRecalibration(const QString& name) const { return stale_.contains(name); }

int LayerTable::layerCount() const {
    int count = 0;
    for (int i = 0; i < topLevelItemCount(); ++i) count += topLevelItem(i)->childCount();
    return count;
}

}  // namespace dq::widgets
