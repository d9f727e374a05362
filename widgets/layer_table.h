#pragma once
// The tree of a model's quantization sites grouped by block, with each site's
// shape, weight and activation bit-widths (editable), markers for shortcut
// (split) sites and attention operands, and whether the site needs
// recalibration after an edit. Takes plain rows (no torch types).
#include <QMap>
#include <QSet>
#include <QString>
#include <QTreeWidget>
#include <QVector>

namespace dq::widgets {

struct LayerRow {
    QString name;    // e.g. "up_blocks.2.resnets.0.conv_shortcut"
    QString block;   // e.g. "up_blocks.2"
    QString kind;    // "Conv2d", "Linear", "attn-q", ...
    QString shape;   // weight shape, e.g. "64x128x3x3"; empty for operands
    qint64 splitChannels = 0;  // >0: the input is cat(h, skip); h's channel count
    qint64 inputChannels = 0;
    bool attentionOperand = false;  // q, k, v or softmax: no weight
    int weightBits = 0;             // 0: floating point
    int activationBits = 0;
    bool rawConcat = false;  // the input is the raw concatenation (shortcut conv), not its normalised form
    bool split = false;      // the plan quantizes the two halves with separate grids
    bool textInput = false;  // cross-attention keys/values: the input is the text encoder's states
};

// A reconstruction unit's output error before and after learning.
struct UnitError {
    QString unit;   // state-dict prefix of the unit, e.g. "up_blocks.1.resnets.0"
    QString phase;  // "weights" or "activations"
    double before = 0, after = 0;
};

// How much quantizing a site alone hurts, per width (0-based error of the
// predicted noise, ‖ε̂ − ε‖² / ‖ε‖², from a sensitivity sweep).
struct SiteSensitivityRow {
    QMap<int, double> weightError;      // width → error with only this weight quantized
    QMap<int, double> activationError;  // width → error with only this input quantized
};

class LayerTable : public QTreeWidget {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        KindColumn,
        ShapeColumn,
        WeightBitsColumn,
        ActivationBitsColumn,
        StatusColumn,
        ReconColumn,
        SensitivityColumn
    };

    explicit LayerTable(QWidget* parent = nullptr);
    ~LayerTable() override;
    void setLayers(const QVector<LayerRow>& rows);
    // Updates the shown widths without emitting bitsEdited.
    void setBits(const QString& name, int weightBits, int activationBits);
    // Marks sites whose plan differs from the calibrated one; `calibrated`
    // says whether any calibration exists at all.
    void setCalibrationState(const QSet<QString>& needsRecalibration, bool calibrated);
    void selectSite(const QString& name);
    // Shows, on each site, its unit's reconstruction error change (empty clears).
    void setUnitErrors(const QVector<UnitError>& errors);
    QString reconText(const QString& site) const;

    // Shows each site's sensitivity at its current widths as a bar (empty
    // clears). The value is the SQNR of the predicted noise, in dB, with only
    // that site quantized: low means sensitive. Sorting by the column puts
    // the most sensitive sites first.
    void setSensitivity(const QHash<QString, SiteSensitivityRow>& sensitivity);
    // The shown SQNR in dB; NaN when unmeasured at the site's widths or none.
    double sensitivityDb(const QString& site) const;

    // Grouped under their blocks (default), or one flat list that sorts
    // across blocks.
    void setGrouped(bool grouped);
    bool grouped() const { return grouped_; }
    // Shows only sites whose name contains `text` (case-insensitive; block
    // names are part of the name) and whose kind matches: "" (all), "conv",
    // "linear", "attention" or "shortcut".
    void setFilter(const QString& text, const QString& kind = {});
    bool isShown(const QString& site) const;

    // The selected sites; a selected block row stands for all its sites.
    QStringList selectedSites() const;
    // Sets a width on every selected site as the editor does (bitsEdited for
    // each changed site). Weight widths skip attention operands.
    void setSelectedBits(Column column, int bits);
    // Number of layer rows (leaves), not counting block group rows.
    int layerCount() const;
    QTreeWidgetItem* itemFor(const QString& name) const;
    int weightBits(const QString& name) const;
    int activationBits(const QString& name) const;
    bool needsRecalibration(const QString& name) const;
    // Sets a width as the user's editor does (emits bitsEdited); 0 is FP.
    void editBits(const QString& name, Column column, int bits);

    // "FP" for 0, else the number.
    static QString bitsText(int bits);

Q_SIGNALS:
    void bitsEdited(const QString& name, int weightBits, int activationBits);
    void siteSelected(const QString& name);

protected:
    void changeEvent(QEvent* event) override;
    // Only the bit-width cells of site rows open an editor.
    bool edit(const QModelIndex& index, EditTrigger trigger, QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void retranslate();
    void onItemChanged(QTreeWidgetItem* item, int column);
    void refreshStatus(QTreeWidgetItem* item);
    void refreshSensitivity(QTreeWidgetItem* item);
    void arrange();
    // Widens the Site column to its longest name, so names are never cut.
    void fitNameColumn();
    void applyFilter();

    void describe(QTreeWidgetItem* item, const LayerRow& row);

    QHash<QString, QTreeWidgetItem*> items_;
    QHash<QString, LayerRow> rows_;
    QSet<QString> stale_;
    bool calibrated_ = false;
    QHash<QString, SiteSensitivityRow> sensitivity_;
    QList<QTreeWidgetItem*> groups_;    // block rows, in execution order
    QList<QTreeWidgetItem*> siteOrder_; // site rows, in execution order
    bool grouped_ = true;
    QString filterText_;
    QString filterKind_;
    bool updating_ = false;
};

}  // namespace dq::widgets
