// Overhead of simulated quantization and of statistics collection on sampling
// time, measured in one run on the same inputs (the shipped model by default):
//   FP sampling  vs  W4A8 simulated sampling  vs  statistics collection.
// Prints the median of `--repeats` timings per mode and the ratios to FP.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/model/model_folder.h"
#include "core/quant/calibrator.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"
#include "core/stats/activation_stats.h"

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <typename Fn>
double timeIt(Fn&& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::string folder, device = "auto";
    int batch = 16, steps = 50, repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--model") folder = value;
        else if (key == "--device") device = value;
        else if (key == "--batch") batch = std::stoi(value);
        else if (key == "--steps") steps = std::stoi(value);
        else if (key == "--repeats") repeats = std::stoi(value);
        else {
            std::fprintf(stderr, "usage: bench_quant_overhead [--model DIR] [--device D] [--batch N] [--steps N] [--repeats N]\n");
            return 2;
        }
    }
    try {
        dq::configureLogging(dq::Verbosity::Quiet);
        dq::configureCpuThreads();
        if (folder.empty()) folder = dq::defaultModelFolder();
        dq::LoadedModel m = dq::loadModelFolder(folder);
        m.unet.to(dq::selectDevice(device));

        dq::CalibrationDataSettings cali;
        cali.samples = 32;
        cali.steps = 10;
        cali.batchSize = 32;
        cali.trajectory.steps = steps;
        const dq::CalibrationData data = dq::collectCalibrationData(m.unet, m.scheduler, cali);
        dq::PresetOptions options;
        options.splitShortcuts = true;
        dq::QuantizedUNet quantized = dq::calibrate(m.unet, dq::makePresetPlan("W4A8", m.unet.sites(), options), data);

        dq::SampleRequest request;
        request.batch = batch;
        request.steps = steps;
        request.seed = 1;
        dq::StatsSettings stats;
        stats.sampling = request;
        std::vector<double> fp, q, st, stq;
        dq::runSampler(m.unet, m.scheduler, request);  // warm-up
        for (int r = 0; r < repeats; ++r) {
            // Interleaved, so drifts in machine load hit every mode alike.
            m.unet.setInterceptor(nullptr);
            fp.push_back(timeIt([&] { dq::runSampler(m.unet, m.scheduler, request); }));
            m.unet.setInterceptor(&quantized);
            q.push_back(timeIt([&] { dq::runSampler(m.unet, m.scheduler, request); }));
            m.unet.setInterceptor(nullptr);
            st.push_back(timeIt([&] { dq::collectStatistics(m.unet, m.scheduler, stats); }));
            stq.push_back(timeIt([&] { dq::collectStatistics(m.unet, m.scheduler, stats, &quantized); }));
        }
        // Ratios are taken per repeat (each mode against the FP run right
        // before it) and then their median: on a shared machine the absolute
        // times drift by tens of percent between repeats, the paired ratios
        // much less. The range shows how much they still scatter.
        auto ratios = [&](const std::vector<double>& num, const std::vector<double>& den) {
            std::vector<double> r;
            for (size_t i = 0; i < num.size(); ++i) r.push_back(num[i] / den[i]);
            return r;
        };
        auto row = [&](const char* name, const std::vector<double>& times, const std::vector<double>& rs) {
            const auto [lo, hi] = std::minmax_element(rs.begin(), rs.end());
            std::printf("%-34s %9.3f %7.2f   %.2f-%.2f\n", name, median(times), median(rs), *lo, *hi);
        };
        std::printf("device %s, batch %d, %d DDIM steps, %d interleaved repeats\n", m.unet.device().str().c_str(),
                    batch, steps, repeats);
        std::printf("%-34s %9s %7s   %s\n", "mode", "median s", "ratio", "range");
        row("FP sampling", fp, ratios(fp, fp));
        row("W4A8 simulated sampling", q, ratios(q, fp));
        row("FP + statistics collection", st, ratios(st, fp));
        row("W4A8 + statistics (with SQNR)", stq, ratios(stq, q));
        std::printf("(ratio: median over repeats of the time against that repeat's FP run; the last row is against\n"
                    " W4A8 sampling, since SQNR needs one extra FP evaluation per layer)\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_quant_overhead: %s\n", e.what());
        return 1;
    }
    return 0;
}
