#include "core/training/text_to_image_trainer.h"

#include <chrono>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/model/autoencoder_kl.h"
#include "core/model/unet2d_condition.h"
#include "core/sampling/scheduler.h"
#include "core/text/clip_tokenizer.h"
#include "core/training/checkpoint.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"
#include "core/validation/message_text.h"

namespace dq {

namespace fs = std::filesystem;

std::vector<std::string> CaptionSettings::captions(const std::vector<std::string>& patterns) const {
    std::vector<std::string> out;
    for (const std::string& pattern : patterns)
        for (const std::string& name : classNames) {
            std::string caption = pattern;
            caption.replace(caption.find("{}"), 2, name);
            out.push_back(caption);
        }
    return out;
}

namespace {

// A list of short strings under `key` of the captions object.
std::vector<std::string> stringList(const nlohmann::json& captions, const std::string& key, const std::string& what,
                                    bool required, bool templates) {
    std::vector<std::string> out;
    auto it = captions.find(key);
    if (it == captions.end()) {
        if (required) throw Error(what + ": key 'captions." + key + "' is missing.");
        return out;
    }
    if (!it->is_array() || it->size() > 10000 || (required && it->empty()))
        throw Error(what + ": key 'captions." + key + "' must be a list of 1 to 10000 strings.");
    for (const nlohmann::json& v : *it) {
        if (!v.is_string() || v.get<std::string>().size() > 300)
            throw Error(what + ": key 'captions." + key + "' holds " + jsonValueText(v) +
                        "; each entry must be a string of at most 300 bytes.");
        const std::string s = v.get<std::string>();
        if (templates && s.find("{}") == std::string::npos)
            throw Error(what + ": template " + inQuotes(s) + " in 'captions." + key +
                        "' has no {} for the class name.");
        out.push_back(s);
    }
    return out;
}

// The scheduler is named as its config is written (SchedulerConfig writes a
// DDPMScheduler config; every sampler of the product reads it).
const char* kModelIndex = R"({
  "_class_name": "StableDiffusionPipeline",
  "_diffusers_version": "0.21.4",
  "feature_extractor": [null, null],
  "requires_safety_checker": false,
  "safety_checker": [null, null],
  "scheduler": ["diffusers", "DDPMScheduler"],
  "text_encoder": ["transformers", "CLIPTextModel"],
  "tokenizer": ["transformers", "CLIPTokenizer"],
  "unet": ["diffusers", "UNet2DConditionModel"],
  "vae": ["diffusers", "AutoencoderKL"]
}
)";

std::map<std::string, torch::Tensor> prefixed(const std::string& prefix, const std::map<std::string, torch::Tensor>& m) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [k, v] : m) out.emplace(prefix + k, v);
    return out;
}

std::map<std::string, torch::Tensor> withoutPrefix(const std::string& prefix,
                                                   const std::map<std::string, torch::Tensor>& m) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [k, v] : m)
        if (k.rfind(prefix, 0) == 0) out.emplace(k.substr(prefix.size()), v);
    return out;
}

void copyFiles(const std::string& from, const std::string& to, const std::vector<const char*>& names) {
    fs::create_directories(to);
    for (const char* name : names)
        if (fs::exists(from + "/" + name))
            fs::copy_file(from + "/" + name, to + "/" + name, fs::copy_options::overwrite_existing);
}

std::string lines(const std::vector<std::string>& items) {
    std::ostringstream out;
    for (const std::string& item : items) out << item << '\n';
    return out.str();
}

}  // namespace

TextToImageTrainConfig TextToImageTrainConfig::fromJson(const std::string& text, const std::string& source) {
    const std::string what = "Text-to-image training config '" + source + "'";
    const nlohmann::json root = parseBoundedJson(text, what);
    const JsonFields<nlohmann::json> f(root, what);
    f.allowOnly({"unet", "text_encoder", "scheduler", "captions", "train"}, /*metadataKeys=*/true,
                "expected unet, text_encoder, scheduler, captions and train");
    for (const char* key : {"unet", "text_encoder", "captions"})
        if (!f.find(key) || !f.find(key)->is_object()) f.reject(key, "must be an object");
    TextToImageTrainConfig c;
    c.unet = UNetConditionConfig::fromJson(root["unet"].dump(), source + " (unet)");
    c.textEncoder = ClipTextConfig::fromJson(root["text_encoder"].dump(), source + " (text_encoder)");
    if (f.find("scheduler")) c.scheduler = SchedulerConfig::fromJson(root["scheduler"].dump(), source + " (scheduler)");
    f.child("captions").allowOnly({"class_names", "templates", "held_out_templates"}, /*metadataKeys=*/true,
                                  "known: class_names, templates, held_out_templates");
    const nlohmann::json& captions = root["captions"];
    c.captions.classNames = stringList(captions, "class_names", what, true, false);
    c.captions.templates = stringList(captions, "templates", what, true, true);
    c.captions.heldOutTemplates = stringList(captions, "held_out_templates", what, false, true);
    if (f.find("train")) c.train = trainSettingsFromJson(root["train"], what, "caption_dropout");
    return c;
}

