// The reusable widgets with plain data: the histogram shows the bins it is
// given, the heatmap reports the clicked cell, the layer tree edits bits only
// where allowed, and the comparison saves what it shows.
#include <cmath>

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include "widgets/heatmap_plot.h"
#include "widgets/histogram_plot.h"
#include "widgets/image_comparison.h"
#include "widgets/layer_table.h"
#include "widgets/log_console.h"
#include "widgets/progress_status.h"
#include "widgets/scroll_pane.h"

using namespace dq::widgets;

class WidgetsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void histogramShowsTheGivenBins() {
        HistogramPlot plot;
        plot.resize(500, 300);
        HistogramSeries h{"h", Qt::red, -1.0, 0.5, {3, 0, 7, 1}};
        HistogramSeries skip{"skip", Qt::blue, 0.0, 0.25, {1, 2, 3, 4, 5, 6}};
        GridOverlay grid{"4-bit grid", Qt::darkRed, -1.0, 1.0, {}};
        for (int q = 0; q < 16; ++q) grid.levels << -1.0 + q * (2.0 / 15);
        plot.setHistograms({h, skip}, {grid}, "site · step 3");
        QCOMPARE(plot.seriesCount(), 2);
        QCOMPARE(plot.plottedCounts(0), (QVector<double>{3, 0, 7, 1}));
        QCOMPARE(plot.plottedCounts(1), skip.counts);
        const QVector<double> centres = plot.plottedCentres(0);
        QCOMPARE(centres.size(), 4);
        QCOMPARE(centres[0], -0.75);
        QCOMPARE(centres[3], 0.75);
        QCOMPARE(plot.gridCount(), 1);
        QCOMPARE(plot.plottedLevelCount(0), 16);
        QCOMPARE(plot.title(), QString("site · step 3"));
        // Log counts leave empty bins out instead of plotting log(0).
        plot.setLogScale(true);
        const QVector<double> logged = plot.plottedCounts(0);
        QVERIFY(std::isnan(logged[1]));
        QCOMPARE(logged[2], 7.0);
        plot.clear("nothing");
        QCOMPARE(plot.seriesCount(), 0);
        QCOMPARE(plot.plottedCounts(0).size(), 0);
    }

    void heatmapClickReportsTheCell() {
        HeatmapPlot map;
        map.resize(600, 400);
        QVector<double> values;
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 5; ++c) values << r * 10 + c;
        map.setData({"conv_in", "down.0", "up.0"}, {"981", "781", "581", "381", "181"}, values, "range");
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.replotNow();
        QCOMPARE(map.rowCount(), 3);
        QCOMPARE(map.columnCount(), 5);
        QCOMPARE(map.value(2, 3), 23.0);
        QSignalSpy clicked(&map, &HeatmapPlot::cellClicked);
        for (auto [row, column] : {std::pair{2, 3}, std::pair{0, 0}, std::pair{1, 4}}) {
            QTest::mouseClick(map.plotWidget(), Qt::LeftButton, {}, map.cellCenter(row, column));
            QCOMPARE(clicked.count(), 1);
            QCOMPARE(clicked.takeFirst(), (QList<QVariant>{row, column}));
        }
        // Outside the cells: nothing.
        QTest::mouseClick(map.plotWidget(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(clicked.count(), 0);
    }

    void layerTableEditsOnlyBitWidths() {
        LayerTable table;
        QVector<LayerRow> rows;
        rows.push_back({"conv_in", "conv_in", "Conv2d", "32x1x3x3", 0, 1, false, 8, 8});
        // conv1 of a decoder block, split by the plan (shortcut and conv1), not fed the raw concatenation.
        rows.push_back({"up_blocks.0.resnets.0.conv1", "up_blocks.0", "Conv2d", "64x128x3x3", 64, 128, false, 4, 8, false, true});
        rows.push_back({"mid_block.attentions.0.softmax", "mid_block", "attn-softmax", "", 0, 0, true, 0, 8});
        table.setLayers(rows);
        QCOMPARE(table.layerCount(), 3);
        QVERIFY(!table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::KindColumn).contains(QStringLiteral("⑃")));
        QCOMPARE(table.weightBits("up_blocks.0.resnets.0.conv1"), 4);
        QVERIFY(table.itemFor("up_blocks.0.resnets.0.conv1")->toolTip(LayerTable::ShapeColumn).contains("64 + 64"));
        QVERIFY(table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::KindColumn).contains("split"));
        QCOMPARE(table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::NameColumn), QString("resnets.0.conv1"));
        QVERIFY(table.itemFor("mid_block.attentions.0.softmax")->text(LayerTable::KindColumn).contains(QStringLiteral("◆")));
        QSignalSpy edited(&table, &LayerTable::bitsEdited);
        table.editBits("conv_in", LayerTable::WeightBitsColumn, 6);
        QCOMPARE(edited.count(), 1);
        QCOMPARE(edited.first(), (QList<QVariant>{"conv_in", 6, 8}));
        QCOMPARE(table.itemFor("conv_in")->text(LayerTable::WeightBitsColumn), QString("6"));
        table.editBits("conv_in", LayerTable::ActivationBitsColumn, 0);
        QCOMPARE(edited.last(), (QList<QVariant>{"conv_in", 6, 0}));
        QCOMPARE(table.itemFor("conv_in")->text(LayerTable::ActivationBitsColumn), QString("FP"));
        // Attention operands have no weight to edit.
        table.editBits("mid_block.attentions.0.softmax", LayerTable::WeightBitsColumn, 4);
        QCOMPARE(edited.count(), 2);
        // Programmatic updates do not count as edits.
        table.setBits("conv_in", 8, 8);
        QCOMPARE(edited.count(), 2);
        table.setCalibrationState({"conv_in"}, true);
        QVERIFY(table.needsRecalibration("conv_in"));
        QVERIFY(!table.needsRecalibration("up_blocks.0.resnets.0.conv1"));
        QCOMPARE(table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::StatusColumn), QString("calibrated"));

        // Reconstruction: each site shows its unit's error change (resnet units
        // by prefix, standalone layers by name), from the first phase's start to
        // the last phase's end.
        table.setUnitErrors({{"up_blocks.0.resnets.0", "weights", 0.4, 0.2}, {"up_blocks.0.resnets.0", "activations", 0.25, 0.1},
                             {"up_blocks.0.resnets.01", "weights", 1.0, 0.0}, {"conv_in", "weights", 0.1, 0.1}});
        QCOMPARE(table.reconText("up_blocks.0.resnets.0.conv1"), QString("-75 %"));
        QVERIFY(table.itemFor("up_blocks.0.resnets.0.conv1")->toolTip(LayerTable::ReconColumn).contains("activations"));
        QCOMPARE(table.reconText("conv_in"), QString("0 %"));
        QCOMPARE(table.reconText("mid_block.attentions.0.softmax"), QString());
        table.setUnitErrors({});
        QCOMPARE(table.reconText("conv_in"), QString());
    }

    void layerTableShowsSensitivitySortsFiltersAndEditsSelections() {
        LayerTable table;
        QVector<LayerRow> rows;
        rows.push_back({"conv_in", "conv_in", "Conv2d", "32x1x3x3", 0, 1, false, 4, 8});
        rows.push_back({"down_blocks.0.resnets.0.conv1", "down_blocks.0", "Conv2d", "32x32x3x3", 0, 32, false, 4, 8});
        rows.push_back({"up_blocks.0.resnets.0.conv1", "up_blocks.0", "Conv2d", "64x128x3x3", 64, 128, false, 4, 8});
        rows.push_back({"mid_block.attentions.0.softmax", "mid_block", "attn-softmax", "", 0, 0, true, 0, 8});
        table.setLayers(rows);
        QHash<QString, SiteSensitivityRow> sens;
        sens["conv_in"] = {{{4, 0.01}, {8, 0.0001}}, {{8, 0.001}}};                        // 20 + 30 dB → 19.6 dB
        sens["down_blocks.0.resnets.0.conv1"] = {{{4, 0.0001}, {8, 1e-6}}, {{8, 1e-6}}};  // ≈ 40 dB
        sens["up_blocks.0.resnets.0.conv1"] = {{{4, 0.001}}, {{8, 1e-6}}};               // ≈ 30 dB
        sens["mid_block.attentions.0.softmax"] = {{}, {{8, 1e-5}}};                       // 50 dB
        table.setSensitivity(sens);
        QVERIFY(std::abs(table.sensitivityDb("conv_in") - (-10 * std::log10(0.011))) < 1e-9);
        QVERIFY(table.itemFor("conv_in")->text(LayerTable::SensitivityColumn).endsWith("dB"));
        QVERIFY(std::abs(table.sensitivityDb("mid_block.attentions.0.softmax") - 50) < 1e-9);
        // The value follows edits; a width that was not measured shows as unknown.
        table.editBits("conv_in", LayerTable::WeightBitsColumn, 8);
        QVERIFY(std::abs(table.sensitivityDb("conv_in") - (-10 * std::log10(0.0011))) < 1e-9);
        table.editBits("up_blocks.0.resnets.0.conv1", LayerTable::WeightBitsColumn, 3);
        QVERIFY(std::isnan(table.sensitivityDb("up_blocks.0.resnets.0.conv1")));
        QCOMPARE(table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::SensitivityColumn), QString("?"));
        table.editBits("up_blocks.0.resnets.0.conv1", LayerTable::WeightBitsColumn, 4);

        // Flat and sorted by sensitivity: the most sensitive site first, across blocks.
        table.setGrouped(false);
        QCOMPARE(table.topLevelItemCount(), 4);
        QCOMPARE(table.itemFor("up_blocks.0.resnets.0.conv1")->text(LayerTable::NameColumn), QString("up_blocks.0.resnets.0.conv1"));
        table.sortItems(LayerTable::SensitivityColumn, Qt::AscendingOrder);
        QCOMPARE(table.topLevelItem(0)->data(0, Qt::UserRole + 4).toString(), QString("conv_in"));
        QCOMPARE(table.topLevelItem(1)->data(0, Qt::UserRole + 4).toString(), QString("up_blocks.0.resnets.0.conv1"));
        QCOMPARE(table.topLevelItem(3)->data(0, Qt::UserRole + 4).toString(), QString("mid_block.attentions.0.softmax"));
        // Back under blocks, in execution order.
        table.setGrouped(true);
        QCOMPARE(table.topLevelItemCount(), 4);
        QCOMPARE(table.layerCount(), 4);
        QCOMPARE(table.itemFor("up_blocks.0.resnets.0.conv1")->parent()->text(0), QString("up_blocks.0"));

        // Filters by name and kind.
        table.setFilter("blocks.0");
        QVERIFY(table.isShown("down_blocks.0.resnets.0.conv1") && table.isShown("up_blocks.0.resnets.0.conv1"));
        QVERIFY(!table.isShown("conv_in"));
        table.setFilter("", "shortcut");
        QVERIFY(table.isShown("up_blocks.0.resnets.0.conv1") && !table.isShown("down_blocks.0.resnets.0.conv1"));
        table.setFilter("", "attention");
        QVERIFY(table.isShown("mid_block.attentions.0.softmax") && !table.isShown("conv_in"));
        table.setFilter("");

        // Several sites at once: a selected block stands for its sites; weight
        // widths skip attention operands.
        table.itemFor("conv_in")->setSelected(true);
        table.itemFor("mid_block.attentions.0.softmax")->setSelected(true);
        table.itemFor("up_blocks.0.resnets.0.conv1")->parent()->setSelected(true);
        QCOMPARE(table.selectedSites(), (QStringList{"conv_in", "up_blocks.0.resnets.0.conv1", "mid_block.attentions.0.softmax"}));
        QSignalSpy edited(&table, &LayerTable::bitsEdited);
        table.setSelectedBits(LayerTable::WeightBitsColumn, 6);
        QCOMPARE(edited.count(), 2);
        QCOMPARE(table.weightBits("conv_in"), 6);
        QCOMPARE(table.weightBits("up_blocks.0.resnets.0.conv1"), 6);
        QCOMPARE(table.weightBits("down_blocks.0.resnets.0.conv1"), 4);
        table.setSelectedBits(LayerTable::ActivationBitsColumn, 0);
        QCOMPARE(edited.count(), 5);
        QCOMPARE(table.activationBits("mid_block.attentions.0.softmax"), 0);
        table.setSensitivity({});
        QCOMPARE(table.itemFor("conv_in")->text(LayerTable::SensitivityColumn), QString());
    }

    void comparisonSavesWhatItShows() {
        ImageComparison view;
        QImage a(16, 8, QImage::Format_Grayscale8), b(16, 8, QImage::Format_Grayscale8);
        a.fill(20);
        b.fill(230);
        view.setImages({a, b, a}, {"FP", "Quantized", "|diff|"});
        QCOMPARE(view.panelCount(), 3);
        const QImage composed = view.composedImage(2);
        QVERIFY(composed.width() > 3 * 32);
        QTemporaryDir dir;
        const QString path = dir.path() + "/comparison.png";
        QString error;
        QVERIFY2(view.savePng(path, &error), qPrintable(error));
        QImage saved(path);
        QCOMPARE(saved.size(), view.composedImage().size());
        QVERIFY(!view.savePng(dir.path() + "/missing/folder/x.png", &error));
        QVERIFY(error.contains("missing/folder"));
        view.setImages({}, {});
        QVERIFY(!view.savePng(path, &error));
    }

    void progressShowsEtaAndCancels() {
        ProgressStatus status;
        QSignalSpy cancel(&status, &ProgressStatus::cancelRequested);
        status.begin("Sampling");
        QVERIFY(status.isActive());
        status.setProgress(1, 10, "FP");
        QTest::qWait(50);
        status.setProgress(5, 10, "FP");
        QCOMPARE(status.value(), 5);
        QVERIFY(status.etaText().contains(" s"));
        QTest::mouseClick(status.findChild<QWidget*>("cancelButton"), Qt::LeftButton);
        QCOMPARE(cancel.count(), 1);
        status.end();
        QVERIFY(!status.isActive());
        QCOMPARE(formatDuration(3725), QString("1 h 02 min"));
        QCOMPARE(formatDuration(65), QString("1 min 05 s"));
    }

    void scrollPaneAsksForItsContentButShrinks() {
        auto* content = new QWidget;
        content->setMinimumSize(500, 700);
        ScrollPane pane(content);
        // Where there is room, the whole content without scroll bars...
        QVERIFY(pane.sizeHint().width() >= 500 && pane.sizeHint().height() >= 700);
        pane.resize(pane.sizeHint());
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QVERIFY(!pane.verticalScrollBar()->isVisible() && !pane.horizontalScrollBar()->isVisible());
        // ...and on a small screen it scrolls instead of setting the window's size.
        QVERIFY(pane.minimumSizeHint().width() < 250 && pane.minimumSizeHint().height() < 200);
        pane.resize(300, 300);
        QTRY_VERIFY(pane.verticalScrollBar()->isVisible());
        QCOMPARE(pane.verticalScrollBar()->maximum(), 700 - pane.viewport()->height());
    }

    void scrollPaneWheelScrollsInsteadOfChangingFields() {
        auto* content = new QWidget;
        content->setMinimumSize(200, 900);
        auto* box = new QSpinBox(content);
        box->setRange(0, 100);
        box->setValue(50);
        box->setGeometry(10, 10, 80, 24);
        ScrollPane pane(content);
        pane.resize(260, 300);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        auto wheelOverBox = [&] {
            QWheelEvent wheel(QPointF(20, 10), box->mapToGlobal(QPointF(20, 10)), QPoint(), QPoint(0, -120),
                              Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(box, &wheel);
        };
        // Unfocused: the pane scrolls down and the value stays.
        box->clearFocus();
        QVERIFY(!box->hasFocus());
        wheelOverBox();
        QCOMPARE(box->value(), 50);
        QVERIFY(pane.verticalScrollBar()->value() > 0);
        // Once the user picked the field, the wheel is the field's.
        box->setFocus();
        QTRY_VERIFY(box->hasFocus());
        wheelOverBox();
        QCOMPARE(box->value(), 49);
        // Fields created after the pane are guarded too.
        auto* later = new QComboBox(content);
        later->addItems({"a", "b"});
        later->show();
        QCOMPARE(later->focusPolicy(), Qt::StrongFocus);
    }

    void logConsoleKeepsRecentLines() {
        LogConsole console(nullptr, 100);
        for (int i = 0; i < 250; ++i) console.appendLine(i % 2 ? LogLevel::Info : LogLevel::Error, QString("line %1").arg(i));
        QCOMPARE(console.lineCount(), 100);
        QCOMPARE(console.lastLine(), QString("line 249"));
    }
};

QObject* makeWidgetsTest() { return new WidgetsTest; }
#include "test_widgets.moc"
