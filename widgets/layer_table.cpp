#include "widgets/layer_table.h"

#include <QComboBox>
#include <QContextMenuEvent>
#include <QEvent>
#include <QHeaderView>
#include <QMap>
#include <QMenu>
#include <QPainter>
#include <QStyledItemDelegate>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dq::widgets {

namespace {
constexpr int kBitsRole = Qt::UserRole + 1;   // int: the width (0 = FP)
constexpr int kSiteRole = Qt::UserRole + 2;   // bool: a site row (not a block group)
constexpr int kOperandRole = Qt::UserRole + 3;
constexpr int kNameRole = Qt::UserRole + 4;   // QString: the full site name
constexpr int kSortRole = Qt::UserRole + 5;   // double: the sensitivity column's SQNR (dB)
constexpr int kBarRole = Qt::UserRole + 6;    // double in [0, 1]: the bar's length
constexpr double kBarScaleDb = 60.0;          // 0 dB fills the bar, 60 dB and more leaves it empty

// Sorts the bit-width and sensitivity columns by value (unmeasured last).
class LayerItem : public QTreeWidgetItem {
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem& other) const override {
        const int column = treeWidget() ? treeWidget()->sortColumn() : 0;
        const int role = column == LayerTable::SensitivityColumn ? kSortRole
                         : (column == LayerTable::WeightBitsColumn || column == LayerTable::ActivationBitsColumn) ? kBitsRole
                                                                                                                   : -1;
        if (role < 0) return QTreeWidgetItem::operator<(other);
        const QVariant a = data(column, role), b = other.data(column, role);
        const double inf = std::numeric_limits<double>::infinity();
        const double x = a.isValid() && !std::isnan(a.toDouble()) ? a.toDouble() : inf;
        const double y = b.isValid() && !std::isnan(b.toDouble()) ? b.toDouble() : inf;
        return x < y;
    }
};

// The sensitivity column: the text over a bar as long as the damage.
class SensitivityDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const QVariant bar = index.data(kBarRole);
        if (bar.isValid()) {
            QRect r = option.rect.adjusted(2, 3, -2, -3);
            r.setWidth(static_cast<int>(r.width() * std::clamp(bar.toDouble(), 0.0, 1.0)));
            painter->fillRect(r, QColor(225, 95, 40, 120));
        }
        QStyledItemDelegate::paint(painter, option, index);
    }
};

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
    setColumnCount(8);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                    QAbstractItemView::EditKeyPressed);
    // Fixed (interactive) widths: ResizeToContents would re-measure every row
    // on each cell change, which makes bulk status updates quadratic.
    // The Site column is sized to its names (fitNameColumn); the others
    // scroll horizontally in a narrow dock rather than squeezing the names
    // out of sight.
    for (int c = NameColumn; c <= SensitivityColumn; ++c) header()->setSectionResizeMode(c, QHeaderView::Interactive);
    header()->resizeSection(KindColumn, 105);
    header()->resizeSection(ShapeColumn, 85);
    header()->resizeSection(WeightBitsColumn, 48);
    header()->resizeSection(ActivationBitsColumn, 48);
    header()->resizeSection(StatusColumn, 80);
    header()->resizeSection(ReconColumn, 70);
    header()->resizeSection(SensitivityColumn, 95);
    // Clicking a column header sorts by it; the Site header restores the execution order.
    header()->setSectionsClickable(true);
    connect(header(), &QHeaderView::sectionClicked, this, [this](int column) {
        if (column == NameColumn) {
            header()->setSortIndicatorShown(false);
            arrange();
            return;
        }
        const bool again = header()->isSortIndicatorShown() && sortColumn() == column;
        const Qt::SortOrder order = again && header()->sortIndicatorOrder() == Qt::AscendingOrder ? Qt::DescendingOrder
                                                                                                : Qt::AscendingOrder;
        header()->setSortIndicatorShown(true);
        header()->setSortIndicator(column, order);
        sortItems(column, order);
    });
    header()->setStretchLastSection(false);
    setItemDelegateForColumn(WeightBitsColumn, new BitsDelegate(this));
    setItemDelegateForColumn(ActivationBitsColumn, new BitsDelegate(this));
    setItemDelegateForColumn(SensitivityColumn, new SensitivityDelegate(this));
    connect(this, &QTreeWidget::itemChanged, this, &LayerTable::onItemChanged);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->data(0, kSiteRole).toBool()) Q_EMIT siteSelected(item->data(0, kNameRole).toString());
    });
    retranslate();
}

