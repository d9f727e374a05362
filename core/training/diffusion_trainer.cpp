#include "core/training/diffusion_trainer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/io/atomic_file.h"
#include "core/io/file_stamp.h"
#include "core/io/safetensors.h"
#include "core/model/model_folder.h"
#include "core/model/unet2d.h"
#include "core/sampling/scheduler.h"
#include "core/training/checkpoint.h"

namespace dq {

namespace fs = std::filesystem;

namespace {

// Writes the EMA weights as a diffusers model folder.
void writeModelFolder(const std::string& dir, const TrainConfig& config, const std::map<std::string, torch::Tensor>& ema) {
    fs::create_directories(dir);
    writeTextFileAtomically(dir + "/config.json", config.model.toJson());
    saveSchedulerConfig(dir, config.scheduler);
    saveSafetensors(dir + "/diffusion_pytorch_model.safetensors", cpuCopies(ema), {{"format", "pt"}});
}

// The weights of the model folder `dir` for a warm start, after checking that
// its config.json is the recipe's model (the same architecture, so every
// tensor has a place).
std::map<std::string, torch::Tensor> warmStartWeights(const std::string& dir, const UNetConfig& recipeModel) {
    if (!fs::exists(dir + "/config.json"))
        throw Error("'" + dir + "' is not a model folder (no config.json); --init-from needs a diffusers model folder "
                    "such as resources/models/fashion-mnist-ddpm.");
    // Read as every other command opens a model folder, so a broken folder gets
    // the same errors (a config that cannot belong to its weights, a missing or
    // damaged weights file), prefixed with the option that named it.
    std::optional<UNet2DModel> loaded;
    try {
        loaded.emplace(UNet2DModel::load(dir));
    } catch (const Error& e) {
        throw Error("--init-from '" + dir + "': " + e.what() +
                    " Pass a complete trained model folder (config.json with its diffusion_pytorch_model.safetensors), "
                    "e.g. resources/models/fashion-mnist-ddpm.");
    }
    const UNet2DModel& folderModel = *loaded;
    if (nlohmann::json::parse(folderModel.config().toJson()) != nlohmann::json::parse(recipeModel.toJson()))
        throw Error("The model in '" + dir + "/config.json' is not the recipe's model; a warm start needs the same "
                    "architecture: copy that config.json into the recipe's \"model\" or start from random weights.");
    return folderModel.stateDict();
}

}  // namespace

torch::Tensor epsilonLoss(const torch::Tensor& prediction, const torch::Tensor& noise, const torch::Tensor& t,
                          const torch::Tensor& alphasCumprod, const TrainSettings& s) {
    if (s.lossWeighting != "min_snr") return torch::mse_loss(prediction, noise);
    // epsilon-prediction form of min-SNR-gamma: weight min(SNR, gamma) / SNR per sample.
    const torch::Tensor alphaBar = alphasCumprod.index_select(0, t);
    const torch::Tensor snr = alphaBar / (1 - alphaBar);
    const torch::Tensor weight = snr.clamp_max(s.minSnrGamma) / snr;
    return (weight * (prediction - noise).pow(2).mean({1, 2, 3})).mean();
}

void updateEma(std::map<std::string, torch::Tensor>& ema, const std::map<std::string, torch::Tensor>& live,
               const TrainSettings& s, int64_t step) {
    torch::NoGradGuard noGrad;
    // Short runs need the EMA to forget its random start quickly.
    const double decay = std::min(s.effectiveEmaDecay(), double(step + 1) / double(step + 10));
    for (auto& [k, e] : ema) e.mul_(decay).add_(live.at(k).detach(), 1.0 - decay);
}

TrainResult trainDiffusionModel(const TrainConfig& config, const ImageDataset& data, const std::string& outDir,
                                const TrainStart& from, const torch::Device& device,
                                const TrainCallbacks& callbacks) {
    const TrainSettings& s = config.train;
    const UNetConfig& mc = config.model;
    if (data.images.size(1) != mc.inChannels || data.images.size(2) != mc.sampleSize)
        throw Error("The training images are " + std::to_string(data.images.size(1)) + "x" +
                    std::to_string(data.images.size(2)) + "x" + std::to_string(data.images.size(3)) +
                    " but the model config expects " + std::to_string(mc.inChannels) + "x" +
                    std::to_string(mc.sampleSize) + "x" + std::to_string(mc.sampleSize) + ".");
    const bool conditional = mc.classEmbedType == ClassEmbedType::Embedding;
    if (conditional && (!mc.nullClassLabel || data.labels.max().item<int64_t>() >= *mc.nullClassLabel))
        throw Error("The model's num_class_embeds must leave a null class after the data's labels (e.g. 11 for 10 "
                    "classes).");

    const bool resume = from.resume;
    if (resume && !from.initFrom.empty())
        throw Error("--init-from starts a new run and --resume continues '" + outDir +
                    "/checkpoint', which already holds the warm-started weights; pass only --resume.");
    UNet2DModel model(mc);
    model.initializeRandom(s.seed);
    nlohmann::json initFrom;  // recorded in the checkpoint: which weights a warm start began from
    if (!from.initFrom.empty()) {
        const std::string weightsPath = from.initFrom + "/diffusion_pytorch_model.safetensors";
        model.loadStateDict(warmStartWeights(from.initFrom, mc), weightsPath);
        initFrom = {{"folder", from.initFrom}, {"weights_stamp", fileStamp(weightsPath)}};
        spdlog::info("Warm start from '{}' (weights {})", weightsPath, initFrom["weights_stamp"].get<std::string>());
    }
    model.to(device);
    const TrainingCheckpoint cp(outDir + "/checkpoint");
    const nlohmann::json identity = nlohmann::json::parse(mc.toJson());
    int64_t startStep = 0;
    std::map<std::string, torch::Tensor> ema;

    if (resume) {
        startStep = cp.step(identity);
        model.loadStateDict(cp.weights(), cp.dir() + "/model.safetensors");
        for (auto& [k, v] : cp.ema()) ema.emplace(k, v.to(device, torch::kFloat32).clone());
        initFrom = cp.state().value("init_from", nlohmann::json());
    } else {
        for (const auto& [k, v] : model.stateDict()) ema.emplace(k, v.detach().clone());
    }

    std::vector<torch::Tensor> params = model.parameters();
    for (auto& p : params) p.requires_grad_(true);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(s.learningRate).weight_decay(s.weightDecay));
    if (resume) cp.loadOptimizer(optimizer);

