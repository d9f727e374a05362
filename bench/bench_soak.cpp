// Soak: the real worker on its thread runs alternating calibrate, sample,
// statistics and evaluation jobs on the shipped model for a long time (an
// hour by default). Reported: failures, the resident memory after every job,
// and its growth from the end of the first full cycle (the baseline measured
// in this run, once every job kind has built its caches) to the end.
// Target: growth ≤ 5 %, no failure.
// Run: QT_QPA_PLATFORM=offscreen build/bench/bench_soak [--minutes 60] [--json out.json]
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>

#include "app/gui/default_model.h"
#include "app/gui/worker_controller.h"
#include "core/quant/quant_plan.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"

using namespace dq;
using namespace dq::gui;

namespace {

// Resident set size of this process in MiB (Linux).
double residentMiB() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

SamplingSettings sampling(int steps, int count) {
    SamplingSettings s;
    s.steps = steps;
    s.count = count;
    s.seed = 5;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    double minutes = 60;
    QString jsonPath;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == "--minutes") minutes = args[i + 1].toDouble();
        if (args[i] == "--json") jsonPath = args[i + 1];
    }
    configureLogging(Verbosity::Quiet);
    configureCpuThreads();

    WorkerController controller;
    Worker* worker = controller.worker();
    ModelInfoPtr info;
    QObject::connect(worker, &Worker::modelLoaded, &app, [&](ModelInfoPtr m) { info = m; }, Qt::QueuedConnection);
    struct Outcome {
        bool done = false;
        JobOutcome outcome = JobOutcome::Finished;
        QString message;
    } last;
    quint64 waiting = 0;
    QEventLoop loop;
    QObject::connect(&controller, &WorkerController::jobFinished, &app,
                     [&](quint64 id, JobOutcome outcome, const QString& message) {
                         if (id != waiting) return;
                         last = {true, outcome, message};
                         loop.quit();
                     });
    auto run = [&](std::function<void(Worker*, quint64)> job) {
        last = {};
        waiting = controller.submit(std::move(job));
        if (!last.done) loop.exec();
        return last;
    };

    const QString model = QString::fromStdString(defaultModel());
    if (run([model](Worker* w, quint64 id) { w->loadModel(id, model, "cpu"); }).outcome != JobOutcome::Finished) {
        std::fprintf(stderr, "cannot load the shipped model\n");
        return 1;
    }
    QCoreApplication::processEvents();
    CalibrationRequest calibration;
    calibration.plan = makePresetPlan("W8A8", info->summary.sites);
    calibration.caliSamples = 8;
    calibration.caliSteps = 8;
    calibration.trajectory = sampling(20, 8);
    StatisticsRequest statistics;
    statistics.quantized = true;
    statistics.sampling = sampling(20, 4);
    const char* names[] = {"calibrate", "sample", "stats", "eval"};

    QElapsedTimer clock;
    clock.start();
    std::vector<double> rss;
    int jobs = 0, failures = 0, cycles = 0;
    double baseline = 0;
    QString firstFailure;
    while (clock.elapsed() < minutes * 60e3) {
        for (int kind = 0; kind < 4; ++kind) {
            Outcome o;
            switch (kind) {
                case 0: o = run([calibration](Worker* w, quint64 id) { w->calibrate(id, calibration); }); break;
                case 1: o = run([](Worker* w, quint64 id) { w->generate(id, sampling(20, 8), 4); }); break;
                case 2: o = run([statistics](Worker* w, quint64 id) { w->collectStatistics(id, statistics); }); break;
                default: o = run([](Worker* w, quint64 id) { w->evaluate(id, sampling(10, 10), 50); }); break;
            }
            QCoreApplication::processEvents();  // deliver the results, as the window would
            ++jobs;
            if (o.outcome != JobOutcome::Finished) {
                ++failures;
                if (firstFailure.isEmpty()) firstFailure = QString(names[kind]) + ": " + o.message;
            }
            rss.push_back(residentMiB());
        }
        if (++cycles == 1) baseline = rss.back();
        std::printf("%6.1f min  cycle %4d  RSS %7.1f MiB  (%+.2f %% from the first cycle)\n", clock.elapsed() / 60e3,
                    cycles, rss.back(), baseline > 0 ? 100.0 * (rss.back() - baseline) / baseline : 0.0);
        std::fflush(stdout);
    }
    const double final = rss.empty() ? 0 : rss.back();
    double peak = 0;
    for (double r : rss) peak = std::max(peak, r);
    const double growth = baseline > 0 ? 100.0 * (final - baseline) / baseline : 0;
    std::printf("\n%d jobs in %d cycles over %.1f min; %d failed%s\n", jobs, cycles, clock.elapsed() / 60e3, failures,
                firstFailure.isEmpty() ? "" : qPrintable(" (first: " + firstFailure + ")"));
    std::printf("RSS after the first cycle %.1f MiB, at the end %.1f MiB, peak %.1f MiB: growth %+.2f %% (target <= 5 %%)\n",
                baseline, final, peak, growth);
    if (!jsonPath.isEmpty()) {
        QFile f(jsonPath);
        if (f.open(QIODevice::WriteOnly)) {
            QString series;
            for (double r : rss) series += (series.isEmpty() ? "" : ",") + QString::number(r, 'f', 1);
            f.write(QString("{\"minutes\": %1, \"jobs\": %2, \"cycles\": %3, \"failures\": %4, \"baseline_mib\": %5, "
                            "\"final_mib\": %6, \"peak_mib\": %7, \"growth_percent\": %8, \"rss_mib\": [%9]}\n")
                        .arg(clock.elapsed() / 60e3).arg(jobs).arg(cycles).arg(failures).arg(baseline).arg(final)
                        .arg(peak).arg(growth).arg(series).toUtf8());
        }
    }
    return failures == 0 && growth <= 5.0 ? 0 : 1;
}