void LayerTable::retranslate() {
    setHeaderLabels(
        {tr("Site"), tr("Kind"), tr("Shape"), tr("W bits"), tr("A bits"), tr("Status"), tr("Recon"), tr("Sensitivity")});
    headerItem()->setToolTip(SensitivityColumn,
                             tr("SQNR of the predicted noise with only this site quantized at its widths (from a "
                                "sensitivity sweep): the longer the bar, the more the site matters. Click to sort."));
    headerItem()->setToolTip(NameColumn, tr("Click to restore the execution order"));
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
        refreshSensitivity(item);
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
        if (row.rawConcat) kind += QStringLiteral(" ⑃");
        if (row.split) kind += tr(" · split");
        tip += (row.rawConcat ? tr("\nShortcut site ⑃: its input is the raw cat(h, skip) with %1 + %2 channels.")
                              : tr("\nIts input is cat(h, skip) with %1 + %2 channels after GroupNorm and SiLU."))
                   .arg(row.splitChannels)
                   .arg(row.inputChannels - row.splitChannels);
        tip += row.split ? tr(" The plan gives each half its own grid.")
                         : tr(" The plan quantizes it with one grid.");
    } else if (row.attentionOperand) {
        kind += QStringLiteral(" ◆");
        tip += tr("\nAttention matmul operand: quantized with its own width.");
    }
    if (row.textInput) {
        kind += tr(" · text");
        tip += tr("\nText-dependent: its input comes from the prompt's encoder states, the same at every timestep.");
    }
    item->setText(KindColumn, kind);
    for (int c : {NameColumn, KindColumn, ShapeColumn}) item->setToolTip(c, tip);
}

LayerTable::~LayerTable() {
    if (!grouped_) qDeleteAll(groups_);  // detached from the tree in the flat view
}

void LayerTable::setLayers(const QVector<LayerRow>& rows) {
    updating_ = true;
    if (!grouped_) qDeleteAll(groups_);
    clear();
    groups_.clear();
    siteOrder_.clear();
    items_.clear();
    rows_.clear();
    stale_.clear();
    calibrated_ = false;
    QMap<QString, QTreeWidgetItem*> groups;
    for (const LayerRow& row : rows) {
        QTreeWidgetItem*& group = groups[row.block];
        if (!group) {
            group = new LayerItem(QStringList{row.block});
            group->setFlags(group->flags() & ~Qt::ItemIsEditable);
            groups_.push_back(group);
        }
        auto* item = new LayerItem(QStringList{shortName(row.name, row.block), QString(), row.shape});
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
        siteOrder_.push_back(item);
    }
    // A sensitivity sweep of another model does not apply.
    for (auto it = sensitivity_.begin(); it != sensitivity_.end();)
        it = rows_.contains(it.key()) ? std::next(it) : sensitivity_.erase(it);
    header()->setSortIndicatorShown(false);
    arrange();
    updating_ = false;
    retranslate();
}

