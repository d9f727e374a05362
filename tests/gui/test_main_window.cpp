// The main window on the offscreen platform with real model folders and the
// real worker thread: it loads models (and keeps the old one on errors), fills
// the layer tree, edits the plan, switches language live, routes heatmap
// clicks to the histogram view, and closes cleanly while work is running.
#include <filesystem>
#include <functional>
#include <limits>
#include <set>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QMenu>
#include <QDoubleSpinBox>
#include <QTreeWidgetItemIterator>
#include <QSpinBox>
#include <QApplication>
#include <QFile>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/generation_panel.h"
#include "app/gui/heatmap_panel.h"
#include "app/gui/histogram_panel.h"
#include "app/gui/language.h"
#include "app/gui/layer_tools.h"
#include "app/gui/worker_controller.h"
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>

#include "app/gui/allocate_dialog.h"
#include "widgets/pareto_plot.h"
#include "app/gui/main_window.h"
#include "app/gui/quantization_panel.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/model_folder.h"
#include "tests/core/test_support.h"
#include "widgets/heatmap_plot.h"
#include "widgets/histogram_plot.h"
#include "widgets/image_comparison.h"
#include "widgets/layer_table.h"
#include "widgets/pareto_plot.h"
#include "widgets/progress_status.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace dq;

namespace {
bool waitIdle(gui::MainWindow& window, int timeoutMs = 240000) {
    return QTest::qWaitFor([&] { return !window.busy(); }, timeoutMs);
}

bool openAndWait(gui::MainWindow& window, const QString& folder) {
    QSignalSpy changed(&window, &gui::MainWindow::modelChanged);
    window.openModel(folder);
    return changed.wait(60000) && waitIdle(window);
}

// The usual start of a test: the window on screen, without error dialogs, with `folder` open.
bool showAndOpen(gui::MainWindow& window, const QString& folder) {
    window.setShowErrorDialogs(false);
    window.show();
    return QTest::qWaitForWindowExposed(&window) && openAndWait(window, folder);
}
}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString tiny_;

