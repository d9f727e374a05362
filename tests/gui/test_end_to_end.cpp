// End to end under Xvfb: starts the real diffquant-studio on the shipped
// model, lets its scripted session calibrate W8A8 on a small setting and
// generate a comparison, then checks the saved comparison and screenshot; and
// the same prompt workflow on a Stable Diffusion pipeline folder.
#include <filesystem>

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

class EndToEndTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void calibratesComparesAndTakesAScreenshot() {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DISPLAY"), "run under xvfb-run");
        QTemporaryDir dir;
        const QString comparison = dir.path() + "/comparison.png", screenshot = dir.path() + "/screenshot.png";
        QProcess studio;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "xcb");
        env.insert("XDG_CONFIG_HOME", dir.path() + "/config");  // fresh settings
        studio.setProcessEnvironment(env);
        studio.setProcessChannelMode(QProcess::MergedChannels);
        studio.start(DQ_STUDIO_PATH, {DQ_SHIPPED_MODEL_DIR, "--language", "en", "--calibrate", "W8A8", "--cali-n", "4",
                                      "--cali-st", "5", "--steps", "10", "--images", "8", "--stats-images", "2",
                                      "--site", "up_blocks.1.resnets.0.conv1", "--step", "5", "--save-comparison",
                                      comparison, "--screenshot", screenshot, "--quit", "--timeout", "600"});
        QVERIFY(studio.waitForStarted(30000));
        QVERIFY(studio.waitForFinished(700000));
        const QString log = QString::fromLocal8Bit(studio.readAll());
        QVERIFY2(studio.exitStatus() == QProcess::NormalExit && studio.exitCode() == 0, qPrintable(log.right(3000)));
        QVERIFY2(log.contains("Calibrated W8A8"), qPrintable(log.right(3000)));

        // The comparison: FP | quantized | |difference| side by side.
        const QImage compare(comparison);
        QVERIFY2(!compare.isNull(), qPrintable(comparison));
        QVERIFY(compare.width() > 2 * compare.height());

        // The screenshot is the window, not a blank frame.
        const QImage shot = QImage(screenshot).convertToFormat(QImage::Format_RGB32);
        QVERIFY2(!shot.isNull(), qPrintable(screenshot));
        QVERIFY(shot.width() >= 800 && shot.height() >= 500);
        QSet<QRgb> colours;
        double sum = 0, sumSq = 0;
        for (int y = 0; y < shot.height(); y += 3)
            for (int x = 0; x < shot.width(); x += 3) {
                const QRgb p = shot.pixel(x, y);
                colours.insert(p);
                const double v = qGray(p);
                sum += v;
                sumSq += v * v;
            }
        const double n = std::ceil(shot.height() / 3.0) * std::ceil(shot.width() / 3.0);
        const double stddev = std::sqrt(std::max(0.0, sumSq / n - (sum / n) * (sum / n)));
        QVERIFY2(colours.size() > 64, qPrintable(QString::number(colours.size())));
        QVERIFY2(stddev > 10, qPrintable(QString::number(stddev)));
    }

    // A text-to-image pipeline: calibration from a prompt list and a comparison
    // of one prompt, both set through the scripted session's options.
    void quantizesAPipelineFromPrompts() {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DISPLAY"), "run under xvfb-run");
        QTemporaryDir dir;
        const QString pipeline = dir.path() + "/pipeline", prompts = dir.path() + "/prompts.txt";
        std::filesystem::copy(DQ_TEST_DATA_DIR "/golden/sd_pipeline", pipeline.toStdString(),
                              std::filesystem::copy_options::recursive);
        QFile list(prompts);
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write("a photo of a sneaker\nan ankle boot on black\n");
        list.close();
        const QString comparison = dir.path() + "/comparison.png", screenshot = dir.path() + "/screenshot.png";
        QProcess studio;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "xcb");
        env.insert("XDG_CONFIG_HOME", dir.path() + "/config");
        studio.setProcessEnvironment(env);
        studio.setProcessChannelMode(QProcess::MergedChannels);
        studio.start(DQ_STUDIO_PATH, {pipeline, "--language", "en", "--prompt", "a bag", "--negative-prompt", "blurry",
                                      "--calibration-prompts", prompts, "--calibrate", "W8A8", "--cali-n", "2",
                                      "--cali-st", "2", "--steps", "4", "--images", "2", "--stats-images", "1",
                                      "--site", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k",
                                      "--save-comparison", comparison, "--screenshot", screenshot, "--quit",
                                      "--timeout", "300"});
        QVERIFY(studio.waitForStarted(30000));
        QVERIFY(studio.waitForFinished(400000));
        const QString log = QString::fromLocal8Bit(studio.readAll());
        QVERIFY2(studio.exitStatus() == QProcess::NormalExit && studio.exitCode() == 0, qPrintable(log.right(3000)));
        QVERIFY2(log.contains("Calibrated W8A8"), qPrintable(log.right(3000)));
        QVERIFY2(log.contains("PSNR"), qPrintable(log.right(3000)));
        const QImage compare(comparison);
        QVERIFY2(!compare.isNull(), qPrintable(comparison));
        QVERIFY(compare.width() > 2 * compare.height());
        QVERIFY(!QImage(screenshot).isNull());
    }
};

QTEST_GUILESS_MAIN(EndToEndTest)
#include "test_end_to_end.moc"
