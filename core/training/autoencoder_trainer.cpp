#include "core/training/autoencoder_trainer.h"

#include <chrono>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/training/checkpoint.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

namespace fs = std::filesystem;

AutoencoderTrainConfig AutoencoderTrainConfig::fromJson(const std::string& text, const std::string& source) {
    const std::string what = "VAE training config '" + source + "'";
    const nlohmann::json root = parseBoundedJson(text, what);
    const JsonFields<nlohmann::json> f(root, what);
    f.allowOnly({"model", "train"}, /*metadataKeys=*/true, "expected model and train");
    if (!f.find("model") || !f.find("model")->is_object())
        f.reject("model", "must be an object with AutoencoderKL config keys");
    AutoencoderTrainConfig c;
    c.model = AutoencoderKLConfig::fromJson(root["model"].dump(), source + " (model)");
    if (f.find("train")) {
        const JsonFields<nlohmann::json> t = f.child("train");
        t.allowOnly({"steps", "batch_size", "learning_rate", "warmup_steps", "kl_weight", "seed", "checkpoint_every",
                     "log_every"},
                    /*metadataKeys=*/false, "known: steps, batch_size, learning_rate, warmup_steps, kl_weight, seed, "
                                            "checkpoint_every, log_every");
        AutoencoderTrainSettings& s = c.train;
        s.steps = t.integer("steps", s.steps, 1, 1000000000);
        s.batchSize = t.integer32("batch_size", s.batchSize, 1, 65536);
        s.learningRate = t.number("learning_rate", s.learningRate, NumberRange{0, 10, true, false, true});
        s.warmupSteps = t.integer32("warmup_steps", s.warmupSteps, 0, 1000000000);
        s.klWeight = t.number("kl_weight", s.klWeight, NumberRange::closed(0, 1e6));
        s.seed = static_cast<uint64_t>(t.integer("seed", static_cast<int64_t>(s.seed), 0,
                                                 std::numeric_limits<int64_t>::max()));
        s.checkpointEvery = t.integer32("checkpoint_every", s.checkpointEvery, 1, 1000000000);
        s.logEvery = t.integer32("log_every", s.logEvery, 1, 1000000000);
    }
    return c;
}

std::string AutoencoderTrainConfig::trainJson() const {
    const AutoencoderTrainSettings& s = train;
    const nlohmann::ordered_json j = {{"steps", s.steps},
                                      {"batch_size", s.batchSize},
                                      {"learning_rate", s.learningRate},
                                      {"warmup_steps", s.warmupSteps},
                                      {"kl_weight", s.klWeight},
                                      {"seed", s.seed},
                                      {"checkpoint_every", s.checkpointEvery},
                                      {"log_every", s.logEvery}};
    return j.dump(2);
}

namespace {

// Mean over the batch of the posterior's KL to N(0, I), per latent element.
torch::Tensor klPerElement(const LatentDistribution& d) {
    return 0.5 * (d.mean.pow(2) + d.logvar.exp() - 1 - d.logvar).mean();
}

// The scaling factor (1 / std of the latent means) and the held-out
// reconstruction MSE of the means' decoding, on up to 1,024 test images.
std::pair<double, double> measure(const AutoencoderKL& vae, const ImageDataset& test, const torch::Device& device) {
    torch::NoGradGuard noGrad;
    const int64_t n = std::min<int64_t>(1024, test.images.size(0));
    std::vector<torch::Tensor> means;
    double squared = 0;
    for (int64_t from = 0; from < n; from += 256) {
        const torch::Tensor x = test.images.narrow(0, from, std::min<int64_t>(256, n - from)).to(device);
        const LatentDistribution d = vae.encode(x);
        means.push_back(d.mean.cpu());
        squared += (vae.decode(d.mean) - x).pow(2).sum().item<double>();
    }
    const double std = torch::cat(means).std().item<double>();
    return {1.0 / std::max(std, 1e-6), squared / double(n * test.images[0].numel())};
}

}  // namespace