// Puts the rows in execution order, under their blocks or flat.
void LayerTable::arrange() {
    const bool wasUpdating = updating_;
    updating_ = true;
    QTreeWidgetItem* current = currentItem();
    for (QTreeWidgetItem* item : std::as_const(siteOrder_)) {
        if (QTreeWidgetItem* parent = item->parent()) parent->removeChild(item);
        else if (const int i = indexOfTopLevelItem(item); i >= 0) takeTopLevelItem(i);
    }
    for (QTreeWidgetItem* group : std::as_const(groups_))
        if (const int i = indexOfTopLevelItem(group); i >= 0) takeTopLevelItem(i);
    if (grouped_) {
        QHash<QString, QTreeWidgetItem*> byBlock;
        for (QTreeWidgetItem* group : std::as_const(groups_)) byBlock.insert(group->text(NameColumn), group);
        for (QTreeWidgetItem* item : std::as_const(siteOrder_)) {
            const LayerRow& row = rows_[item->data(0, kNameRole).toString()];
            item->setText(NameColumn, shortName(row.name, row.block));
            byBlock.value(row.block)->addChild(item);
        }
        addTopLevelItems(groups_);
        expandAll();
    } else {
        for (QTreeWidgetItem* item : std::as_const(siteOrder_)) item->setText(NameColumn, item->data(0, kNameRole).toString());
        addTopLevelItems(siteOrder_);
    }
    applyFilter();
    fitNameColumn();
    if (current) setCurrentItem(current);
    updating_ = wasUpdating;
}

void LayerTable::fitNameColumn() {
    const QFontMetrics metrics(font());
    int width = metrics.horizontalAdvance(headerItem()->text(NameColumn)) + 24;
    for (QTreeWidgetItem* item : std::as_const(siteOrder_)) {
        const int depth = item->parent() ? 2 : 1;
        width = std::max(width, metrics.horizontalAdvance(item->text(NameColumn)) + depth * indentation() + 12);
    }
    for (QTreeWidgetItem* group : std::as_const(groups_))
        width = std::max(width, metrics.horizontalAdvance(group->text(NameColumn)) + indentation() + 12);
    header()->resizeSection(NameColumn, width);
}

void LayerTable::setGrouped(bool grouped) {
    if (grouped == grouped_) return;
    grouped_ = grouped;
    header()->setSortIndicatorShown(false);
    arrange();
}

void LayerTable::setFilter(const QString& text, const QString& kind) {
    filterText_ = text.trimmed();
    filterKind_ = kind;
    applyFilter();
}

void LayerTable::applyFilter() {
    for (QTreeWidgetItem* item : std::as_const(siteOrder_)) {
        const LayerRow& row = rows_[item->data(0, kNameRole).toString()];
        bool shown = filterText_.isEmpty() || row.name.contains(filterText_, Qt::CaseInsensitive);
        if (filterKind_ == QLatin1String("conv")) shown = shown && row.kind == QLatin1String("Conv2d");
        else if (filterKind_ == QLatin1String("linear")) shown = shown && row.kind == QLatin1String("Linear");
        else if (filterKind_ == QLatin1String("attention")) shown = shown && row.attentionOperand;
        else if (filterKind_ == QLatin1String("shortcut")) shown = shown && row.splitChannels > 0;
        item->setHidden(!shown);
    }
    for (QTreeWidgetItem* group : std::as_const(groups_)) {
        bool any = false;
        for (int i = 0; i < group->childCount() && !any; ++i) any = !group->child(i)->isHidden();
        group->setHidden(!any);
    }
}

bool LayerTable::isShown(const QString& site) const {
    QTreeWidgetItem* item = items_.value(site);
    return item && !item->isHidden() && (!item->parent() || !item->parent()->isHidden());
}

QStringList LayerTable::selectedSites() const {
    QStringList sites;
    for (QTreeWidgetItem* item : std::as_const(siteOrder_)) {
        const bool chosen = item->isSelected() || (item->parent() && item->parent()->isSelected());
        if (chosen && !item->isHidden()) sites << item->data(0, kNameRole).toString();
    }
    return sites;
}

void LayerTable::setSelectedBits(Column column, int bits) {
    for (const QString& site : selectedSites()) {
        QTreeWidgetItem* item = items_.value(site);
        if (item->data(column, kBitsRole).isValid() && item->data(column, kBitsRole).toInt() != bits)
            editBits(site, column, bits);
    }
}

