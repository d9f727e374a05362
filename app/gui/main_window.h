#pragma once
// The main window. For now it shows the loaded model's summary; the
// quantization panels, histograms and comparisons arrive with the explorer.
#include <optional>

#include <QMainWindow>

#include "core/model/model_summary.h"

class QLabel;

namespace dq::widgets {
class LayerTable;
}

namespace dq::gui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Loads a model folder; on failure shows the error and keeps the old model.
    // Returns whether it succeeded.
    bool openModel(const QString& folder, bool showErrors = true);
    QString modelFolder() const { return modelFolder_; }
    const widgets::LayerTable* layerTable() const { return layers_; }
    QString summaryText() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void chooseModel();
    void retranslate();
    void updateSummary();

    widgets::LayerTable* layers_;
    QLabel* summary_;
    QString modelFolder_;
    QString summaryHtml_;
    QMenu* fileMenu_ = nullptr;
    QMenu* helpMenu_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    // Kept to redraw the summary when the language changes.
    std::optional<ModelSummary> loaded_;
};

}  // namespace dq::gui
