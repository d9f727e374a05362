#pragma once
// A scripted session for end-to-end tests, demos and documentation
// screenshots: drives the real window through the same entry points as its
// menus and buttons (calibrate, generate, select a site and step), then saves
// the comparison and a screenshot and quits. Exit code 0 on success, 1 when
// the window reported an error, 2 on timeout.
#include <QObject>
#include <QString>

class QCommandLineParser;

namespace dq::gui {

class MainWindow;

struct AutomationScript {
    QString calibratePreset;  // empty: no calibration
    QString method;           // empty: the panel's setting
    bool split = false;
    int caliSamples = 0, caliSteps = 0;  // 0: the panel's setting
    int steps = 0, images = 0, statisticsImages = 0;
    qint64 seed = -1;
    QString prompt, negativePrompt;  // text-to-image pipelines: the comparison's prompts
    QString calibrationPrompts;      // a prompt list file for calibration (empty: the panel's)
    QString site;  // shown in the histogram view
    int step = -1;
    QString heatmapQuantity;  // range | sqnr | bimodality
    bool logCounts = false;
    QString saveComparison;
    QString screenshot;
    bool quit = false;
    int timeoutSeconds = 900;

    bool active() const { return !calibratePreset.isEmpty() || !saveComparison.isEmpty() || !screenshot.isEmpty(); }
    static void addOptions(QCommandLineParser& parser);
    static AutomationScript fromParser(const QCommandLineParser& parser);
};

class Automation : public QObject {
    Q_OBJECT
public:
    Automation(MainWindow& window, AutomationScript script, QObject* parent = nullptr);
    // Starts once the window is idle with a model loaded.
    void start();

private:
    void afterLoad();
    void afterWork();
    void finish(int code, const QString& message);
    void whenIdle(void (Automation::*next)());

    MainWindow& window_;
    AutomationScript script_;
    QString firstError_;
    bool done_ = false;
};

}  // namespace dq::gui