void LayerTable::contextMenuEvent(QContextMenuEvent* event) {
    if (selectedSites().isEmpty()) return;
    QMenu menu(this);
    for (Column column : {WeightBitsColumn, ActivationBitsColumn}) {
        QMenu* widths = menu.addMenu(column == WeightBitsColumn ? tr("Weight bits of the selected sites")
                                                                : tr("Activation bits of the selected sites"));
        for (int bits : {0, 2, 3, 4, 5, 6, 8, 10, 12, 16})
            widths->addAction(bitsText(bits), this, [this, column, bits] { setSelectedBits(column, bits); });
    }
    menu.exec(event->globalPos());
}

void LayerTable::setSensitivity(const QHash<QString, SiteSensitivityRow>& sensitivity) {
    sensitivity_ = sensitivity;
    const bool wasUpdating = updating_;
    updating_ = true;
    for (QTreeWidgetItem* item : std::as_const(siteOrder_)) refreshSensitivity(item);
    updating_ = wasUpdating;
}

void LayerTable::refreshSensitivity(QTreeWidgetItem* item) {
    const QString name = item->data(0, kNameRole).toString();
    const auto found = sensitivity_.constFind(name);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double error = 0;
    bool measured = found != sensitivity_.constEnd();
    const int w = item->data(WeightBitsColumn, kBitsRole).toInt(), a = item->data(ActivationBitsColumn, kBitsRole).toInt();
    if (measured && w > 0) {
        measured = found->weightError.contains(w);
        error += found->weightError.value(w);
    }
    if (measured && a > 0) {
        measured = found->activationError.contains(a);
        error += found->activationError.value(a);
    }
    if (found == sensitivity_.constEnd()) {
        item->setText(SensitivityColumn, QString());
        item->setData(SensitivityColumn, kSortRole, QVariant());
        item->setData(SensitivityColumn, kBarRole, QVariant());
        item->setToolTip(SensitivityColumn, QString());
        return;
    }
    if (!measured) {
        item->setText(SensitivityColumn, tr("?"));
        item->setData(SensitivityColumn, kSortRole, nan);
        item->setData(SensitivityColumn, kBarRole, QVariant());
        item->setToolTip(SensitivityColumn, tr("Not measured at these widths: run the sensitivity sweep with them"));
        return;
    }
    const double db = error > 1e-20 ? -10.0 * std::log10(error) : 200.0;
    item->setText(SensitivityColumn, w == 0 && a == 0 ? tr("FP") : tr("%1 dB").arg(db, 0, 'f', 1));
    item->setData(SensitivityColumn, kSortRole, w == 0 && a == 0 ? 200.0 : db);
    item->setData(SensitivityColumn, kBarRole, std::clamp((kBarScaleDb - db) / kBarScaleDb, 0.0, 1.0));
    QStringList tip;
    if (w > 0) tip << tr("weights at %1 bits alone: %2 dB").arg(w).arg(-10.0 * std::log10(std::max(1e-20, found->weightError.value(w))), 0, 'f', 1);
    if (a > 0) tip << tr("input at %1 bits alone: %2 dB").arg(a).arg(-10.0 * std::log10(std::max(1e-20, found->activationError.value(a))), 0, 'f', 1);
    item->setToolTip(SensitivityColumn, tip.join(QLatin1Char('\n')));
}

double LayerTable::sensitivityDb(const QString& site) const {
    QTreeWidgetItem* item = items_.value(site);
    const QVariant v = item ? item->data(SensitivityColumn, kSortRole) : QVariant();
    return v.isValid() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
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
    refreshSensitivity(item);
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
    refreshSensitivity(item);
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

int LayerTable::layerCount() const { return static_cast<int>(siteOrder_.size()); }

}  // namespace dq::widgets
