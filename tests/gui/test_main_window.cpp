// Main-window smoke test on the offscreen platform with a real model folder.
#include <QApplication>
#include <QMenuBar>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include "app/gui/main_window.h"
#include "core/model/model_folder.h"
#include "core/runtime/logging.h"
#include "tests/core/test_support.h"
#include "widgets/layer_table.h"

using namespace dq;

class MainWindowTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void showsLoadedModelSummary() {
        const QString folder = dir_.path() + "/tiny";
        test::writeModelFolder(folder.toStdString(), test::tinyConfig(), 1);
        gui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.summaryText().contains("No model loaded"));
        QVERIFY(window.openModel(folder, false));
        QCOMPARE(window.modelFolder(), folder);
        QVERIFY(window.windowTitle().contains("tiny"));
        QVERIFY(window.summaryText().contains("177,553") || window.summaryText().contains("177553"));
        QVERIFY(window.summaryText().contains("11 class embeddings"));
        const int sites = static_cast<int>(loadModelFolder(folder.toStdString()).unet.sites().size());
        QCOMPARE(window.layerTable()->layerCount(), sites);
        // Shortcut split points are shown on the decoder convs.
        auto found = window.layerTable()->findItems("up_blocks.0.resnets.0.conv_shortcut", Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        QVERIFY(found.first()->text(2).contains("32 + 32"));
    }

    void badFolderKeepsCurrentModel() {
        const QString folder = dir_.path() + "/tiny2";
        test::writeModelFolder(folder.toStdString(), test::tinyConfig(), 2);
        gui::MainWindow window;
        QVERIFY(window.openModel(folder, false));
        QVERIFY(!window.openModel(dir_.path() + "/does-not-exist", false));
        QCOMPARE(window.modelFolder(), folder);
        QVERIFY(window.statusBar()->currentMessage().contains("does-not-exist"));
    }

    void germanTranslationApplies() {
        QTranslator translator;
        QVERIFY(translator.load(":/i18n/diffquant_de"));
        QApplication::installTranslator(&translator);
        gui::MainWindow window;
        QCOMPARE(window.menuBar()->actions().first()->text(), QString("&Datei"));
        QApplication::removeTranslator(&translator);
        QCoreApplication::processEvents();
        QCOMPARE(window.menuBar()->actions().first()->text(), QString("&File"));
    }

    void quitClosesTheWindow() {
        gui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction* quit = nullptr;
        for (QAction* a : window.menuBar()->actions().first()->menu()->actions())
            if (a->shortcut() == QKeySequence(QKeySequence::Quit)) quit = a;
        QVERIFY(quit);
        quit->trigger();
        QVERIFY(!window.isVisible());
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    dq::configureLogging(dq::Verbosity::Quiet);
    MainWindowTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_main_window.moc"
