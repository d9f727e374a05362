#include "app/gui/automation.h"

#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QScreen>
#include <QTimer>

#include "app/gui/generation_panel.h"
#include "app/gui/heatmap_panel.h"
#include "app/gui/histogram_panel.h"
#include "app/gui/main_window.h"
#include "app/gui/quantization_panel.h"
#include "core/pipeline/prompt_list.h"

namespace dq::gui {

void AutomationScript::addOptions(QCommandLineParser& p) {
    p.addOption({"calibrate", "scripted: calibrate with this preset (W8A8, W4A8, …) once the model is loaded", "preset"});
    p.addOption({"method", "scripted: range method (minmax, mse, percentile, running)", "method"});
    p.addOption({"split", "scripted: split shortcut quantization"});
    p.addOption({"cali-n", "scripted: calibration trajectories", "n"});
    p.addOption({"cali-st", "scripted: calibration timesteps per trajectory", "n"});
    p.addOption({"steps", "scripted: sampling steps", "n"});
    p.addOption({"images", "scripted: images in the comparison", "n"});
    p.addOption({"stats-images", "scripted: images sampled for statistics", "n"});
    p.addOption({"seed", "scripted: seed of the comparison", "seed"});
    p.addOption({"prompt", "scripted: the comparison's prompt (text-to-image pipelines)", "text"});
    p.addOption({"negative-prompt", "scripted: the comparison's negative prompt", "text"});
    p.addOption({"calibration-prompts", "scripted: calibration prompt list, one per line", "file"});
    p.addOption({"site", "scripted: site shown in the histogram view", "name"});
    p.addOption({"step", "scripted: sampling step (0-based) shown in the histogram view", "k"});
    p.addOption({"heatmap", "scripted: heatmap quantity (range, sqnr, bimodality)", "quantity"});
    p.addOption({"log-counts", "scripted: logarithmic histogram counts"});
    p.addOption({"save-comparison", "scripted: generate (if needed) and save the comparison PNG", "file"});
    p.addOption({"screenshot", "scripted: save a screenshot of the window when done", "file"});
    p.addOption({"quit", "scripted: quit when the script is done (exit code 0 on success)"});
    p.addOption({"timeout", "scripted: give up after this many seconds (exit code 2)", "seconds"});
}

AutomationScript AutomationScript::fromParser(const QCommandLineParser& p) {
    AutomationScript s;
    s.calibratePreset = p.value("calibrate");
    s.method = p.value("method");
    s.split = p.isSet("split");
    s.caliSamples = p.value("cali-n").toInt();
    s.caliSteps = p.value("cali-st").toInt();
    s.steps = p.value("steps").toInt();
    s.images = p.value("images").toInt();
    s.statisticsImages = p.value("stats-images").toInt();
    s.seed = p.isSet("seed") ? p.value("seed").toLongLong() : -1;
    s.prompt = p.value("prompt");
    s.negativePrompt = p.value("negative-prompt");
    s.calibrationPrompts = p.value("calibration-prompts");
    s.site = p.value("site");
    s.step = p.isSet("step") ? p.value("step").toInt() : -1;
    s.heatmapQuantity = p.value("heatmap");
    s.logCounts = p.isSet("log-counts");
    s.saveComparison = p.value("save-comparison");
    s.screenshot = p.value("screenshot");
    s.quit = p.isSet("quit");
    if (p.isSet("timeout")) s.timeoutSeconds = p.value("timeout").toInt();
    return s;
}

Automation::Automation(MainWindow& window, AutomationScript script, QObject* parent)
    : QObject(parent), window_(window), script_(std::move(script)) {
    window_.setShowErrorDialogs(false);
    window_.setPersistSettings(false);
    connect(&window_, &MainWindow::errorShown, this, [this](const QString& message) {
        if (firstError_.isEmpty()) firstError_ = message;
    });
}

void Automation::start() {
    QTimer::singleShot(script_.timeoutSeconds * 1000, this,
                       [this] { finish(2, QStringLiteral("timed out after %1 s").arg(script_.timeoutSeconds)); });
    GenerationPanel* g = window_.generationPanel();
    if (script_.steps > 0) g->setSteps(script_.steps);
    if (script_.images > 0) g->setCount(script_.images);
    if (script_.seed >= 0) g->setSeed(static_cast<quint64>(script_.seed));
    if (!script_.prompt.isEmpty() || !script_.negativePrompt.isEmpty()) g->setPrompt(script_.prompt, script_.negativePrompt);
    if (!script_.calibrationPrompts.isEmpty()) {
        QStringList prompts;
        try {
            for (const std::string& p : readPromptList(script_.calibrationPrompts.toStdString()))
                prompts << QString::fromStdString(p);
        } catch (const std::exception& e) {
            return finish(1, QString::fromStdString(e.what()));
        }
        window_.quantizationPanel()->setCalibrationPrompts(prompts);
    }
    if (script_.statisticsImages > 0) window_.heatmapPanel()->setStatisticsImages(script_.statisticsImages);
    whenIdle(&Automation::afterLoad);
}

void Automation::whenIdle(void (Automation::*next)()) {
    // Polling keeps this independent of which job finishes last.
    auto* timer = new QTimer(this);
    timer->setInterval(100);
    connect(timer, &QTimer::timeout, this, [this, timer, next] {
        if (window_.busy() || done_) return;
        timer->deleteLater();
        if (!firstError_.isEmpty()) return finish(1, firstError_);
        (this->*next)();
    });
    timer->start();
}

void Automation::afterLoad() {
    if (window_.modelFolder().isEmpty()) return finish(1, QStringLiteral("no model was loaded"));
    if (!script_.calibratePreset.isEmpty()) {
        QuantizationPanel* q = window_.quantizationPanel();
        q->setPreset(script_.calibratePreset);
        if (!script_.method.isEmpty()) q->setMethod(script_.method);
        q->setSplit(script_.split);
        if (script_.caliSamples > 0 || script_.caliSteps > 0) q->setCalibrationSize(script_.caliSteps > 0 ? script_.caliSteps : 20,
                                                                                     script_.caliSamples > 0 ? script_.caliSamples : 64);
        window_.calibrate();  // then the window samples its statistics and a comparison
    } else if (!script_.saveComparison.isEmpty()) {
        window_.generate();
    }
    whenIdle(&Automation::afterWork);
}

void Automation::afterWork() {
    if (!script_.site.isEmpty()) window_.histogramPanel()->showSite(script_.site);
    if (script_.step >= 0) window_.histogramPanel()->showStep(script_.step);
    if (script_.logCounts) window_.histogramPanel()->setLogScale(true);
    if (script_.heatmapQuantity == "sqnr") window_.heatmapPanel()->setQuantity(HeatmapPanel::Quantity::Sqnr);
    if (script_.heatmapQuantity == "bimodality") window_.heatmapPanel()->setQuantity(HeatmapPanel::Quantity::Bimodality);
    if (script_.heatmapQuantity == "range") window_.heatmapPanel()->setQuantity(HeatmapPanel::Quantity::Range);
    if (!script_.site.isEmpty() && script_.step >= 0)
        window_.heatmapPanel()->selectCell(script_.site, window_.histogramPanel()->timestep());
    if (!script_.saveComparison.isEmpty()) {
        QString error;
        if (!window_.saveComparison(script_.saveComparison, &error)) return finish(1, error);
    }
    // Let pending paints and queued replots land before the screenshot.
    QTimer::singleShot(800, this, [this] {
        if (!script_.screenshot.isEmpty()) {
            QPixmap shot;
            if (QScreen* screen = window_.screen(); screen && QGuiApplication::platformName() == "xcb")
                shot = screen->grabWindow(window_.winId());
            if (shot.isNull()) shot = window_.grab();
            if (shot.isNull() || !shot.save(script_.screenshot, "PNG"))
                return finish(1, QStringLiteral("cannot write the screenshot '%1'").arg(script_.screenshot));
        }
        finish(0, QString());
    });
}

void Automation::finish(int code, const QString& message) {
    if (done_) return;
    done_ = true;
    if (code == 0) std::fprintf(stderr, "automation: done\n");
    else std::fprintf(stderr, "automation: %s\n", message.toLocal8Bit().constData());
    if (script_.quit || code != 0) {
        window_.close();
        QCoreApplication::exit(code);
    }
}

}  // namespace dq::gui