private Q_SLOTS:
    void initTestCase() {
        tiny_ = dir_.path() + "/tiny";
        test::writeModelFolder(tiny_.toStdString(), test::tinyConfig(), 1);
    }

    void showsTheLoadedModel() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.summaryText().contains("No model loaded"));
        QSignalSpy fpStats(&window, &gui::MainWindow::statisticsShown);
        QVERIFY(openAndWait(window, tiny_));
        QCOMPARE(window.modelFolder(), tiny_);
        QVERIFY(window.windowTitle().contains("tiny"));
        QVERIFY(window.summaryText().contains("177,553") || window.summaryText().contains("177553"));
        const int sites = static_cast<int>(loadModelFolder(tiny_.toStdString()).unet.sites().size());
        QCOMPARE(window.layerTable()->layerCount(), sites);
        auto* item = window.layerTable()->itemFor("up_blocks.0.resnets.0.conv_shortcut");
        QVERIFY(item && item->toolTip(widgets::LayerTable::ShapeColumn).contains("32 + 32"));
        QVERIFY(item->text(widgets::LayerTable::KindColumn).contains(QStringLiteral("⑃")));  // the raw concatenation
        // FP statistics are collected right after loading.
        QCOMPARE(fpStats.count(), 1);
        QVERIFY(window.fpStatistics());
        QCOMPARE(window.heatmapPanel()->plot()->rowCount(), sites);
    }

    void badFolderKeepsTheCurrentModel() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        QSignalSpy errors(&window, &gui::MainWindow::errorShown);
        window.openModel(dir_.path() + "/does-not-exist");
        QVERIFY(errors.wait(30000));
        QVERIFY(errors.first()[0].toString().contains("does-not-exist"));
        QVERIFY(waitIdle(window));
        QCOMPARE(window.modelFolder(), tiny_);
        QVERIFY(window.statusBar()->currentMessage().contains("does-not-exist"));
    }

    void brokenFilesGiveOneErrorAndTheWindowKeepsWorking() {
        namespace fs = std::filesystem;
        // Damaged copies of the tiny model: each must fail with one message
        // naming the culprit, leave the current model loaded, and leave the
        // window able to work.
        const std::string root = (dir_.path() + "/broken").toStdString();
        auto damagedModel = [&](const std::string& name, const std::function<void(const std::string&)>& damage) {
            const std::string folder = root + "/" + name;
            fs::create_directories(folder);
            for (const auto& entry : fs::directory_iterator(tiny_.toStdString()))
                fs::copy_file(entry.path(), folder + "/" + entry.path().filename().string(),
                              fs::copy_options::overwrite_existing);
            damage(folder);
            return QString::fromStdString(folder);
        };
        auto editJson = [](const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
            nlohmann::json j = nlohmann::json::parse(readTextFile(path));
            edit(j);
            writeTextFileAtomically(path, j.dump());
        };
        const QString deep = damagedModel("deep", [](const std::string& f) {
            std::string text = readTextFile(f + "/config.json");
            text.insert(text.find('{') + 1, "\"_deep\": " + std::string(50000, '[') + std::string(50000, ']') + ",");
            writeTextFileAtomically(f + "/config.json", text);
        });
        const QString nanWeights = damagedModel("nan", [](const std::string& f) {
            const std::string path = f + "/diffusion_pytorch_model.safetensors";
            std::map<std::string, torch::Tensor> tensors;
            for (auto& [k, v] : loadSafetensors(path).tensors) tensors[k] = v.clone();
            tensors.at("conv_in.weight").view(-1)[3] = std::numeric_limits<float>::quiet_NaN();
            saveSafetensors(path, tensors);
        });
        const QString badBeta = damagedModel("beta", [&](const std::string& f) {
            editJson(f + "/scheduler_config.json", [](nlohmann::json& j) { j["beta_end"] = 1.5; });
        });
        const std::vector<std::pair<QString, QString>> models = {
            {deep, "nests deeper"}, {nanWeights, "conv_in.weight"}, {badBeta, "beta_end"}};

        // Broken artifacts of the tiny model itself.
        const QString artifact = dir_.path() + "/tiny-w8a8";
        const test::CliResult made = test::runCli({"-q", "calibrate", "--model", tiny_, "--preset", "W8A8", "--cali-n", "2",
                                                  "--cali-st", "2", "--steps", "4", "--out", artifact});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        auto damagedArtifact = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
            const std::string folder = root + "/" + name;
            fs::create_directories(folder);
            for (const auto& entry : fs::directory_iterator(artifact.toStdString()))
                fs::copy_file(entry.path(), folder + "/" + entry.path().filename().string(),
                              fs::copy_options::overwrite_existing);
            editJson(folder + "/quantized_model.json", edit);
            return QString::fromStdString(folder);
        };
        const std::vector<std::pair<QString, QString>> artifacts = {
            {damagedArtifact("wrong-type", [](nlohmann::json& j) { j["sites"][3]["weight"][0]["bits"] = "four"; }),
             "sites.3.weight.0.bits"},
            {damagedArtifact("subnormal", [](nlohmann::json& j) { j["sites"][2]["activation"][0]["grids"][0]["scale"] = 1e-45; }),
             "scale"}};

        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        for (const auto& [folder, culprit] : models) {
            QSignalSpy errors(&window, &gui::MainWindow::errorShown);
            window.openModel(folder);
            QVERIFY(errors.wait(60000));
            const QString message = errors.first()[0].toString();
            QVERIFY2(message.contains(culprit) && !message.contains('\n'), qPrintable(message));
            QVERIFY(waitIdle(window));
            QCOMPARE(window.modelFolder(), tiny_);
        }
        for (const auto& [folder, culprit] : artifacts) {
            QSignalSpy errors(&window, &gui::MainWindow::errorShown);
            window.openQuantizedModel(folder);
            QVERIFY(errors.wait(60000));
            const QString message = errors.first()[0].toString();
            QVERIFY2(message.contains(culprit) && message.contains("quantized_model.json") && !message.contains('\n'),
                     qPrintable(message));
            QVERIFY(waitIdle(window));
            QVERIFY(!window.hasQuantizedModel());
        }
        // Still working: the intact artifact opens, and a generation runs.
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        window.openQuantizedModel(artifact);
        QVERIFY(quantized.wait(60000));
        QVERIFY(waitIdle(window));
        QVERIFY(window.hasQuantizedModel());
        QSignalSpy shown(&window, &gui::MainWindow::comparisonShown);
        window.generationPanel()->setSteps(2);
        window.generationPanel()->setCount(1);
        window.generate();
        QVERIFY(shown.wait(120000));
    }

    void layerEditsChangeThePlan() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        window.quantizationPanel()->setPreset("W8A8");
        const std::string site = "down_blocks.0.resnets.0.conv1";
        QCOMPARE(window.plan().find(site)->weightBits, 8);
        window.layerTable()->editBits(QString::fromStdString(site), widgets::LayerTable::WeightBitsColumn, 4);
        QCOMPARE(window.plan().find(site)->weightBits, 4);
        QCOMPARE(window.plan().find(site)->activationBits, 8);
        QCOMPARE(window.quantizationPanel()->preset(), QString("custom"));
        window.layerTable()->editBits(QString::fromStdString(site), widgets::LayerTable::ActivationBitsColumn, 0);
        QCOMPARE(window.plan().find(site)->activationBits, 0);
        // Choosing a preset rebuilds the plan for every site, the edited one included.
        window.quantizationPanel()->setPreset("W8A16");
        QCOMPARE(window.plan().find(site)->weightBits, 8);
        QCOMPARE(window.plan().find(site)->activationBits, 0);
        QCOMPARE(window.layerTable()->weightBits(QString::fromStdString(site)), 8);
        QCOMPARE(window.layerTable()->activationBits(QString::fromStdString(site)), 0);
    }

    void splitChoiceAndRawConcatenationMarkers() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        window.quantizationPanel()->setPreset("W4A8");
        auto kindOf = [&](const QString& site) {
            for (QTreeWidgetItemIterator it(window.layerTable()); *it; ++it)
                if ((*it)->toolTip(widgets::LayerTable::NameColumn).section('\n', 0, 0) == site)
                    return (*it)->text(widgets::LayerTable::KindColumn);
            return QString("missing");
        };
        const QString shortcut = "up_blocks.0.resnets.0.conv_shortcut", conv1 = "up_blocks.0.resnets.0.conv1";
        // The shortcut conv is marked as receiving the raw concatenation whatever the plan.
        QVERIFY2(kindOf(shortcut).contains(QStringLiteral("⑃")) && !kindOf(shortcut).contains("split"),
                 qPrintable(kindOf(shortcut)));
        QVERIFY(!kindOf(conv1).contains(QStringLiteral("⑃")));
        window.quantizationPanel()->setSplitScope("shortcut");  // Q-Diffusion
        QVERIFY(window.plan().splitShortcuts && window.plan().splitScope == SplitScope::Shortcut);
        QVERIFY(kindOf(shortcut).contains("split") && !kindOf(conv1).contains("split"));
        window.quantizationPanel()->setSplitScope("shortcut_and_conv1");
        QVERIFY(window.plan().splitScope == SplitScope::ShortcutAndConv1);
        QVERIFY(kindOf(shortcut).contains("split") && kindOf(conv1).contains("split"));
        window.quantizationPanel()->setSplitScope("off");
        QVERIFY(!window.plan().splitShortcuts && !kindOf(shortcut).contains("split"));
    }

    void siteNamesAreReadableAtTheDefaultWindowSize() {
        gui::MainWindow window;
        QVERIFY(showAndOpen(window, tiny_));
        widgets::LayerTable* table = window.layerTable();
        const QFontMetrics metrics(table->font());
        // Every row's name fits its column, whether grouped or flat.
        for (bool grouped : {true, false}) {
            window.layerTools()->findChild<QCheckBox*>("groupByBlockBox")->setChecked(grouped);
            QCOMPARE(table->grouped(), grouped);
            QTreeWidgetItemIterator it(table);
            int rows = 0;
            for (; *it; ++it, ++rows) {
                const int needed = metrics.horizontalAdvance((*it)->text(widgets::LayerTable::NameColumn));
                const int depth = (*it)->parent() ? 2 : 1;
                QVERIFY2(table->columnWidth(widgets::LayerTable::NameColumn) >= needed + depth * table->indentation(),
                         qPrintable((*it)->text(0)));
            }
            QVERIFY(rows >= table->layerCount());
        }
        // The column is on screen from the left edge of the dock, and the dock shows all of it.
        QVERIFY(table->columnViewportPosition(widgets::LayerTable::NameColumn) == 0);
        QVERIFY2(table->viewport()->width() >= table->columnWidth(widgets::LayerTable::NameColumn),
                 qPrintable(QString("%1 < %2").arg(table->viewport()->width()).arg(table->columnWidth(0))));
    }

    void windowFitsALaptopScreen() {
        gui::MainWindow window;
        QVERIFY(showAndOpen(window, tiny_));
        // 1366×768 less a panel and title bar: the panels scroll instead of
        // pushing the window off the screen (it once needed 1635×973).
        const QSize minimum = window.minimumSizeHint();
        QVERIFY2(minimum.width() <= 1346 && minimum.height() <= 700,
                 qPrintable(QString("%1x%2").arg(minimum.width()).arg(minimum.height())));
        // At that size the form scrolls and Calibrate stays inside the window.
        window.resize(1346, 700);
        QTRY_COMPARE(window.size(), QSize(1346, 700));
        auto* form = window.findChild<QScrollArea*>("quantizationFormScroll");
        QVERIFY(form);
        QTRY_VERIFY(form->verticalScrollBar()->maximum() > 0);
        auto* calibrate = window.findChild<QPushButton*>("calibrateButton");
        QVERIFY(calibrate);
        const QRect button(calibrate->mapTo(&window, QPoint(0, 0)), calibrate->size());
        QVERIFY2(window.rect().contains(button), qPrintable(QString("%1,%2").arg(button.x()).arg(button.y())));
        QVERIFY(!calibrate->visibleRegion().isEmpty());
    }

    void calibrationMarksEditedLayersAndHeatmapClicksOpenTheHistogram() {
        gui::MainWindow window;
        QVERIFY(showAndOpen(window, tiny_));
        window.generationPanel()->setSteps(6);
        window.generationPanel()->setCount(2);
        window.heatmapPanel()->setStatisticsImages(2);
        window.quantizationPanel()->setPreset("W8A8");
        window.quantizationPanel()->setCalibrationSize(3, 2);
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        QSignalSpy shown(&window, &gui::MainWindow::comparisonShown);
        window.calibrate();
        QVERIFY(quantized.wait(120000));
        QVERIFY(waitIdle(window));
        QVERIFY(window.hasQuantizedModel());
        QCOMPARE(shown.count(), 1);  // the comparison follows calibration
        QVERIFY(window.generationPanel()->metricsText().contains("PSNR"));
        QVERIFY(window.quantizedStatistics());
        const QString site = "up_blocks.0.resnets.0.conv1";
        QVERIFY(!window.layerTable()->needsRecalibration(site));
        window.layerTable()->editBits(site, widgets::LayerTable::WeightBitsColumn, 4);
        QVERIFY(window.layerTable()->needsRecalibration(site));
        QVERIFY(!window.layerTable()->needsRecalibration("conv_in"));

        // FP and quantized statistics share the comparison's 6-step timeline.
        QCOMPARE(window.fpStatistics()->timesteps, window.quantizedStatistics()->timesteps);
        QCOMPARE(window.fpStatistics()->timesteps.size(), 6);

        // A heatmap click (here on the SQNR map) selects that site and timestep in the histogram view.
        gui::HeatmapPanel* heatmap = window.heatmapPanel();
        heatmap->setQuantity(gui::HeatmapPanel::Quantity::Sqnr);
        heatmap->plot()->replotNow();
        const int row = heatmap->plot()->rowCount() - 3, column = 4;
        const QString clickedSite = heatmap->siteAt(row);
        QTest::mouseClick(heatmap->plot()->plotWidget(), Qt::LeftButton, {}, heatmap->plot()->cellCenter(row, column));
        QCOMPARE(window.histogramPanel()->site(), clickedSite);
        QCOMPARE(window.histogramPanel()->timestep(), window.quantizedStatistics()->timesteps[column]);
        // FP input and the quantized model's input (a shortcut site shows h and skip of each).
        const int series = window.histogramPanel()->activationPlot()->seriesCount();
        QVERIFY2(series == 2 || series == 4, qPrintable(QString::number(series)));
        QVERIFY(window.histogramPanel()->activationPlot()->gridCount() >= 1);
        QVERIFY(window.histogramPanel()->summaryText().contains("bimodality"));
        QVERIFY(window.histogramPanel()->summaryText().contains("SQNR"));
    }

    void relaxingFromThePanelIsCalibratedAndRecorded() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        window.generationPanel()->setSteps(10);
        window.generationPanel()->setCount(2);
        window.quantizationPanel()->setPreset("W8A8");
        window.quantizationPanel()->setCalibrationSize(3, 2);
        auto* fraction = window.quantizationPanel()->findChild<QDoubleSpinBox*>("relaxFractionBox");
        auto* bits = window.quantizationPanel()->findChild<QSpinBox*>("relaxBitsBox");
        QVERIFY(fraction && bits);
        QVERIFY(!bits->isEnabled());  // nothing to widen while relaxing is off
        QVERIFY2(window.quantizationPanel()->averageActivationBitsText().startsWith("8.00 bits"),
                 qPrintable(window.quantizationPanel()->averageActivationBitsText()));
        fraction->setValue(0.2);
        QVERIFY(bits->isEnabled());
        bits->setValue(12);
        // Live: 2 of 10 steps at 12 bits, the rest at 8.
        QVERIFY2(window.quantizationPanel()->averageActivationBitsText().startsWith("8.80 bits"),
                 qPrintable(window.quantizationPanel()->averageActivationBitsText()));
        // The width map shows where relaxing applies: the last two of ten columns.
        gui::HeatmapPanel* heatmap = window.heatmapPanel();
        heatmap->setQuantity(gui::HeatmapPanel::Quantity::ActivationWidth);
        QCOMPARE(heatmap->plot()->columnCount(), 10);
        const int row = static_cast<int>(heatmap->plot()->rowCount()) / 2;
        QCOMPARE(heatmap->plot()->value(row, 0), 8.0);
        QCOMPARE(heatmap->plot()->value(row, 7), 8.0);
        QCOMPARE(heatmap->plot()->value(row, 8), 12.0);
        QCOMPARE(heatmap->plot()->value(row, 9), 12.0);
        window.generationPanel()->setSteps(20);  // 4 of 20 steps: the same share
        QVERIFY(window.quantizationPanel()->averageActivationBitsText().contains("× 20 steps"));
        QCOMPARE(heatmap->plot()->columnCount(), 20);
        window.generationPanel()->setSteps(10);
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        window.calibrate();
        QVERIFY(quantized.wait(120000));
        QVERIFY(waitIdle(window));
        // The last 20 % of the 10 steps run their activations at 12 bits.
        const QuantPlan* plan = window.calibratedPlan();
        QVERIFY(plan != nullptr);
        QCOMPARE(plan->relaxedForSteps, 10);
        const SitePlan* conv = plan->find("up_blocks.0.resnets.0.conv1");
        QCOMPARE(conv->stepActivationBits, (std::map<int, int>{{8, 12}, {9, 12}}));
        QVERIFY(!window.layerTable()->needsRecalibration("up_blocks.0.resnets.0.conv1"));
        // Other relaxing settings mark every activation site for recalibration.
        bits->setValue(10);
        QVERIFY(window.layerTable()->needsRecalibration("up_blocks.0.resnets.0.conv1"));
        bits->setValue(12);
        QVERIFY(!window.layerTable()->needsRecalibration("up_blocks.0.resnets.0.conv1"));
    }

    void sensitivityFillsTheLayerTableAndAllocationEditsThePlan() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openAndWait(window, tiny_));
        window.generationPanel()->setSteps(4);
        window.quantizationPanel()->setPreset("W4A8");
        window.quantizationPanel()->setCalibrationSize(2, 2);
        QVERIFY(!window.allocateWeightBits(4));  // nothing measured yet
        QVERIFY(window.lastError().contains("sensitivity"));
        window.measureSensitivity();
        QVERIFY(QTest::qWaitFor([&] { return window.sensitivity() != nullptr; }, 240000));
        QVERIFY(waitIdle(window));
        const QString conv = "up_blocks.0.resnets.0.conv1";
        QVERIFY(window.layerTable()->sensitivityDb(conv) > 0);
        QVERIFY(window.layerTools()->status().contains("dB"));
        // 6 average weight bits from 2, 3, 4, 6 and 8: the plan becomes mixed and fits.
        QVERIFY(window.allocateWeightBits(6.0));
        QCOMPARE(window.quantizationPanel()->preset(), QString("custom"));
        double bits = 0, weights = 0;
        std::set<int> widths;
        for (const SiteSensitivity& s : window.sensitivity()->sites) {
            if (!s.weight) continue;
            const int w = window.plan().find(s.name)->weightBits;
            widths.insert(w);
            bits += w * double(s.weightCount);
            weights += double(s.weightCount);
            QCOMPARE(window.layerTable()->weightBits(QString::fromStdString(s.name)), w);
        }
        QVERIFY(bits / weights <= 6.0 + 1e-9);
        QVERIFY2(widths.size() >= 2, "a mixed allocation");
        QCOMPARE(window.plan().find(conv.toStdString())->activationBits, 8);  // activations untouched

        // The Allocate… dialog, on a calibrated W4A8 plan so that applying marks sites.
        window.quantizationPanel()->setPreset("W4A8");
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        window.calibrate();
        QVERIFY(quantized.wait(120000));
        QVERIFY(waitIdle(window));
        QVERIFY(!window.layerTable()->needsRecalibration(conv));
        window.openAllocateDialog(3.0);
        gui::AllocateDialog* dialog = window.allocateDialog();
        QVERIFY(dialog && dialog->isVisible());
        // No allocation is solved on the GUI thread: it waits for the worker's table.
        QVERIFY(!dialog->allocation().has_value());
        QVERIFY(!dialog->applyButton()->isEnabled());
        // The frontier comes from the worker: optimal points and one per measured uniform width.
        QVERIFY(QTest::qWaitFor([&] { return dialog->plot()->frontierPointCount() > 0; }, 60000));
        QVERIFY(waitIdle(window));
        QCOMPARE(dialog->plot()->uniformPointCount(), static_cast<int>(window.sensitivity()->weightWidths.size()));
        QVERIFY(dialog->plot()->hasCurrent());
        QVERIFY(std::abs(dialog->plot()->current().x() - 4.0) < 1e-9);  // every weight at 4 bits
        // The slider's budget is met, and its allocation is marked on the plot.
        dialog->setAverageWeightBits(3.0);
        QVERIFY(dialog->allocation().has_value());
        const double allocated = dialog->allocation()->averageWeightBits;
        QVERIFY(allocated <= 3.0 + 1e-9 && allocated > 2.0);
        QVERIFY(dialog->applyButton()->isEnabled());
        {
            // The table's allocation is the one the CLI's `allocate` gives (to its rounding).
            AllocationBudget budget;
            budget.averageWeightBits = 3.0;
            AllocationOptions options;
            options.allowFullPrecision = false;  // spelled out: the CLI's `allocate --no-fp`
            const Allocation direct = allocateBits(*window.sensitivity(), budget, options);
            QVERIFY2(std::abs(direct.predictedNmse - dialog->allocation()->predictedNmse) <= 1e-3 * direct.predictedNmse,
                     qPrintable(QString("%1 vs %2").arg(dialog->allocation()->predictedNmse).arg(direct.predictedNmse)));
        }
        QVERIFY(std::abs(dialog->plot()->selected().x() - allocated) < 1e-9);
        QVERIFY2(dialog->summaryText().contains("KiB") && dialog->summaryText().contains("dB"),
                 qPrintable(dialog->summaryText()));
        const QuantPlan chosen = dialog->allocation()->plan;
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return window.allocateDialog() == nullptr; }, 5000));  // closed and deleted
        bool marked = false;
        for (const SiteSensitivity& s : window.sensitivity()->sites) {
            if (!s.weight) continue;
            const int w = window.plan().find(s.name)->weightBits;
            QCOMPARE(w, chosen.find(s.name)->weightBits);
            QCOMPARE(window.layerTable()->needsRecalibration(QString::fromStdString(s.name)), w != 4);
            marked = marked || w != 4;
        }
        QVERIFY2(marked, "the 3-bit allocation changed some widths");
        QCOMPARE(window.quantizationPanel()->preset(), QString("custom"));
        // A dialog whose frontier job is cancelled does not wait for it forever.
        window.openAllocateDialog(3.0);
        window.cancelAll();
        QVERIFY(QTest::qWaitFor([&] { return window.allocateDialog()->allocation().has_value(); }, 30000));
        QVERIFY(window.allocateDialog()->applyButton()->isEnabled());
        QVERIFY(waitIdle(window));
        window.allocateDialog()->close();
        QVERIFY(QTest::qWaitFor([&] { return window.allocateDialog() == nullptr; }, 5000));
        {
            // Without the worker's table, the dialog solves the budget itself.
            gui::AllocateDialog alone(window.sensitivity(), window.plan(), 3.0);
            QVERIFY(!alone.allocation().has_value());
            alone.frontierUnavailable("cancelled");
            QVERIFY(alone.allocation().has_value());
            QVERIFY(alone.allocation()->averageWeightBits <= 3.0 + 1e-9);
            QVERIFY(alone.applyButton()->isEnabled());
        }
        // Opening another model drops the sweep.
        QVERIFY(openAndWait(window, tiny_));
        QVERIFY(window.sensitivity() == nullptr);
        QVERIFY(std::isnan(window.layerTable()->sensitivityDb(conv)));
    }

    // A Stable Diffusion pipeline folder: the prompt fields replace the class,
    // calibration prompts come from the pipeline's own list, cross-attention
    // keys and values are marked as text-dependent in the layer tree, the
    // histogram list and the heatmap, and calibration from the prompts gives
    // a comparison of VAE-decoded images with its paired metrics.
    void promptWorkflowOnAPipeline() {
        const std::string pipeline = dir_.path().toStdString() + "/pipeline";
        std::filesystem::copy(test::dataDir() + "/golden/sd_pipeline", pipeline, std::filesystem::copy_options::recursive);
        writeTextFileAtomically(pipeline + "/calibration_prompts.txt", "a photo of a sneaker\nan ankle boot on black\n");
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        window.setPersistSettings(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, QString::fromStdString(pipeline)));
        gui::GenerationPanel* generation = window.generationPanel();
        QVERIFY(generation->findChild<QWidget*>("promptEdit")->isVisible());
        QVERIFY(!generation->findChild<QWidget*>("classBox")->isEnabled());
        QCOMPARE(generation->settings().prompt, QString("a photo of a sneaker"));  // the pipeline's first prompt
        QCOMPARE(window.quantizationPanel()->calibrationPrompts(),
                 QStringList({"a photo of a sneaker", "an ankle boot on black"}));
        QVERIFY(window.quantizationPanel()->findChild<QWidget*>("calibrationPromptsEdit")->isVisible());

        const QString key = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k";
        auto* item = window.layerTable()->itemFor(key);
        QVERIFY(item && item->text(widgets::LayerTable::KindColumn).contains("text"));
        window.histogramPanel()->showSite(key);
        QCOMPARE(window.histogramPanel()->site(), key);
        QVERIFY(window.fpStatistics());  // statistics of the prompt's trajectory

        generation->setPrompt("a bag", "blurry");
        generation->setSteps(4);
        generation->setCount(2);
        window.heatmapPanel()->setStatisticsImages(1);
        window.quantizationPanel()->setPreset("W8A8");
        window.quantizationPanel()->setCalibrationSize(2, 2);
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        window.calibrate();
        QVERIFY(quantized.wait(120000));
        QVERIFY(waitIdle(window));
        QVERIFY(window.hasQuantizedModel());
        const gui::ComparisonPtr comparison = generation->comparison();
        QVERIFY(comparison && comparison->hasQuantized);
        QVERIFY(std::isfinite(comparison->psnr));
        QVERIFY(generation->metricsText().contains("a bag"));
        // Decoded by the VAE: RGB images twice the latents' 8x8 size, in a grid of two.
        QVERIFY2(comparison->fp.width() >= 2 * 16 && comparison->fp.height() >= 16,
                 qPrintable(QStringLiteral("%1x%2").arg(comparison->fp.width()).arg(comparison->fp.height())));
        QVERIFY(!comparison->trajectory.isEmpty());
        // Trajectory frames are decoded when the scrubber shows them: the
        // last step at once (FP and quantized x_t and x0), then step 1 when
        // the slider moves there; the others stay undecoded.
        QVERIFY(comparison->framesOnDemand);
        const widgets::TrajectoryScrubber* scrubber = generation->scrubber();
        QTRY_COMPARE_WITH_TIMEOUT(scrubber->panels()->panelCount(), 4, 60000);
        QCOMPARE(scrubber->panels()->image(1).size(), comparison->fp.size());  // decoded grids, as the result's
        // A drag over steps 0, 1, 2 asks for one step at a time: step 0, then
        // the step the slider ended on, not every step it passed.
        QSignalSpy requests(generation, &gui::GenerationPanel::trajectoryFrameRequested);
        auto* scrub = const_cast<widgets::TrajectoryScrubber*>(scrubber);
        for (int step : {0, 1, 2}) scrub->setCurrentStep(step);
        QCOMPARE(requests.count(), 1);
        QCOMPARE(requests.first()[1].toInt(), 0);
        QCOMPARE(scrubber->panels()->panelCount(), 0);  // "not decoded yet" until the worker answers
        QTRY_COMPARE_WITH_TIMEOUT(scrubber->panels()->panelCount(), 4, 60000);
        QCOMPARE(requests.count(), 2);
        QCOMPARE(requests.last()[1].toInt(), 2);
        QVERIFY(scrubber->panels()->image(0) != scrubber->panels()->image(1));  // x_t vs x0 at step 3
        QVERIFY(waitIdle(window));
        // 16-bit attention probabilities, the text-to-image default.
        const SitePlan* probs = window.plan().find("down_blocks.0.attentions.0.transformer_blocks.0.attn2.softmax");
        QVERIFY(probs && probs->activationBits == 16);
    }

    // File > Shipped models opens the shipped text-to-image pipeline; its
    // text encoder and VAE can be quantized from the panel (weight-only), and
    // the comparison runs with them.
    void shippedTextToImageModelFromTheMenu() {
        gui::MainWindow window;
        window.setShowErrorDialogs(false);
        window.setPersistSettings(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* menu = window.findChild<QMenu*>("shippedModelsMenu");
        QVERIFY(menu);
        QCOMPARE(menu->actions().size(), 2);
        QAction* textToImage = nullptr;
        for (QAction* a : menu->actions()) {
            QVERIFY2(a->isEnabled(), qPrintable(a->text()));  // both ship with the program
            if (a->data().toString() == "fashion-mnist-t2i") textToImage = a;
        }
        QVERIFY(textToImage);
        QSignalSpy changed(&window, &gui::MainWindow::modelChanged);
        textToImage->trigger();
        QVERIFY(changed.wait(60000) && waitIdle(window));
        gui::GenerationPanel* generation = window.generationPanel();
        QVERIFY(generation->findChild<QWidget*>("promptEdit")->isVisible());
        gui::QuantizationPanel* panel = window.quantizationPanel();
        QVERIFY(panel->calibrationPrompts().size() >= 10);  // the pipeline's own calibration prompts
        auto* textBits = panel->findChild<QComboBox*>("textEncoderBitsBox");
        auto* vaeBits = panel->findChild<QComboBox*>("vaeBitsBox");
        QVERIFY(textBits && vaeBits && textBits->isVisible() && vaeBits->isVisible());
        textBits->setCurrentIndex(textBits->findData(8));
        vaeBits->setCurrentIndex(vaeBits->findData(8));

        generation->setPrompt("a photo of a sneaker", "");
        generation->setSteps(4);
        generation->setCount(2);
        panel->setPreset("W8A8");
        panel->setCalibrationSize(2, 4);
        QSignalSpy quantized(&window, &gui::MainWindow::quantizedModelChanged);
        window.calibrate();
        QVERIFY(quantized.wait(120000));
        QVERIFY(waitIdle(window));
        QVERIFY(window.hasQuantizedModel());
        const gui::ComparisonPtr comparison = generation->comparison();
        QVERIFY(comparison && comparison->hasQuantized && std::isfinite(comparison->psnr));
        QVERIFY2(comparison->psnr < 100, "the quantized side differs");
        // Opening the class-conditional model hides the pipeline's controls again.
        QVERIFY(openAndWait(window, tiny_));
        QVERIFY(!textBits->isVisible());
    }

    void translationsAreComplete() {
        // Every user-visible string of the window and widgets has a German and
        // a Chinese translation (translations/update.sh refreshes the catalogues).
        for (const char* name : {"diffquant_de.ts", "diffquant_zh_CN.ts"}) {
            QFile ts(QStringLiteral(DQ_SOURCE_DIR "/translations/") + name);
            QVERIFY(ts.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(ts.readAll());
            QVERIFY2(text.count("<message") > 200, name);
            QVERIFY2(!text.contains("type=\"unfinished\""), name);
            QVERIFY2(!text.contains("<translation></translation>"), name);
        }
    }

    void germanTranslationApplies() {
        gui::MainWindow window;
        QCOMPARE(window.menuBar()->actions().first()->text(), QString("&File"));
        gui::applyLanguage("de");
        QCoreApplication::processEvents();
        QCOMPARE(window.menuBar()->actions().first()->text(), QString("&Datei"));
        QCOMPARE(window.quantizationPanel()->findChild<QWidget*>("calibrateButton")->property("text").toString(),
                 QString("Kalibrieren"));
        gui::applyLanguage("zh_CN");
        QCoreApplication::processEvents();
        QVERIFY(window.menuBar()->actions().first()->text().contains(QStringLiteral("文件")));
        gui::applyLanguage("en");
        QCoreApplication::processEvents();
        QCOMPARE(window.menuBar()->actions().first()->text(), QString("&File"));
    }

    void closingDuringWorkShutsDownCleanly() {
        auto* window = new gui::MainWindow;
        window->setShowErrorDialogs(false);
        window->show();
        QVERIFY(openAndWait(*window, tiny_));
        window->generationPanel()->setSteps(1000);
        window->generationPanel()->setCount(16);
        window->generate();
        // Wait until the job is really running (its progress is on screen).
        QVERIFY(QTest::qWaitFor([&] { return window->progressStatus()->value() > 0; }, 60000));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(window->close());
        QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
        // Results still queued for the window, and new requests, no longer reach the stopped worker.
        QCoreApplication::processEvents();
        QVERIFY(!window->busy());
        QCOMPARE(window->openModel(tiny_), quint64{0});
        delete window;
    }
};

QObject* makeMainWindowTest() { return new MainWindowTest; }
#include "test_main_window.moc"
