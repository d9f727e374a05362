// Responsiveness of the explorer window on the shipped model (offscreen):
//  1. event-loop latency: a 10 ms timer runs while the window is idle (the
//     baseline) and while the worker calibrates W8A8 and samples a comparison;
//     the worst and 99th-percentile lateness of the timer are reported;
//  2. histogram redraw: switching the histogram's site and step, timed from
//     the switch until the event loop has run the replots it queued, over
//     every site at several steps,
//     with FP and quantized statistics and the quantization grid shown;
//  3. the same event-loop latency while the worker runs a W4A8 sensitivity
//     sweep and then the Allocate dialog's frontier, and the time one move of
//     the dialog's budget slider takes (it reads the worker's allocation table
//     and redraws the summary and the plot's marker).
// Run: QT_QPA_PLATFORM=offscreen build/bench/bench_gui_responsiveness [--cali-n N] [--images N]
//      [--sweep-cali-n N] (the sweep's trajectories; 0 skips part 3)
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QThread>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "app/gui/allocate_dialog.h"
#include "app/gui/default_model.h"
#include "app/gui/generation_panel.h"
#include "app/gui/heatmap_panel.h"
#include "app/gui/histogram_panel.h"
#include "app/gui/main_window.h"
#include "app/gui/quantization_panel.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"

namespace {

struct Lateness {
    std::vector<double> ms;
    std::vector<double> at;  // seconds since the measurement started
    double worst() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
    double percentile(double p) const {
        if (ms.empty()) return 0;
        std::vector<double> v = ms;
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100 * v.size()))];
    }
};

// Runs the event loop until `done` and records how late each 10 ms tick fires.
template <typename Done>
Lateness measureLateness(Done&& done, int timeoutMs) {
    Lateness out;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        out.ms.push_back(std::max(0.0, (now - last) / 1e6 - 10.0));
        out.at.push_back(now / 1e9);
        last = now;
    });
    timer.start();
    // A real event loop that sleeps between events, as the application's does.
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (done() || clock.elapsed() > timeoutMs) loop.quit();
    });
    poll.start(50);
    loop.exec();
    timer.stop();
    return out;
}

// Times every event delivered while recording, so that a stall can be
// attributed to the receiver and event type that caused it (nested
// deliveries, such as a child's paint inside its parent's, are listed too).
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    struct Slow {
        QString receiver;
        int type = 0;
        int depth = 0;
        double ms = 0;
    };
    bool recording = false;
    std::vector<Slow> slow;
    double totalMs = 0;  // in top-level deliveries
    std::map<QString, double> byKind;
    int count = 0;
    bool notify(QObject* receiver, QEvent* event) override {
        if (!recording) return QApplication::notify(receiver, event);
        // Named before delivery: the receiver may be deleted by it (DeferredDelete).
        const int type = event->type();
        const QString name = QString("%1 '%2'").arg(receiver->metaObject()->className(), receiver->objectName());
        const QString kind = QString("%1 in %2, type %3")
                                 .arg(name, receiver->parent() ? receiver->parent()->metaObject()->className() : "-")
                                 .arg(type);
        QElapsedTimer t;
        t.start();
        ++depth_;
        const bool result = QApplication::notify(receiver, event);
        --depth_;
        const double ms = t.nsecsElapsed() / 1e6;
        if (ms > 20) slow.push_back({name, type, depth_, ms});
        if (depth_ == 0) {
            totalMs += ms;
            ++count;
            byKind[kind] += ms;
        }
        return result;
    }