    const NoiseSchedule noiseSchedule(config.scheduler);
    // alpha-bar per training timestep, on the device, for min-SNR weights.
    const torch::Tensor alphasCumprod = noiseSchedule.alphasCumprod.to(device);
    const int64_t n = data.images.size(0);
    const int64_t T = config.scheduler.numTrainTimesteps;
    std::map<std::string, torch::Tensor> live = model.stateDict();

    TrainResult result;

    result.startStep = result.steps = startStep;
    const auto start = std::chrono::steady_clock::now();
    TrainingLossLog lossLog(callbacks, s.steps, s.logEvery, s.batchSize);
    for (int64_t step = startStep; step < s.steps; ++step) {
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
        // Everything random about this step comes from (seed, step).
        auto gen = at::make_generator<at::CPUGeneratorImpl>(s.seed * 1000003ull + static_cast<uint64_t>(step));
        torch::Tensor index = torch::randint(n, {s.batchSize}, gen, torch::kInt64);
        torch::Tensor x0 = data.images.index_select(0, index).to(device);
        torch::Tensor t = torch::randint(T, {s.batchSize}, gen, torch::kInt64).to(device);
        torch::Tensor noise = torch::randn(x0.sizes(), gen, torch::kFloat32).to(device);
        torch::Tensor labels;
        if (conditional) {
            labels = data.labels.index_select(0, index);
            torch::Tensor drop = torch::rand({s.batchSize}, gen) < s.labelDropout;
            labels = torch::where(drop, torch::full_like(labels, *mc.nullClassLabel), labels).to(device);
        }

        const double lr = s.learningRateAt(step);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);

        torch::Tensor prediction = model.forward(noiseSchedule.addNoise(x0, noise, t), t, labels);
        torch::Tensor loss = epsilonLoss(prediction, noise, t, alphasCumprod, s);
        optimizer.zero_grad();
        loss.backward();
        if (s.gradClip > 0) torch::nn::utils::clip_grad_norm_(params, s.gradClip);
        optimizer.step();
        updateEma(ema, live, s, step);
        const int64_t done = step + 1;
        lossLog.add(done, loss.item<double>(), lr);
        if (done % s.checkpointEvery == 0 || done == s.steps) {
            cp.save(model.stateDict(), &ema, optimizer, done,
                    {{"train", nlohmann::json::parse(config.trainJson())}, {"model", identity}, {"init_from", initFrom}});
            writeModelFolder(outDir, config, ema);
        }
        result.steps = done;
    }
    if (startStep >= s.steps) writeModelFolder(outDir, config, ema);
    result.finalLoss = lossLog.lastMean();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace dq
