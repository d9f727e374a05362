#pragma once
// A tree of a model's interception points grouped by block. Takes plain rows
// (no torch types), so any front end can fill it.
#include <QString>
#include <QTreeWidget>
#include <QVector>

namespace dq::widgets {

struct LayerRow {
    QString name;    // e.g. "up_blocks.2.resnets.0.conv_shortcut"
    QString block;   // e.g. "up_blocks.2"
    QString kind;    // "Conv2d", "Linear", "attn-q", ...
    QString shape;   // weight shape, e.g. "64x128x3x3"; empty for operands
    qint64 splitChannels = 0;  // >0: shortcut (cat) input split point
    qint64 inputChannels = 0;
};

class LayerTable : public QTreeWidget {
    Q_OBJECT
public:
    explicit LayerTable(QWidget* parent = nullptr);
    void setLayers(const QVector<LayerRow>& rows);
    // Number of layer rows (leaves), not counting block group rows.
    int layerCount() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
};

}  // namespace dq::widgets