private:
    int depth_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    TimedApplication app(argc, argv);
    QTemporaryDir settings;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());
    QApplication::setOrganizationName("DiffQuantBench");
    dq::configureLogging(dq::Verbosity::Quiet);
    dq::configureCpuThreads();
    int caliN = 64, images = 16, sweepCaliN = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        const QString key = argv[i];
        if (key == "--cali-n") caliN = atoi(argv[i + 1]);
        else if (key == "--images") images = atoi(argv[i + 1]);
        else if (key == "--sweep-cali-n") sweepCaliN = atoi(argv[i + 1]);
    }

    dq::gui::MainWindow window;
    window.setShowErrorDialogs(false);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return 1;
    window.openModel(QString::fromStdString(dq::gui::defaultModel()));
    if (!QTest::qWaitFor([&] { return !window.modelFolder().isEmpty() && !window.busy(); }, 600000)) return 1;

    const Lateness idle = measureLateness([start = QElapsedTimer()]() mutable {
        if (!start.isValid()) start.start();
        return start.elapsed() > 3000;
    }, 5000);

    window.quantizationPanel()->setPreset("W8A8");
    window.quantizationPanel()->setCalibrationSize(20, caliN);
    window.generationPanel()->setCount(images);
    window.calibrate();  // calibration, quantized statistics, then a comparison
    QElapsedTimer busyClock;
    busyClock.start();
    QObject::connect(&window, &dq::gui::MainWindow::statisticsShown, [&](bool q) {
        std::fprintf(stderr, "%.3f s: statistics shown (quantized %d)\n", busyClock.elapsed() / 1000.0, q);
    });
    QObject::connect(&window, &dq::gui::MainWindow::comparisonShown,
                     [&] { std::fprintf(stderr, "%.3f s: comparison shown\n", busyClock.elapsed() / 1000.0); });
    QObject::connect(&window, &dq::gui::MainWindow::quantizedModelChanged,
                     [&] { std::fprintf(stderr, "%.3f s: quantized model\n", busyClock.elapsed() / 1000.0); });
    const Lateness busy = measureLateness([&] { return !window.busy(); }, 1800000);
    for (std::size_t i = 0; i < busy.ms.size(); ++i)
        if (busy.ms[i] > 40) std::fprintf(stderr, "%.3f s: tick %.1f ms late\n", busy.at[i], busy.ms[i]);
    const double busySeconds = busyClock.elapsed() / 1000.0;
    if (!window.hasQuantizedModel()) {
        std::fprintf(stderr, "calibration failed: %s\n", qPrintable(window.lastError()));
        return 1;
    }

    dq::gui::HistogramPanel* h = window.histogramPanel();
    std::vector<double> redraw;
    const int steps = h->stepCount();
    QStringList sites;
    for (const auto& [name, plan] : window.plan().sites) sites << QString::fromStdString(name);
    for (const QString& site : sites)
        for (int step : {0, steps / 2, steps - 1}) {
            // As in the application: the switch queues the replots, and the
            // event loop runs them. (Forcing a redraw without running the
            // loop would leave every queued replot pending, to land in the
            // next measurement as one long stall.)
            QElapsedTimer t;
            t.start();
            h->showSite(site);
            h->showStep(step);
            QCoreApplication::processEvents();
            redraw.push_back(t.nsecsElapsed() / 1e6);
        }
    std::sort(redraw.begin(), redraw.end());
    const double median = redraw[redraw.size() / 2], worst = redraw.back();

    // 3. Sensitivity sweep, then the frontier, on the worker; the dialog opens
    // as soon as the sweep is in, and its slider is moved while the frontier runs.
    Lateness sweep;
    double sweepSeconds = 0;
    std::vector<double> slider;
    if (sweepCaliN > 0) {
        // The preset switch is GUI-thread work of its own (the plan, the layer
        // table and the width map follow it): timed apart from the sweep.
        QElapsedTimer presetClock;
        presetClock.start();
        window.quantizationPanel()->setPreset("W4A8");
        window.quantizationPanel()->setCalibrationSize(20, sweepCaliN);
        const double presetMs = presetClock.nsecsElapsed() / 1e6;
        app.recording = true;
        QCoreApplication::processEvents();
        app.recording = false;
        const double presetEventsMs = presetClock.nsecsElapsed() / 1e6 - presetMs;
        std::fprintf(stderr, "  %d events delivered in %.1f ms\n", app.count, app.totalMs);
        for (const auto& [kind, ms] : app.byKind)
            if (ms > 5) std::fprintf(stderr, "  %s: %.1f ms\n", qPrintable(kind), ms);
        for (const auto& e : app.slow)
            std::fprintf(stderr, "  slow event: %*s%s, type %d, %.1f ms\n", 2 * e.depth, "", qPrintable(e.receiver), e.type, e.ms);
        presetClock.restart();
        window.measureSensitivity();
        std::fprintf(stderr, "preset W8A8 -> W4A8: %.1f ms, then %.1f ms of the events it posted; sweep queued in %.1f ms\n",
                     presetMs, presetEventsMs, presetClock.nsecsElapsed() / 1e6);
        QElapsedTimer sweepClock;
        sweepClock.start();
        bool opened = false;
        double sweepAt = 0, openMs = 0, frontierAt = 0;
        sweep = measureLateness([&] {
            if (!opened && window.sensitivity()) {
                sweepAt = sweepClock.elapsed() / 1000.0;
                QElapsedTimer open;
                open.start();
                window.openAllocateDialog(4.0);
                openMs = open.nsecsElapsed() / 1e6;
                opened = true;
                return false;
            }
            if (opened && frontierAt == 0 && window.allocateDialog() && window.allocateDialog()->allocation())
                frontierAt = sweepClock.elapsed() / 1000.0;
            return opened && !window.busy();
        }, 3600000);
        sweepSeconds = sweepClock.elapsed() / 1000.0;
        // Where the stalls were, against the sweep's arrival and the dialog's
        // opening (both seen by a 50 ms poll), so a stall can be attributed.
        std::fprintf(stderr, "sweep in at %.2f s (seen by the poll), dialog opened in %.1f ms, allocations from the worker at %.2f s\n",
                     sweepAt, openMs, frontierAt);
        for (std::size_t i = 0; i < sweep.ms.size(); ++i)
            if (sweep.ms[i] > 40) std::fprintf(stderr, "%.3f s: tick %.1f ms late\n", sweep.at[i], sweep.ms[i]);
        dq::gui::AllocateDialog* dialog = window.allocateDialog();
        if (!dialog) {
            std::fprintf(stderr, "sensitivity sweep failed: %s\n", qPrintable(window.lastError()));
            return 1;
        }
        for (int k = 0; k <= 60; ++k) {
            QElapsedTimer t;
            t.start();
            dialog->setAverageWeightBits(2.0 + 0.1 * k);
            QCoreApplication::processEvents();
            slider.push_back(t.nsecsElapsed() / 1e6);
        }
        std::sort(slider.begin(), slider.end());
        dialog->close();
    }

    std::printf("DiffQuant Studio responsiveness (shipped model, %s, offscreen, %d CPU threads)\n",
                qEnvironmentVariable("DIFFQUANT_DEVICE", "auto").toLocal8Bit().constData(), QThread::idealThreadCount());
    std::printf("event loop, idle baseline : worst %.1f ms late, p99 %.1f ms (%zu ticks)\n", idle.worst(),
                idle.percentile(99), idle.ms.size());
    std::printf("event loop, busy          : worst %.1f ms late, p99 %.1f ms (%zu ticks over %.0f s of calibration "
                "W8A8 cali_n %d, statistics and a %d-image comparison)\n",
                busy.worst(), busy.percentile(99), busy.ms.size(), busySeconds, caliN, images);
    std::printf("histogram switch + redraw : median %.1f ms, worst %.1f ms over %zu site/step switches\n", median, worst,
                redraw.size());
    if (!slider.empty()) {
        std::printf("event loop, sweep+frontier: worst %.1f ms late, p99 %.1f ms (%zu ticks over %.0f s: W4A8 sensitivity "
                    "sweep on cali_n %d, then the Allocate dialog's frontier)\n",
                    sweep.worst(), sweep.percentile(99), sweep.ms.size(), sweepSeconds, sweepCaliN);
        std::printf("allocation slider move    : median %.1f ms, worst %.1f ms over %zu moves\n",
                    slider[slider.size() / 2], slider.back(), slider.size());
    }
    window.close();
    return 0;
}
