#include "app/gui/main_window.h"

#include <QApplication>
#include <QEvent>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

#include "app/gui/model_loader.h"
#include "widgets/layer_table.h"

// Q_INIT_RESOURCE must be called outside any namespace.
static void initResources() { Q_INIT_RESOURCE(diffquant); }

namespace dq::gui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initResources();
    setWindowIcon(QIcon(":/icons/diffquant.png"));
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    summary_ = new QLabel(central);
    summary_->setObjectName("modelSummary");
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layers_ = new widgets::LayerTable(central);
    layout->addWidget(summary_);
    layout->addWidget(layers_, 1);
    setCentralWidget(central);

    fileMenu_ = menuBar()->addMenu(QString());
    openAction_ = fileMenu_->addAction(QString(), this, &MainWindow::chooseModel, QKeySequence::Open);
    fileMenu_->addSeparator();
    quitAction_ = fileMenu_->addAction(QString(), qApp, &QApplication::closeAllWindows, QKeySequence::Quit);
    helpMenu_ = menuBar()->addMenu(QString());
    aboutAction_ = helpMenu_->addAction(QString(), this, [this] {
        QMessageBox::about(this, tr("About DiffQuant Studio"),
                           tr("DiffQuant Studio %1\nPost-training quantization explorer for diffusion models.")
                               .arg(QApplication::applicationVersion()));
    });
    resize(900, 700);
    retranslate();
}

void MainWindow::retranslate() {
    setWindowTitle(modelFolder_.isEmpty() ? tr("DiffQuant Studio")
                                          : tr("DiffQuant Studio — %1").arg(QFileInfo(modelFolder_).fileName()));
    fileMenu_->setTitle(tr("&File"));
    openAction_->setText(tr("&Open model…"));
    quitAction_->setText(tr("&Quit"));
    helpMenu_->setTitle(tr("&Help"));
    aboutAction_->setText(tr("&About"));
    updateSummary();
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::chooseModel() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a diffusers UNet2DModel folder"), modelFolder_);
    if (!folder.isEmpty()) openModel(folder);
}

bool MainWindow::openModel(const QString& folder, bool showErrors) {
    try {
        loaded_ = loadModelSummary(folder.toStdString());
        modelFolder_ = folder;
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        statusBar()->showMessage(message);
        if (showErrors) QMessageBox::critical(this, tr("Cannot open model"), message);
        return false;
    }
    QVector<widgets::LayerRow> rows;
    for (const SiteInfo& site : loaded_->sites) {
        QStringList dims;
        for (int64_t d : site.weightShape) dims << QString::number(d);
        rows.push_back({QString::fromStdString(site.name), QString::fromStdString(site.block),
                        QString::fromLatin1(siteKindName(site.kind)), dims.join('x'), site.splitChannels,
                        site.inputChannels});
    }
    layers_->setLayers(rows);
    retranslate();
    statusBar()->showMessage(tr("Loaded %1").arg(folder));
    return true;
}

void MainWindow::updateSummary() {
    if (!loaded_) {
        summary_->setText(tr("No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder."));
        return;
    }
    const ModelSummary& s = *loaded_;
    QString blocks;
    for (const auto& b : s.blocks) blocks += "<li>" + QString::fromStdString(b).toHtmlEscaped() + "</li>";
    summary_->setText(tr("<b>%1</b><br>%2 parameters in %3 tensors · samples %4×%5×%5 · class conditioning: %6"
                         "<ul>%7</ul>")
                          .arg(modelFolder_.toHtmlEscaped())
                          .arg(QLocale().toString(static_cast<qlonglong>(s.parameterCount)))
                          .arg(s.tensorCount)
                          .arg(s.inChannels)
                          .arg(s.sampleSize)
                          .arg(QString::fromStdString(s.classConditioning).toHtmlEscaped())
                          .arg(blocks));
}

QString MainWindow::summaryText() const { return summary_->text(); }

}  // namespace dq::gui
