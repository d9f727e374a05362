// Stable Diffusion at real size: a pipeline folder (e.g. a randomly
// initialised SD 1.5 configuration from `diffquant create-model --config
// bench/configs/sd15`) loaded, sampled at its native resolution with
// classifier-free guidance (batch 1), quantized W8A8 (simulated) and W4A8
// (packed artifact). Reports load time, seconds per step, the W8A8 overhead
// as a ratio to the FP steps of the same run, the W4 artifact's size as a
// fraction of the FP U-Net weights, and peak memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/engine/quant_session.h"
#include "core/model/denoiser.h"
#include "core/runtime/device.h"
#include "core/runtime/logging.h"
#include "core/sampling/pipeline.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Resident memory of this process (Linux): now, and its peak so far, in GiB.
double memoryGiB(const char* key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::string(key).size())) / (1024.0 * 1024.0);
    return 0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Seconds of each sampling step after the first (which pays one-time costs).
std::vector<double> stepTimes(dq::Denoiser& model, const dq::SchedulerConfig& scheduler, const dq::SampleRequest& request) {
    std::vector<double> times;
    auto last = Clock::now();
    dq::SampleCallbacks cb;
    cb.onStep = [&](const dq::StepEvent& e) {
        // CUDA runs asynchronously: reading one value of the step's result
        // waits for the step, so the time is the step's and not its launch's.
        if (e.sampleAfter && e.sampleAfter->is_cuda()) (void)e.sampleAfter->flatten()[0].item<float>();
        if (e.index > 0) times.push_back(secondsSince(last));
        last = Clock::now();
    };
    dq::runSampler(model, scheduler, request, cb);
    return times;
}

}  // namespace

int main(int argc, char** argv) {
    std::string folder, device = "cpu", artifact = "/tmp/bench_sd_scale_w4a8";
    int steps = 4;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--model") folder = value;
        else if (key == "--device") device = value;
        else if (key == "--steps") steps = std::stoi(value);
        else if (key == "--artifact") artifact = value;
        else {
            std::fprintf(stderr, "usage: bench_sd_scale --model PIPE [--device D] [--steps N] [--artifact DIR]\n");
            return 2;
        }
    }
    if (folder.empty() || steps < 2) {
        std::fprintf(stderr, "bench_sd_scale: give --model PIPE and at least 2 steps\n");
        return 2;
    }
    dq::configureLogging(dq::Verbosity::Quiet);
    dq::configureCpuThreads();
    try {
        const double baseline = memoryGiB("VmRSS:");
        dq::QuantSession session;
        auto start = Clock::now();
        session.openModel(folder, device);
        const double loadSeconds = secondsSince(start);
        const double loadedGiB = memoryGiB("VmRSS:") - baseline;
        dq::DiffusionPipeline& pipeline = session.model();
        dq::Denoiser& unet = pipeline.denoiser();
        const dq::SampleShape shape = unet.sampleShape();

        c10::InferenceMode inference;
        const std::vector<std::string> prompts = {"a photograph of an astronaut riding a horse"};
        dq::SampleRequest request;
        request.sampler = dq::SamplerKind::DDIM;
        request.steps = steps;
        request.spacing = pipeline.scheduler().spacing;
        request.guidanceScale = 7.5;
        request.initialNoise = dq::makeInitialNoise(unet, 1, 0);
        start = Clock::now();
        request = dq::withPrompts(request, pipeline.encodePrompts(prompts), 0, 1);
        const double encodeSeconds = secondsSince(start);

        const std::vector<double> fp = stepTimes(unet, pipeline.scheduler(), request);
        start = Clock::now();
        // (.cpu() waits for a CUDA decode to finish before the clock stops.)
        const torch::Tensor image = pipeline.toImages(request.initialNoise.to(unet.device())).cpu();
        const double decodeSeconds = secondsSince(start);
        const double fpPeakGiB = memoryGiB("VmHWM:");

        // W8A8 (16-bit softmax, the text-to-image default), calibrated on one
        // guided step of one prompt: enough for ranges at this scale.
        dq::CalibrationRecipe recipe;
        recipe.data.steps = 1;
        recipe.data.samples = 1;
        recipe.data.batchSize = 1;
        recipe.data.trajectory = request;
        recipe.data.trajectory.initialNoise = torch::Tensor();
        recipe.data.trajectory.steps = 1;
        recipe.data.prompts = prompts;
        recipe.options.batchSize = 2;
        recipe.plan = session.makePlan(dq::PlanRecipe{"W8A8", {}, 0, 10, true}, 1);
        start = Clock::now();
        session.calibrate(recipe);
        const double calibrateSeconds = secondsSince(start);
        unet.setInterceptor(session.quantized());
        const std::vector<double> w8a8 = stepTimes(unet, pipeline.scheduler(), request);
        unet.setInterceptor(nullptr);

        recipe.plan = session.makePlan(dq::PlanRecipe{"W4A8", {}, 0, 10, true}, 1);
        session.calibrate(recipe);
        std::filesystem::remove_all(artifact);
        const dq::ArtifactSizes sizes = session.saveQuantized(artifact);
        const double peakGiB = memoryGiB("VmHWM:");

        std::printf("pipeline %s on %s: U-Net %.1f M parameters, latents %lldx%lldx%lld -> images %lldx%lld\n",
                    folder.c_str(), unet.device().str().c_str(), unet.parameterCount() / 1e6,
                    static_cast<long long>(shape.channels), static_cast<long long>(shape.height),
                    static_cast<long long>(shape.width), static_cast<long long>(image.size(2)),
                    static_cast<long long>(image.size(3)));
        std::printf("%-44s %10.2f\n", "load (all parts, to device), s", loadSeconds);
        std::printf("%-44s %10.2f\n", "resident memory after load, GiB", loadedGiB);
        std::printf("%-44s %10.2f\n", "prompt encoding (prompt + empty), s", encodeSeconds);
        std::printf("%-44s %10.2f\n", "FP step, batch 1 with guidance, s (median)", median(fp));
        std::printf("%-44s %10.2f\n", "W8A8 simulated step, s (median)", median(w8a8));
        std::printf("%-44s %10.2f\n", "W8A8 overhead ratio (to FP, same run)", median(w8a8) / median(fp));
        std::printf("%-44s %10.2f\n", "VAE decode of one image, s", decodeSeconds);
        std::printf("%-44s %10.2f\n", "W8A8 calibration (1 guided step), s", calibrateSeconds);
        std::printf("%-44s %10.1f\n", "FP U-Net weights, MiB", sizes.fpWeightsBytes / 1048576.0);
        std::printf("%-44s %10.1f\n", "W4A8 artifact, MiB", sizes.artifactBytes / 1048576.0);
        std::printf("%-44s %10.3f\n", "W4A8 artifact / FP U-Net weights", double(sizes.artifactBytes) / sizes.fpWeightsBytes);
        std::printf("%-44s %10.2f\n", "peak resident memory while sampling FP, GiB", fpPeakGiB);
        std::printf("%-44s %10.2f\n", "peak resident memory overall, GiB", peakGiB);
        std::printf("(%d DDIM steps per run; step times exclude each run's first step)\n", steps);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_sd_scale: %s\n", e.what());
        return 1;
    }
    return 0;
}
