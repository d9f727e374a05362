#include "app/gui/main_window.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

#include "app/gui/allocate_dialog.h"
#include "app/gui/default_model.h"
#include "app/gui/generation_panel.h"
#include "app/gui/heatmap_panel.h"
#include "app/gui/histogram_panel.h"
#include "app/gui/language.h"
#include "app/gui/layer_tools.h"
#include "app/gui/log_bridge.h"
#include "app/gui/quantization_panel.h"
#include "app/gui/worker_controller.h"
#include "core/analysis/bit_allocation.h"
#include "core/quant/preset_defaults.h"
#include "core/runtime/install_layout.h"
#include "widgets/layer_table.h"
#include "widgets/log_console.h"
#include "widgets/progress_status.h"
#include "widgets/scroll_pane.h"

// Q_INIT_RESOURCE must be called outside any namespace.
static void initResources() { Q_INIT_RESOURCE(diffquant); }

namespace dq::gui {

namespace {
constexpr int kMaxRecent = 8;
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), controller_(new WorkerController), logBridge_(new LogBridge),
      generation_(new GenerationPanel(this)), quantPanel_(new QuantizationPanel(this)),
      layers_(new widgets::LayerTable(this)), layerTools_(new LayerTools(this)), summary_(new QLabel(this)), histograms_(new HistogramPanel(this)),
      heatmap_(new HeatmapPanel(this)), console_(new widgets::LogConsole(this)),
      progress_(new widgets::ProgressStatus(this)) {
    initResources();
    setObjectName("mainWindow");
    setWindowIcon(QIcon(":/icons/diffquant.png"));
    setCentralWidget(generation_);
    setDockNestingEnabled(true);
    summary_->setObjectName("modelSummary");
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(progress_);
    createDocks();
    createMenus();
    connectWorker();

    connect(logBridge_, &LogBridge::message, console_,
            [this](int level, const QString& text) { console_->appendLine(static_cast<widgets::LogLevel>(level), text); },
            Qt::QueuedConnection);
    connect(quantPanel_, &QuantizationPanel::planOptionsChanged, this, &MainWindow::rebuildPlan);
    connect(quantPanel_, &QuantizationPanel::calibrateRequested, this, &MainWindow::calibrate);
    connect(generation_, &GenerationPanel::generateRequested, this, &MainWindow::generate);
    connect(generation_, &GenerationPanel::trajectoryFrameRequested, this, [this](quint64 comparisonId, int step) {
        controller_->submit([comparisonId, step](Worker* w, quint64 id) { w->decodeTrajectoryFrame(id, comparisonId, step); });
    });
    connect(generation_, &GenerationPanel::stepsChanged, this, &MainWindow::refreshCalibrationState);
    connect(generation_, &GenerationPanel::saveRequested, this, &MainWindow::chooseSaveComparison);
    connect(layers_, &widgets::LayerTable::bitsEdited, this, &MainWindow::onBitsEdited);
    connect(layerTools_, &LayerTools::filterChanged, layers_, &widgets::LayerTable::setFilter);
    connect(layerTools_, &LayerTools::groupedChanged, layers_, &widgets::LayerTable::setGrouped);
    connect(layerTools_, &LayerTools::measureRequested, this, &MainWindow::measureSensitivity);
    connect(layerTools_, &LayerTools::allocateRequested, this, &MainWindow::openAllocateDialog);
    connect(layers_, &widgets::LayerTable::siteSelected, histograms_, &HistogramPanel::showSite);
    connect(histograms_, &HistogramPanel::siteChanged, this, [this](const QString& site) {
        layers_->selectSite(site);
        heatmap_->selectCell(site, histograms_->timestep());
    });
    connect(histograms_, &HistogramPanel::timestepChanged, this,
            [this](qint64 t) { heatmap_->selectCell(histograms_->site(), t); });
    connect(heatmap_, &HeatmapPanel::cellActivated, this, &MainWindow::showSiteStep);
    connect(heatmap_, &HeatmapPanel::statisticsRequested, this, [this] {
        collectStatistics(false);
        if (quantized_) collectStatistics(true);
    });
    connect(progress_, &widgets::ProgressStatus::cancelRequested, this, &MainWindow::cancelAll);

    quantPanel_->restoreSettings();
    generation_->restoreSettings();
    // Fit the screen (small laptop screens and 1600×1000 Xvfb included).
    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    resize(std::min(1560, available.width() - 20), std::min(960, available.height() - 40));
    restoreWindowSettings();
    rebuildRecentMenu();
    retranslate();
}

MainWindow::~MainWindow() {
    // The worker thread must stop before the log bridge detaches its sink.
    controller_->shutdown();
    delete controller_;
    delete logBridge_;
}

void MainWindow::createDocks() {
    auto dock = [this](QWidget* content, const char* name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(this);
        d->setObjectName(name);
        d->setWidget(content);
        addDockWidget(area, d);
        return d;
    };
    quantDock_ = dock(quantPanel_, "quantizationDock", Qt::LeftDockWidgetArea);  // its form scrolls by itself
    auto* layerPane = new QWidget(this);
    auto* layerLayout = new QVBoxLayout(layerPane);
    layerLayout->setContentsMargins(2, 2, 2, 2);
    layerLayout->addWidget(summary_);
    layerLayout->addWidget(layerTools_);
    layerLayout->addWidget(layers_, 1);
    layerDock_ = dock(layerPane, "layerDock", Qt::LeftDockWidgetArea);
    // The histogram and heatmap scroll rather than set the window's minimum size.
    histogramDock_ = dock(new widgets::ScrollPane(histograms_, this), "histogramDock", Qt::RightDockWidgetArea);
    heatmapDock_ = dock(new widgets::ScrollPane(heatmap_, this), "heatmapDock", Qt::RightDockWidgetArea);
    logDock_ = dock(console_, "logDock", Qt::BottomDockWidgetArea);
    splitDockWidget(quantDock_, layerDock_, Qt::Vertical);
    splitDockWidget(histogramDock_, heatmapDock_, Qt::Vertical);
    resizeDocks({quantDock_, histogramDock_}, {480, 580}, Qt::Horizontal);
    resizeDocks({quantDock_, layerDock_}, {330, 560}, Qt::Vertical);
    resizeDocks({histogramDock_, heatmapDock_}, {470, 420}, Qt::Vertical);
    resizeDocks({logDock_}, {110}, Qt::Vertical);
}

void MainWindow::createMenus() {
    fileMenu_ = menuBar()->addMenu(QString());
    openAction_ = fileMenu_->addAction(QString(), this, &MainWindow::chooseModel);
    openAction_->setShortcut(QKeySequence::Open);
    recentMenu_ = fileMenu_->addMenu(QString());
    // The models installed with the product, one click away: the
    // class-conditional DDPM and the text-to-image pipeline.
    shippedMenu_ = fileMenu_->addMenu(QString());
    shippedMenu_->setObjectName("shippedModelsMenu");
    for (const auto& [name, folder] : shippedModels()) {
        QAction* a = shippedMenu_->addAction(QString(), this, [this, folder = folder] { openModel(folder); });
        a->setData(name);
        a->setEnabled(!folder.isEmpty());
    }
    fileMenu_->addSeparator();
    openQuantAction_ = fileMenu_->addAction(QString(), this, &MainWindow::chooseQuantizedModel);
    saveQuantAction_ = fileMenu_->addAction(QString(), this, &MainWindow::chooseSaveQuantizedModel);
    saveQuantAction_->setShortcut(QKeySequence::Save);
    saveComparisonAction_ = fileMenu_->addAction(QString(), this, &MainWindow::chooseSaveComparison);
    fileMenu_->addSeparator();
    quitAction_ = fileMenu_->addAction(QString(), this, &QWidget::close);
    quitAction_->setShortcut(QKeySequence::Quit);

    runMenu_ = menuBar()->addMenu(QString());
    calibrateAction_ = runMenu_->addAction(QString(), this, &MainWindow::calibrate);
    calibrateAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    generateAction_ = runMenu_->addAction(QString(), this, &MainWindow::generate);
    generateAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    statsAction_ = runMenu_->addAction(QString(), this, [this] {
        collectStatistics(false);
        if (quantized_) collectStatistics(true);
    });
    evaluateAction_ = runMenu_->addAction(QString(), this, &MainWindow::chooseEvaluate);
    runMenu_->addSeparator();
    cancelAction_ = runMenu_->addAction(QString(), this, &MainWindow::cancelAll);
    cancelAction_->setShortcut(QKeySequence(Qt::Key_Escape));

    viewMenu_ = menuBar()->addMenu(QString());
    for (QDockWidget* d : {quantDock_, layerDock_, histogramDock_, heatmapDock_, logDock_})
        viewMenu_->addAction(d->toggleViewAction());

    languageMenu_ = menuBar()->addMenu(QString());
    languageGroup_ = new QActionGroup(this);
    for (const QString& code : availableLanguages()) {
        QAction* a = languageMenu_->addAction(languageName(code));
        a->setCheckable(true);
        a->setData(code);
        a->setChecked(code == currentLanguage());
        languageGroup_->addAction(a);
        connect(a, &QAction::triggered, this, [this, code] { setLanguage(code); });
    }

    helpMenu_ = menuBar()->addMenu(QString());
    aboutAction_ = helpMenu_->addAction(QString(), this, [this] {
        QMessageBox::about(this, tr("About DiffQuant Studio"),
                           tr("DiffQuant Studio %1\nPost-training quantization explorer for diffusion models.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::connectWorker() {
    Worker* w = controller_->worker();
    connect(w, &Worker::jobStarted, this, [this](quint64 id, const QString& title) {
        jobTitles_.insert(id, title);
        progress_->begin(title);
        progress_->setQueued(controller_->pendingCount() - 1);
    });
    connect(w, &Worker::progress, this, [this](quint64, int done, int total, const QString& stage) {
        progress_->setProgress(done, total, stage);
    });
    connect(w, &Worker::preview, this,
            [this](quint64, const QImage& image, int step, int steps) { generation_->showPreview(image, step, steps); });
    connect(controller_, &WorkerController::jobFinished, this, &MainWindow::onJobFinished);
    connect(w, &Worker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(w, &Worker::quantizedModelReady, this, &MainWindow::onQuantizedModel);
    connect(w, &Worker::quantizedModelDiscarded, this, &MainWindow::onQuantizedDiscarded);
    connect(w, &Worker::statisticsReady, this, &MainWindow::onStatistics);
    connect(w, &Worker::comparisonReady, this, &MainWindow::onComparison);
    connect(w, &Worker::trajectoryFrameReady, generation_, &GenerationPanel::setTrajectoryFrame);
    connect(w, &Worker::sensitivityReady, this, &MainWindow::onSensitivity);
    connect(w, &Worker::frontierReady, this, [this](const SensitivityPtr& report, const FrontierPtr& frontier) {
        // A frontier of another sweep (an older dialog's job) is dropped.
        if (allocateDialog_ && allocateDialog_->report() == report) allocateDialog_->setFrontier(frontier);
    });
    connect(w, &Worker::evaluationReady, this, &MainWindow::onEvaluation);
    connect(w, &Worker::quantizedModelSaved, this, [this](const QString& folder, qint64 bytes, qint64 fpBytes) {
        statusBar()->showMessage(tr("Saved %1 (%2 KiB, %3× smaller than the FP weights)")
                                     .arg(folder)
                                     .arg(bytes / 1024.0, 0, 'f', 1)
                                     .arg(static_cast<double>(fpBytes) / std::max<qint64>(1, bytes), 0, 'f', 1));
    });
    connect(controller_, &WorkerController::busyChanged, this, &MainWindow::onBusyChanged);
    connect(controller_, &WorkerController::pendingChanged, this,
            [this](int count) { progress_->setQueued(std::max(0, count - 1)); });
}

void MainWindow::retranslate() {
    updateTitle();
    fileMenu_->setTitle(tr("&File"));
    openAction_->setText(tr("&Open model…"));
    recentMenu_->setTitle(tr("Recent models"));
    shippedMenu_->setTitle(tr("S&hipped models"));
    for (QAction* a : shippedMenu_->actions())
        a->setText(a->data().toString() == QLatin1String(kShippedTextToImageModel)
                       ? tr("Fashion-MNIST &text-to-image (latent, prompts)")
                       : tr("Fashion-MNIST &DDPM (class-conditional)"));
    openQuantAction_->setText(tr("Open &quantized model…"));
    saveQuantAction_->setText(tr("&Save quantized model…"));
    saveComparisonAction_->setText(tr("Save comparison as &PNG…"));
    quitAction_->setText(tr("&Quit"));
    runMenu_->setTitle(tr("&Run"));
    calibrateAction_->setText(tr("&Calibrate"));
    generateAction_->setText(tr("&Generate comparison"));
    statsAction_->setText(tr("Collect &statistics"));
    evaluateAction_->setText(tr("&Evaluate…"));
    cancelAction_->setText(tr("C&ancel"));
    viewMenu_->setTitle(tr("&View"));
    languageMenu_->setTitle(tr("&Language"));
    helpMenu_->setTitle(tr("&Help"));
    aboutAction_->setText(tr("&About"));
    quantDock_->setWindowTitle(tr("Quantization"));
    layerDock_->setWindowTitle(tr("Layers"));
    histogramDock_->setWindowTitle(tr("Histogram"));
    heatmapDock_->setWindowTitle(tr("Layer × timestep"));
    logDock_->setWindowTitle(tr("Log"));
    rebuildRecentMenu();
    updateSummary();
    refreshCalibrationState();
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    closing_ = true;
    saveWindowSettings();
    // Stops within one denoising step; the worker thread is joined here.
    controller_->shutdown();
    event->accept();
}

void MainWindow::restoreWindowSettings() {
    QSettings s;
    if (s.contains("window/geometry")) restoreGeometry(s.value("window/geometry").toByteArray());
    if (s.contains("window/state")) fitDocksOnShow_ = !restoreState(s.value("window/state").toByteArray());
}

void MainWindow::fitDocksToPanels() {
    // The panels get their whole size where the screen has room, the comparison
    // keeps at least its minimum, and whatever is left goes to the comparison;
    // the layer table and the heatmap take the height the panels leave.
    const int separator = style()->pixelMetric(QStyle::PM_DockWidgetSeparatorExtent, nullptr, this);
    const int docksWidth = width() - generation_->minimumSizeHint().width() - 2 * separator;
    if (docksWidth <= 0) return;  // a window this narrow keeps Qt's layout
    const int rightWidth = std::min(std::max(histogramDock_->sizeHint().width(), heatmapDock_->sizeHint().width()),
                                    docksWidth / 2);
    const int leftWidth = std::min(std::max(quantDock_->sizeHint().width(), layerDock_->sizeHint().width()),
                                   docksWidth - rightWidth);
    resizeDocks({quantDock_, histogramDock_}, {leftWidth, rightWidth}, Qt::Horizontal);
    // One column at a time, and both docks of a column: a dock left out would
    // be laid out at its size hint, and the column then shrunk in proportion.
    // The dock below keeps at least 40 % (the layer table, the heatmap).
    auto fitHeight = [this](QDockWidget* top, QDockWidget* below) {
        const int column = top->height() + below->height();
        const int keep = std::max(below->minimumSizeHint().height(), column * 2 / 5);
        const int height = std::min(top->sizeHint().height(), column - keep);
        resizeDocks({top, below}, {height, column - height}, Qt::Vertical);
    };
    fitHeight(quantDock_, layerDock_);
    fitHeight(histogramDock_, heatmapDock_);
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    // Docks can be sized only once the window has its layout, and only the
    // first time: later the user's arrangement stands.
    if (!fitDocksOnShow_) return;
    fitDocksOnShow_ = false;
    QTimer::singleShot(0, this, &MainWindow::fitDocksToPanels);
}

void MainWindow::saveWindowSettings() {
    if (!persistSettings_) return;
    QSettings s;
    s.setValue("statistics/images", heatmap_->statisticsImages());
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    quantPanel_->saveSettings();
    generation_->saveSettings();
}

// --- models -----------------------------------------------------------------

quint64 MainWindow::openModel(const QString& folder) {
    pendingFolder_ = folder;
    const QString device = qEnvironmentVariable("DIFFQUANT_DEVICE", "auto");
    return controller_->submit([folder, device](Worker* w, quint64 id) { w->loadModel(id, folder, device); });
}

QString MainWindow::modelFolder() const { return model_ ? model_->folder : QString(); }

bool MainWindow::busy() const { return controller_->busy(); }

void MainWindow::chooseModel() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open a diffusers model folder (UNet2DModel, or a Stable Diffusion pipeline)"), modelFolder());
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::rememberRecent(const QString& folder) {
    if (!persistSettings_) return;
    QSettings s;
    QStringList recent = s.value("recentModels").toStringList();
    const QString path = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    s.setValue("recentModels", recent);
    s.setValue("lastModel", path);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    if (!recentMenu_) return;
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recentModels").toStringList();
    for (const QString& folder : recent)
        recentMenu_->addAction(folder, this, [this, folder] { openModel(folder); });
    if (recent.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::onModelLoaded(const ModelInfoPtr& model) {
    if (allocateDialog_) allocateDialog_->close();  // its sweep was of the previous model
    model_ = model;
    quantized_.reset();
    calibratedPlan_.reset();
    fpStats_.reset();
    quantStats_.reset();
    sensitivity_.reset();
    layers_->setSensitivity({});
    layerTools_->setSensitivityAvailable(false);
    layerTools_->setStatus(QString());
    rememberRecent(model->folder);
    generation_->setModel(*model);
    // A pipeline opens with a prompt to try: its first calibration prompt.
    if (model->textToImage && generation_->settings().prompt.isEmpty() && !model->calibrationPrompts.isEmpty())
        generation_->setPrompt(model->calibrationPrompts.front());
    QStringList sites;
    QSet<QString> textDependent;
    for (const SiteInfo& s : model->summary.sites) {
        sites << QString::fromStdString(s.name);
        if (s.contextInput) textDependent.insert(sites.back());
    }
    histograms_->setSites(sites, textDependent);
    heatmap_->setTextDependentSites(textDependent);
    quantPanel_->setTextToImage(model->textToImage, model->calibrationPrompts);
    heatmap_->setFpStatistics({});
    heatmap_->setQuantizedStatistics({});
    rebuildPlan();
    updateSummary();
    updateTitle();
    statusBar()->showMessage(tr("Loaded %1").arg(model->folder));
    Q_EMIT modelChanged(model->folder);
    Q_EMIT quantizedModelChanged(false);
    if (!closing_) collectStatistics(false);  // the FP histograms are useful right away
}

void MainWindow::updateTitle() {
    setWindowTitle(model_ ? tr("DiffQuant Studio — %1").arg(QFileInfo(model_->folder).fileName())
                          : tr("DiffQuant Studio"));
}

void MainWindow::updateSummary() {
    if (!model_) {
        summary_->setText(tr("No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder or a Stable Diffusion pipeline folder."));
        return;
    }
    const ModelSummary& s = model_->summary;
    int splitSites = 0, rawConcatSites = 0, operands = 0;
    for (const SiteInfo& site : s.sites) {
        if (site.splitChannels > 0 && !isAttentionOperand(site.kind)) ++splitSites;
        if (site.rawConcatInput) ++rawConcatSites;
        if (isAttentionOperand(site.kind)) ++operands;
    }
    summary_->setText(tr("<b>%1</b><br>%2 parameters · %3×%4×%4 samples · classes: %5 · %6 on %7<br>"
                         "%8 quantization sites, %9 with cat(h, skip) inputs (%10 of them the raw concatenation ⑃), "
                         "%11 attention operands (◆)")
                          .arg(QFileInfo(model_->folder).fileName().toHtmlEscaped())
                          .arg(QLocale().toString(static_cast<qlonglong>(s.parameterCount)))
                          .arg(s.inChannels)
                          .arg(s.sampleSize)
                          .arg(QString::fromStdString(s.classConditioning).toHtmlEscaped())
                          .arg(tr("%n tensors", nullptr, static_cast<int>(s.tensorCount)))
                          .arg(model_->device)
                          .arg(s.sites.size())
                          .arg(splitSites)
                          .arg(rawConcatSites)
                          .arg(operands));
    summary_->setToolTip(model_->folder);
}

QString MainWindow::summaryText() const { return summary_->text(); }

// --- the plan ---------------------------------------------------------------

void MainWindow::rebuildPlan() {
    if (!model_) return;
    const PresetOptions options = presetOptionsForModel(quantPanel_->presetOptions(), model_->textToImage);
    const QString preset = quantPanel_->preset();
    if (preset != "custom") {
        plan_ = makePresetPlan(preset.toStdString(), model_->summary.sites, options);
    } else {
        // A hand-edited plan keeps its widths; the options apply to every site.
        plan_.splitShortcuts = options.splitShortcuts;
        plan_.splitScope = options.splitScope;
        for (auto& [name, site] : plan_.sites) {
            site.rangeMethod = options.rangeMethod;
            site.perStepActivation = options.perStepActivation;
        }
        for (const SiteInfo& info : model_->summary.sites)
            if (info.kind == SiteKind::AttentionProbs && options.softmaxBits > 0)
                if (SitePlan* p = plan_.find(info.name)) p->activationBits = options.softmaxBits;
    }
    refreshLayerTable();
}

void MainWindow::refreshLayerTable() {
    if (!model_) return;
    QVector<widgets::LayerRow> rows;
    for (const SiteInfo& site : model_->summary.sites) {
        QStringList dims;
        for (int64_t d : site.weightShape) dims << QString::number(d);
        const SitePlan* p = plan_.find(site.name);
        widgets::LayerRow row;
        row.name = QString::fromStdString(site.name);
        row.block = QString::fromStdString(site.block);
        row.kind = QString::fromLatin1(siteKindName(site.kind));
        row.shape = dims.join(QChar(0x00D7));
        row.splitChannels = isAttentionOperand(site.kind) ? 0 : site.splitChannels;
        row.rawConcat = site.rawConcatInput;
        row.textInput = site.contextInput;
        row.split = splitsSite(plan_, site);
        row.inputChannels = site.inputChannels;
        row.attentionOperand = isAttentionOperand(site.kind);
        row.weightBits = p && p->enabled ? p->weightBits : 0;
        row.activationBits = p && p->enabled ? p->activationBits : 0;
        rows.push_back(row);
    }
    const QString selected = histograms_->site();
    layers_->setLayers(rows);
    layers_->selectSite(selected);
    refreshCalibrationState();
}

void MainWindow::onBitsEdited(const QString& site, int weightBits, int activationBits) {
    SitePlan* p = plan_.find(site.toStdString());
    if (!p) return;
    p->weightBits = std::max(0, weightBits);
    p->activationBits = std::max(0, activationBits);
    p->enabled = p->weightBits > 0 || p->activationBits > 0;
    plan_.preset = "custom";
    quantPanel_->markCustom();
    refreshCalibrationState();
}

QuantPlan MainWindow::calibrationPlan() const {
    QuantPlan plan = plan_;
    const QuantizationPanel::Relaxing r = quantPanel_->relaxing();
    if (r.fraction > 0) {
        for (auto& [name, site] : plan.sites) site.stepActivationBits.clear();
        relaxActivations(plan, generation_->settings().steps, r.fraction, r.bits, r.lastSteps);
    }
    return plan;
}

void MainWindow::refreshCalibrationState() {
    QSet<QString> stale;
    // The plan as it would be calibrated now (relaxing applied), built once per refresh.
    const QuantPlan planned = calibrationPlan();
    if (calibratedPlan_ && model_) {
        for (const SiteInfo& info : model_->summary.sites) {
            const SitePlan* now = planned.find(info.name);
            const SitePlan* then = calibratedPlan_->find(info.name);
            const bool splitChanged = splitsSite(plan_, info) != splitsSite(*calibratedPlan_, info);
            if (!now || !then || !(*now == *then) || splitChanged) stale.insert(QString::fromStdString(info.name));
        }
    }
    layers_->setCalibrationState(stale, calibratedPlan_.has_value());
    if (!model_) return;
    // Its average activation width, and its width per site and step for the heatmap.
    // A plan relaxed for another step count (an opened artifact) is shown
    // over the steps it was made for: its widths are keyed by step index.
    const ActivationWidthSummary summary = summarizeActivationWidths(planned, generation_->settings().steps);
    const int steps = summary.steps;
    quantPanel_->setAverageActivationBits(summary);
    QStringList sites;
    QVector<double> widths;
    widths.reserve(static_cast<int>(planned.sites.size()) * steps);
    for (const auto& [name, site] : planned.sites) {
        sites << QString::fromStdString(name);
        for (int k = 0; k < steps; ++k) widths << activationBitsAt(site, k);
    }
    heatmap_->setActivationWidths(sites, widths, steps);
    if (!calibratedPlan_)
        quantPanel_->setCalibrationStatus(tr("Not calibrated: comparisons show the FP model only."));
    else if (stale.isEmpty())
        quantPanel_->setCalibrationStatus(tr("Calibrated %1 (%2 s).")
                                              .arg(QString::fromStdString(calibratedPlan_->preset))
                                              .arg(quantized_ ? quantized_->seconds : 0.0, 0, 'f', 1));
    else
        quantPanel_->setCalibrationStatus(tr("%n site(s) changed since calibration: press Calibrate.", nullptr,
                                             static_cast<int>(stale.size())));
}

// --- jobs -------------------------------------------------------------------

void MainWindow::calibrate() {
    if (!model_) return showError(tr("Cannot calibrate"), tr("Open a model first."));
    if (quantPanel_->preset() == "FP") {
        controller_->submit([](Worker* w, quint64 id) { w->discardQuantizedModel(id); });
        return;
    }
    CalibrationRequest request;
    request.plan = calibrationPlan();
    quantPanel_->fillCalibration(request);
    request.trajectory = generation_->settings();
    controller_->submit([request](Worker* w, quint64 id) { w->calibrate(id, request); });
}

void MainWindow::measureSensitivity() {
    if (!model_) return showError(tr("Cannot measure sensitivity"), tr("Open a model first."));
    SensitivityRequest request;
    request.calibration.plan = plan_;
    quantPanel_->fillCalibration(request.calibration);
    request.calibration.trajectory = generation_->settings();
    controller_->submit([request](Worker* w, quint64 id) { w->measureSensitivity(id, request); });
}

void MainWindow::onSensitivity(const SensitivityPtr& sensitivity) {
    if (allocateDialog_) allocateDialog_->close();  // it shows the previous sweep
    sensitivity_ = sensitivity;
    QHash<QString, widgets::SiteSensitivityRow> rows;
    for (const SiteSensitivity& site : sensitivity->sites) {
        widgets::SiteSensitivityRow row;
        if (site.weight)
            for (const auto& [bits, m] : site.weight->alone) row.weightError.insert(bits, m.meanNmse);
        for (const auto& [bits, m] : site.activation.alone) row.activationError.insert(bits, m.meanNmse);
        rows.insert(QString::fromStdString(site.name), row);
    }
    layers_->setSensitivity(rows);
    layerTools_->setSensitivityAvailable(true);
    layerTools_->setStatus(tr("Sensitivity of %1 sites measured in %2 s: all weights at %3 bits give %4 dB, all "
                              "activations at %5 bits %6 dB. Sort by the Sensitivity column to see the sites that "
                              "matter most.")
                               .arg(sensitivity->sites.size())
                               .arg(sensitivity->seconds, 0, 'f', 0)
                               .arg(sensitivity->baseWeightBits)
                               .arg(sensitivity->allWeights.sqnrDb(), 0, 'f', 1)
                               .arg(sensitivity->baseActivationBits)
                               .arg(sensitivity->allActivations.sqnrDb(), 0, 'f', 1));
}

bool MainWindow::allocateWeightBits(double bits) {
    if (!sensitivity_) {
        showError(tr("Cannot allocate"), tr("Measure the sensitivity first."));
        return false;
    }
    try {
        applyAllocation(*sensitivity_, allocateAverageWeightBits(*sensitivity_, bits));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot allocate"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::applyAllocation(const SensitivityReport& report, const Allocation& a) {
    // The allocation changes weight widths only: the plan's other edits stay.
    for (auto& [name, site] : plan_.sites) {
        const SitePlan* chosen = a.plan.find(name);
        if (!chosen || !report.find(name) || !report.find(name)->weight) continue;
        site.weightBits = chosen->weightBits;
        site.enabled = site.weightBits > 0 || site.activationBits > 0;
    }
    plan_.preset = "custom";
    quantPanel_->markCustom();
    refreshLayerTable();
    QStringList widths;
    for (const auto& [w, n] : a.weightWidthCounts) widths << tr("%1 bits: %2").arg(widgets::LayerTable::bitsText(w)).arg(n);
    layerTools_->setStatus(tr("Allocated %1 average weight bits (%2); predicted SQNR %3 dB. "
                              "Press Calibrate to apply.")
                               .arg(a.averageWeightBits, 0, 'f', 2)
                               .arg(widths.join(QStringLiteral(", ")))
                               .arg(predictedSqnrDb(a.predictedNmse), 0, 'f', 1));
}

AllocateDialog* MainWindow::allocateDialog() const { return allocateDialog_.data(); }

void MainWindow::openAllocateDialog(double bits) {
    if (!sensitivity_) return showError(tr("Cannot allocate"), tr("Measure the sensitivity first."));
    if (allocateDialog_) allocateDialog_->close();
    auto* dialog = new AllocateDialog(sensitivity_, plan_, bits, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    allocateDialog_ = dialog;
    // The dialog's own allocation is applied (the one it shows), from the sweep it was opened with.
    connect(dialog, &AllocateDialog::applyRequested, this, [this, dialog] {
        if (!dialog->allocation()) return;
        applyAllocation(*dialog->report(), *dialog->allocation());
        dialog->close();
    });
    // Budgets from the narrowest measured width to the widest, in quarter bits.
    const auto [lo, hi] = std::minmax_element(sensitivity_->weightWidths.begin(), sensitivity_->weightWidths.end());
    QVector<double> budgets;
    if (lo != sensitivity_->weightWidths.end())
        for (double b = *lo; b <= *hi + 1e-9; b += 0.25) budgets << b;
    const SensitivityPtr report = sensitivity_;
    frontierJob_ = controller_->submit([report, budgets](Worker* w, quint64 id) { w->allocationFrontier(id, report, budgets); });
    if (frontierJob_ == 0) dialog->frontierUnavailable(tr("the worker is not running"));
    dialog->show();
}

void MainWindow::generate() {
    if (!model_) return showError(tr("Cannot generate"), tr("Open a model first."));
    const SamplingSettings settings = generation_->settings();
    const double amplify = generation_->amplify();
    controller_->submit([settings, amplify](Worker* w, quint64 id) { w->generate(id, settings, amplify); });
}

void MainWindow::collectStatistics(bool quantized) {
    if (!model_) return;
    StatisticsRequest request;
    request.quantized = quantized;
    request.sampling = generation_->settings();
    request.sampling.count = heatmap_->statisticsImages();
    request.sampling.classLabel = -1;
    controller_->submit([request](Worker* w, quint64 id) { w->collectStatistics(id, request); });
}

void MainWindow::evaluate(int samples) {
    if (!model_) return showError(tr("Cannot evaluate"), tr("Open a model first."));
    const SamplingSettings settings = generation_->settings();
    controller_->submit([settings, samples](Worker* w, quint64 id) { w->evaluate(id, settings, samples); });
}

void MainWindow::chooseEvaluate() {
    bool ok = false;
    const int samples = QInputDialog::getInt(this, tr("Evaluate"),
                                             tr("Number of samples (FID, sFID, IS, class accuracy; with a quantized "
                                                "model also FID-to-FP and paired PSNR/SSIM):"),
                                             500, 10, 100000, 100, &ok);
    if (ok) evaluate(samples);
}

void MainWindow::cancelAll() {
    if (!controller_->busy()) return;
    controller_->cancelAll();
    statusBar()->showMessage(tr("Cancelling…"));
}

void MainWindow::onJobFinished(quint64 id, JobOutcome outcome, const QString& message) {
    const QString title = jobTitles_.take(id);
    // Without its frontier job the Allocate dialog would wait for a table that never comes.
    if (id == frontierJob_ && outcome != JobOutcome::Finished && allocateDialog_)
        allocateDialog_->frontierUnavailable(outcome == JobOutcome::Cancelled ? tr("cancelled") : message);
    // A cancelled or failed generation may have left a preview on screen.
    if (outcome != JobOutcome::Finished) generation_->restoreComparison();
    if (outcome == JobOutcome::Failed) showError(title.isEmpty() ? tr("Operation failed") : title, message);
    else if (outcome == JobOutcome::Cancelled) statusBar()->showMessage(message, 5000);
}

void MainWindow::onBusyChanged(bool busy) {
    if (!busy) {
        progress_->end();
        if (!closing_) Q_EMIT idle();
    }
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message);
    if (showErrorDialogs_ && !closing_) {
        // Non-modal so that the event loop (and the worker's signals) keep flowing.
        auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT errorShown(message);
}

void MainWindow::onQuantizedModel(const QuantizedModelPtr& model) {
    quantized_ = model;
    calibratedPlan_ = model->plan;
    // An opened artifact brings its own plan. After a calibration the edited
    // plan stays: edits made meanwhile must keep their "recalibrate" mark.
    if (model->fromArtifact) {
        plan_ = model->plan;
        quantPanel_->markCustom();
        // The panel shows the artifact's split, so the next option change keeps it.
        quantPanel_->showSplit(plan_.splitShortcuts, plan_.splitScope);
        refreshLayerTable();
    }
    quantStats_.reset();
    histograms_->setQuantizedModel(model);
    histograms_->setQuantizedStatistics({});
    heatmap_->setQuantizedStatistics({});
    QVector<widgets::UnitError> errors;
    for (const UnitErrorData& u : model->units) errors.push_back({u.unit, u.phase, u.before, u.after});
    layers_->setUnitErrors(errors);
    refreshCalibrationState();
    Q_EMIT quantizedModelChanged(true);
    if (closing_) return;
    // FP and quantized statistics must share one timeline for the overlays.
    const int steps = generation_->settings().steps;
    if (!fpStats_ || fpStats_->timesteps.size() != steps) collectStatistics(false);
    collectStatistics(true);
    generate();
}

void MainWindow::onQuantizedDiscarded() {
    quantized_.reset();
    layers_->setUnitErrors({});
    calibratedPlan_.reset();
    quantStats_.reset();
    histograms_->setQuantizedModel({});
    histograms_->setQuantizedStatistics({});
    heatmap_->setQuantizedStatistics({});
    refreshCalibrationState();
    Q_EMIT quantizedModelChanged(false);
}

void MainWindow::onStatistics(const StatisticsPtr& stats) {
    if (stats->quantized && !quantized_) return;  // the quantized model was discarded meanwhile
    if (stats->quantized) {
        quantStats_ = stats;
        histograms_->setQuantizedStatistics(stats);
        heatmap_->setQuantizedStatistics(stats);
    } else {
        fpStats_ = stats;
        histograms_->setFpStatistics(stats);
        heatmap_->setFpStatistics(stats);
    }
    Q_EMIT statisticsShown(stats->quantized);
}

void MainWindow::onComparison(const ComparisonPtr& comparison) {
    generation_->showComparison(comparison);
    Q_EMIT comparisonShown();
}

void MainWindow::onEvaluation(const EvaluationData& r) {
    // One column per evaluated set: a pipeline's calibration and held-out
    // prompts side by side (QDiffBench), a class model's single set alone.
    auto row = [&](const QString& name, const std::function<QString(const EvaluationMetrics&)>& cell) {
        QString html = QStringLiteral("<tr><td>%1</td>").arg(name);
        for (const EvaluationMetrics& m : r.sets) html += QStringLiteral("<td align=right>&nbsp;%1</td>").arg(cell(m));
        return html + QStringLiteral("</tr>");
    };
    auto number = [](double v, int decimals) { return QString::number(v, 'f', decimals); };
    QString text = QStringLiteral("<table>");
    if (r.sets.size() > 1 || (!r.sets.isEmpty() && !r.sets.front().promptSet.isEmpty()))
        text += row(tr("prompts"), [&](const EvaluationMetrics& m) {
            return tr("%1 (%2)").arg(m.promptSet == QLatin1String("held-out") ? tr("held-out") : tr("calibration"))
                .arg(m.prompts);
        });
    text += row(tr("samples"), [](const EvaluationMetrics& m) { return QString::number(m.samples); });
    text += row(tr("FID"), [&](const EvaluationMetrics& m) { return number(m.fid, 2); });
    text += row(tr("sFID"), [&](const EvaluationMetrics& m) { return number(m.sfid, 2); });
    text += row(tr("IS"), [&](const EvaluationMetrics& m) { return tr("%1 ± %2").arg(number(m.isMean, 2), number(m.isStd, 2)); });
    text += row(tr("class accuracy"), [&](const EvaluationMetrics& m) {
        return m.classAccuracy < 0 ? tr("n/a") : tr("%1 %").arg(number(100 * m.classAccuracy, 1));
    });
    if (r.quantized) {
        text += row(tr("FID to FP"), [&](const EvaluationMetrics& m) { return number(m.fidToFp, 2); });
        text += row(tr("paired PSNR"), [&](const EvaluationMetrics& m) { return tr("%1 dB").arg(number(m.psnr, 2)); });
        text += row(tr("paired SSIM"), [&](const EvaluationMetrics& m) { return number(m.ssim, 4); });
        text += row(tr("FP model's FID"), [&](const EvaluationMetrics& m) { return number(m.fpFid, 2); });
    }
    text += tr("<tr><td>wall time</td><td align=right>%1 s</td></tr></table>").arg(r.seconds, 0, 'f', 1);
    if (showErrorDialogs_ && !closing_) {
        auto* box = new QMessageBox(QMessageBox::Information, tr("Evaluation"), text, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT evaluationShown(r);
}

// --- files ------------------------------------------------------------------

void MainWindow::chooseQuantizedModel() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a quantized model (diffquant calibrate --out)"));
    if (!folder.isEmpty()) openQuantizedModel(folder);
}

quint64 MainWindow::openQuantizedModel(const QString& folder) {
    return controller_->submit([folder](Worker* w, quint64 id) { w->loadQuantizedModel(id, folder); });
}

void MainWindow::chooseSaveQuantizedModel() {
    if (!quantized_) return showError(tr("Nothing to save"), tr("Calibrate a quantized model first."));
    const QString folder = QFileDialog::getSaveFileName(this, tr("Save the quantized model as a folder"),
                                                        QDir::homePath() + "/quantized-" +
                                                            QString::fromStdString(plan_.preset).toLower());
    if (folder.isEmpty()) return;
    controller_->submit([folder](Worker* w, quint64 id) { w->saveQuantizedModel(id, folder); });
}

bool MainWindow::saveComparison(const QString& path, QString* error) {
    QString why;
    const bool ok = generation_->saveComparison(path, &why);
    if (ok) statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    if (error) *error = why;
    return ok;
}

void MainWindow::chooseSaveComparison() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the comparison as PNG"),
                                                      QDir::homePath() + "/comparison.png", tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (!saveComparison(path, &error)) showError(tr("Cannot save the comparison"), error);
}

// --- inspection -------------------------------------------------------------

void MainWindow::showSiteStep(const QString& site, qint64 timestep) {
    histograms_->showSite(site);
    histograms_->showTimestep(timestep);
    heatmap_->selectCell(site, timestep);
    histogramDock_->raise();
}

void MainWindow::setLanguage(const QString& code) {
    saveLanguage(applyLanguage(code));
    for (QAction* a : languageGroup_->actions()) a->setChecked(a->data().toString() == currentLanguage());
}

}  // namespace dq::gui