AutoencoderTrainResult trainAutoencoder(const AutoencoderTrainConfig& config, const ImageDataset& train,
                                        const ImageDataset& test, const std::string& outDir, bool resume,
                                        const torch::Device& device, const TrainCallbacks& callbacks) {
    const AutoencoderTrainSettings& s = config.train;
    const AutoencoderKLConfig& mc = config.model;
    for (const ImageDataset* data : {&train, &test})
        if (data->images.size(1) != mc.inChannels || data->images.size(2) != mc.sampleSize ||
            data->images.size(3) != mc.sampleSize)
            throw Error("The images are " + std::to_string(data->images.size(1)) + "x" +
                        std::to_string(data->images.size(2)) + "x" + std::to_string(data->images.size(3)) +
                        " but the VAE config expects " + std::to_string(mc.inChannels) + "x" +
                        std::to_string(mc.sampleSize) + "x" + std::to_string(mc.sampleSize) + ".");
    AutoencoderKL vae(mc);
    vae.initializeRandom(s.seed);
    vae.to(device);
    const TrainingCheckpoint cp(outDir + "/checkpoint");
    const nlohmann::json identity = nlohmann::json::parse(mc.toJson());
    int64_t startStep = 0;
    if (resume) {
        startStep = cp.step(identity);
        vae.loadStateDict(cp.weights(), cp.dir() + "/model.safetensors");
    }
    std::vector<torch::Tensor> params;
    for (const auto& [name, p] : vae.stateDict()) params.push_back(p);
    for (auto& p : params) p.requires_grad_(true);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(s.learningRate).weight_decay(0));
    if (resume) cp.loadOptimizer(optimizer);

    AutoencoderTrainResult result;

    result.startStep = result.steps = startStep;
    const auto start = std::chrono::steady_clock::now();
    TrainingLossLog lossLog(callbacks, s.steps, s.logEvery, s.batchSize);
    const int64_t n = train.images.size(0);
    auto writeFolder = [&] {
        AutoencoderKLConfig finished = mc;
        std::tie(finished.scalingFactor, result.reconstructionMse) = measure(vae, test, device);
        result.scalingFactor = finished.scalingFactor;
        AutoencoderKL out(finished);
        out.loadStateDict(cpuCopies(vae.stateDict()), "the trained VAE");
        fs::create_directories(outDir);
        out.save(outDir);
    };
    for (int64_t step = startStep; step < s.steps; ++step) {
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
        // Everything random about this step comes from (seed, step).
        auto gen = at::make_generator<at::CPUGeneratorImpl>(s.seed * 1000003ull + static_cast<uint64_t>(step));
        const torch::Tensor x = train.images.index_select(0, torch::randint(n, {s.batchSize}, gen, torch::kInt64)).to(device);
        const double lr = s.learningRate * std::min(1.0, double(step + 1) / std::max(1, s.warmupSteps));
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        const LatentDistribution d = vae.encode(x);
        const torch::Tensor eps = torch::randn(d.mean.sizes(), gen, torch::kFloat32).to(device);
        const torch::Tensor z = d.mean + (0.5 * d.logvar).exp() * eps;
        const torch::Tensor loss = torch::mse_loss(vae.decode(z), x) + s.klWeight * klPerElement(d);
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(params, 1.0);
        optimizer.step();
        const int64_t done = step + 1;
        lossLog.add(done, loss.item<double>(), lr);
        if (done % s.checkpointEvery == 0 || done == s.steps) {
            cp.save(vae.stateDict(), nullptr, optimizer, done,
                    {{"train", nlohmann::json::parse(config.trainJson())}, {"model", identity}});
            writeFolder();
        }
        result.steps = done;
    }
    if (startStep >= s.steps) writeFolder();
    result.finalLoss = lossLog.lastMean();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace dq
