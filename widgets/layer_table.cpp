#include "widgets/layer_table.h"

#include <QEvent>
#include <QHeaderView>
#include <QMap>

namespace dq::widgets {

LayerTable::LayerTable(QWidget* parent) : QTreeWidget(parent) {
    setColumnCount(3);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    retranslate();
}

void LayerTable::retranslate() {
    setHeaderLabels({tr("Layer"), tr("Kind"), tr("Shape")});
}

void LayerTable::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QTreeWidget::changeEvent(event);
}

void LayerTable::setLayers(const QVector<LayerRow>& rows) {
    clear();
    QMap<QString, QTreeWidgetItem*> groups;
    QList<QTreeWidgetItem*> order;
    for (const LayerRow& row : rows) {
        QTreeWidgetItem*& group = groups[row.block];
        if (!group) {
            group = new QTreeWidgetItem({row.block});
            order.push_back(group);
        }
        QString shape = row.shape;
        if (row.splitChannels > 0)
            shape += tr("  (shortcut split %1 + %2)").arg(row.splitChannels).arg(row.inputChannels - row.splitChannels);
        auto* item = new QTreeWidgetItem(group, {row.name, row.kind, shape});
        item->setToolTip(0, row.name);
    }
    addTopLevelItems(order);
    expandAll();
}

int LayerTable::layerCount() const {
    int count = 0;
    for (int i = 0; i < topLevelItemCount(); ++i) count += topLevelItem(i)->childCount();
    return count;
}

}  // namespace dq::widgets