std::string TextToImageTrainConfig::trainJson() const { return trainSettingsJson(train, "caption_dropout"); }

TrainResult trainTextToImage(const TextToImageTrainConfig& config, const ImageDataset& data,
                             const std::string& vaeFolder, const std::string& tokenizerFolder,
                             const std::string& outDir, bool resume, const torch::Device& device,
                             const TrainCallbacks& callbacks) {
    const TrainSettings& s = config.train;
    const ClipTokenizer tokenizer = ClipTokenizer::load(tokenizerFolder);
    AutoencoderKL vae = AutoencoderKL::load(vaeFolder);
    const AutoencoderKLConfig& vc = vae.config();
    const UNetConditionConfig& uc = config.unet;
    const ClipTextConfig& tc = config.textEncoder;
    // The parts must fit together before an hour of training starts.
    if (static_cast<int64_t>(tokenizer.vocabularySize()) > tc.vocabSize)
        throw Error("The tokenizer in '" + tokenizerFolder + "' has " + std::to_string(tokenizer.vocabularySize()) +
                    " tokens but text_encoder.vocab_size is " + std::to_string(tc.vocabSize) + "; raise it.");
    if (tokenizer.maxLength() > tc.maxPositions)
        throw Error("The tokenizer pads to " + std::to_string(tokenizer.maxLength()) +
                    " tokens but text_encoder.max_position_embeddings is " + std::to_string(tc.maxPositions) + ".");
    if (tc.hiddenSize != uc.crossAttentionDim)
        throw Error("text_encoder.hidden_size (" + std::to_string(tc.hiddenSize) + ") must equal unet.cross_attention_dim (" +
                    std::to_string(uc.crossAttentionDim) + ").");
    if (vc.latentChannels != uc.inChannels || vc.latentChannels != uc.outChannels ||
        vc.sampleSize / vae.downsamplingFactor() != uc.sampleSize)
        throw Error("The VAE in '" + vaeFolder + "' makes " + std::to_string(vc.latentChannels) + "x" +
                    std::to_string(vc.sampleSize / vae.downsamplingFactor()) +
                    " latents; set unet.in_channels, out_channels and sample_size to match.");
    if (data.images.size(1) != vc.inChannels || data.images.size(2) != vc.sampleSize)
        throw Error("The training images do not have the VAE's size (" + std::to_string(vc.inChannels) + "x" +
                    std::to_string(vc.sampleSize) + "x" + std::to_string(vc.sampleSize) + ").");
    const int64_t classes = static_cast<int64_t>(config.captions.classNames.size());
    if (data.labels.max().item<int64_t>() >= classes)
        throw Error("The training labels go up to " + std::to_string(data.labels.max().item<int64_t>()) + " but " +
                    std::to_string(classes) + " class names were given (captions.class_names).");

    UNet2DConditionModel unet(uc);
    unet.initializeRandom(s.seed);
    ClipTextModel text(tc);
    text.initializeRandom(s.seed + 1);
    unet.to(device);
    text.to(device);
    vae.to(device);

    // The posterior of every training image, once: mean and standard deviation.
    torch::Tensor latentMean, latentStd;
    {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> means, stds;
        for (int64_t from = 0; from < data.images.size(0); from += 500) {
            const LatentDistribution d =
                vae.encode(data.images.narrow(0, from, std::min<int64_t>(500, data.images.size(0) - from)).to(device));
            means.push_back(d.mean.cpu());
            stds.push_back((0.5 * d.logvar).exp().cpu());
        }
        latentMean = torch::cat(means);
        latentStd = torch::cat(stds);
    }
    // Token ids of every training caption (template-major), and of the empty caption.
    const std::vector<std::string> captions = config.captions.captions(config.captions.templates);
    std::vector<torch::Tensor> rows;
    for (const std::string& caption : captions) rows.push_back(torch::tensor(tokenizer.tokenize(caption), torch::kInt64));
    const torch::Tensor captionIds = torch::stack(rows);
    const torch::Tensor emptyIds = torch::tensor(tokenizer.tokenize(""), torch::kInt64);
    const int64_t templates = static_cast<int64_t>(config.captions.templates.size());

    const TrainingCheckpoint cp(outDir + "/checkpoint");
    const nlohmann::json identity = {{"unet", nlohmann::json::parse(uc.toJson())},
                                     {"text_encoder", nlohmann::json::parse(tc.toJson())}};
    auto liveWeights = [&] { return prefixed("text_encoder.", text.stateDict()); };
    int64_t startStep = 0;
    std::map<std::string, torch::Tensor> ema;
    if (resume) {
        startStep = cp.step(identity);
        const auto weights = cp.weights();
        unet.loadStateDict(withoutPrefix("unet.", weights), cp.dir() + "/model.safetensors");
        text.loadStateDict(withoutPrefix("text_encoder.", weights), cp.dir() + "/model.safetensors");
        for (auto& [k, v] : cp.ema()) ema.emplace(k, v.to(device, torch::kFloat32).clone());
    }
    std::map<std::string, torch::Tensor> live = prefixed("unet.", unet.stateDict());
    for (auto& [k, v] : liveWeights()) live.emplace(k, v);
    if (!resume)
        for (const auto& [k, v] : live) ema.emplace(k, v.detach().clone());

    std::vector<torch::Tensor> params;
    for (const auto& [k, v] : live) params.push_back(v);
    for (auto& p : params) p.requires_grad_(true);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(s.learningRate).weight_decay(s.weightDecay));
    if (resume) cp.loadOptimizer(optimizer);

    const NoiseSchedule noiseSchedule(config.scheduler);
    const torch::Tensor alphasCumprod = noiseSchedule.alphasCumprod.to(device);
    const int64_t n = data.images.size(0);
    const int64_t T = config.scheduler.numTrainTimesteps;
    const double scaling = vc.scalingFactor;

    auto writePipeline = [&] {
        fs::create_directories(outDir);
        writeTextFileAtomically(outDir + "/model_index.json", kModelIndex);
        UNet2DConditionModel outUnet(uc);
        outUnet.loadStateDict(cpuCopies(withoutPrefix("unet.", ema)), "the trained U-Net");
        fs::create_directories(outDir + "/unet");
        outUnet.save(outDir + "/unet");
        ClipTextModel outText(tc);
        outText.loadStateDict(cpuCopies(withoutPrefix("text_encoder.", ema)), "the trained text encoder");
        fs::create_directories(outDir + "/text_encoder");
        outText.save(outDir + "/text_encoder");
        copyFiles(tokenizerFolder, outDir + "/tokenizer", {"vocab.json", "merges.txt", "tokenizer_config.json"});
        copyFiles(vaeFolder, outDir + "/vae", {"config.json", "diffusion_pytorch_model.safetensors"});
        fs::create_directories(outDir + "/scheduler");
        writeTextFileAtomically(outDir + "/scheduler/scheduler_config.json", config.scheduler.toJson());
        writeTextFileAtomically(outDir + "/calibration_prompts.txt", lines(captions));
        writeTextFileAtomically(outDir + "/heldout_prompts.txt",
                                lines(config.captions.captions(config.captions.heldOutTemplates)));
        writeTextFileAtomically(outDir + "/class_names.txt", lines(config.captions.classNames));
    };

    TrainResult result;

    result.startStep = result.steps = startStep;
    const auto start = std::chrono::steady_clock::now();
    TrainingLossLog lossLog(callbacks, s.steps, s.logEvery, s.batchSize);
    for (int64_t step = startStep; step < s.steps; ++step) {
        if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
        // Everything random about this step comes from (seed, step).
        auto gen = at::make_generator<at::CPUGeneratorImpl>(s.seed * 1000003ull + static_cast<uint64_t>(step));
        const torch::Tensor index = torch::randint(n, {s.batchSize}, gen, torch::kInt64);
        const torch::Tensor latentNoise = torch::randn({s.batchSize, latentMean.size(1), latentMean.size(2),
                                                        latentMean.size(3)}, gen, torch::kFloat32);
        const torch::Tensor z0 =
            ((latentMean.index_select(0, index) + latentStd.index_select(0, index) * latentNoise) * scaling).to(device);
        const torch::Tensor t = torch::randint(T, {s.batchSize}, gen, torch::kInt64).to(device);
        const torch::Tensor noise = torch::randn(z0.sizes(), gen, torch::kFloat32).to(device);
        const torch::Tensor pattern = torch::randint(templates, {s.batchSize}, gen, torch::kInt64);
        const torch::Tensor drop = torch::rand({s.batchSize}, gen) < s.labelDropout;
        const torch::Tensor row = pattern * classes + data.labels.index_select(0, index);
        const torch::Tensor ids =
            torch::where(drop.unsqueeze(1), emptyIds.unsqueeze(0), captionIds.index_select(0, row)).to(device);

        const double lr = s.learningRateAt(step);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        const torch::Tensor states = text.forward(ids);
        const torch::Tensor prediction =
            unet.forward(noiseSchedule.addNoise(z0, noise, t), t, Conditioning::encoderStates(states));
        const torch::Tensor loss = epsilonLoss(prediction, noise, t, alphasCumprod, s);
        optimizer.zero_grad();
        loss.backward();
        if (s.gradClip > 0) torch::nn::utils::clip_grad_norm_(params, s.gradClip);
        optimizer.step();
        updateEma(ema, live, s, step);
        const int64_t done = step + 1;
        lossLog.add(done, loss.item<double>(), lr);
        if (done % s.checkpointEvery == 0 || done == s.steps) {
            cp.save(live, &ema, optimizer, done, {{"train", nlohmann::json::parse(config.trainJson())}, {"model", identity}});
            writePipeline();
        }
        result.steps = done;
    }
    if (startStep >= s.steps) writePipeline();
    result.finalLoss = lossLog.lastMean();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace dq
