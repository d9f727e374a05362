// diffquant eval: FID, sFID, IS and class accuracy of a model's samples.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/cli/value_checks.h"
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/progress_bar.h"
#include "core/io/output_set.h"
#include "core/engine/quant_session.h"
#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/file_stamp.h"
#include "core/metrics/evaluation.h"
#include "core/metrics/fp_sample_cache.h"
#include "core/metrics/robustness.h"
#include "core/engine/prompt_evaluation.h"
#include "core/model/denoiser.h"
#include "core/pipeline/text_to_image.h"
#include "core/io/fashion_mnist.h"
#include "core/runtime/device.h"

namespace dq::cli {

namespace {
struct EvalOptions {
    QuantModelOptions model;
    std::string features;
    std::string dataDir;
    SamplerOptions sampler;
    int num = 1000;
    int batch = 250;
    std::string json;
    bool realData = false;
    bool robustness = false;
    int half = 5000;
    std::string shard;    // "K/N"
    std::string partial;  // where a shard writes its sums
    std::string fpCache;  // FP samples kept between runs
    PromptOptions prompts;  // text-to-image pipelines
};

// Parses --shard K/N.
std::pair<int, int> parseShard(const std::string& text) {
    const auto slash = text.find('/');
    int k = -1, n = 0;
    try {
        std::size_t usedK = 0, usedN = 0;
        if (slash != std::string::npos) {
            k = std::stoi(text.substr(0, slash), &usedK);
            n = std::stoi(text.substr(slash + 1), &usedN);
            if (usedK != slash || usedN != text.size() - slash - 1) k = -1;
        }
    } catch (const std::logic_error&) {
        k = -1;
    }
    if (k < 0 || n < 1 || k >= n || n > 100000)
        throw Error("--shard '" + text + "' is not K/N with 0 <= K < N (e.g. 0/4 ... 3/4).");
    return {k, n};
}

std::string featureNetPath(const EvalOptions& o, const std::string& modelFolder) {
    return findFeatureNet(modelFolder, o.features);
}

void printTable(const EvalResult& r, bool withTime = true) {
    std::printf("%-16s %12s\n", "metric", "value");
    std::printf("%-16s %12.3f\n", "FID", r.fid);
    std::printf("%-16s %12.3f\n", "sFID", r.sfid);
    std::printf("%-16s %8.3f ± %.3f\n", "IS", r.isMean, r.isStd);
    if (r.classAccuracy >= 0) std::printf("%-16s %11.2f%%\n", "class accuracy", 100 * r.classAccuracy);
    if (r.fp) {
        std::printf("%-16s %12.3f\n", "FID to FP", r.fp->fidToFp);
        std::printf("%-16s %12.3f\n", "sFID to FP", r.fp->sfidToFp);
        std::printf("%-16s %12.2f\n", "PSNR vs FP (dB)", r.fp->psnr);
        std::printf("%-16s %12.4f\n", "SSIM vs FP", r.fp->ssim);
        std::printf("%-16s %12.6f\n", "MSE vs FP", r.fp->mse);
        std::printf("%-16s %12.3f\n", "FP FID", r.fp->fpFid);
    }
    std::printf("%-16s %12d\n", "samples", r.numSamples);
    if (withTime) std::printf("%-16s %12.1f\n", "wall time (s)", r.totalSeconds);
}

nlohmann::ordered_json metricsJson(const EvalResult& r) {
    auto optional = [](double v) { return v >= 0 ? nlohmann::json(v) : nlohmann::json(); };
    nlohmann::ordered_json m = {{"fid", r.fid},         {"sfid", r.sfid}, {"is_mean", r.isMean},
                                {"is_std", r.isStd},    {"class_accuracy", optional(r.classAccuracy)}};
    if (r.fp) {
        m["fid_to_fp"] = r.fp->fidToFp;
        m["sfid_to_fp"] = r.fp->sfidToFp;
        m["psnr_vs_fp"] = r.fp->psnr;
        m["ssim_vs_fp"] = r.fp->ssim;
        m["mse_vs_fp"] = r.fp->mse;
        m["fp_fid"] = r.fp->fpFid;
        m["fp_class_accuracy"] = optional(r.fp->fpClassAccuracy);
    }
    return m;
}

// The real-data floor: the Fashion-MNIST training set scored against the
// test-set statistics, i.e. the best FID a perfect generator could reach.
void runRealData(const EvalOptions& o) {
    OutputSet outputs;  // --json is checked before the run and written after it
    const std::string jsonPath = o.json.empty() ? std::string() : outputs.stage(o.json);
    const std::string folder = o.model.model.resolvedFolder();
    const torch::Device device = selectDevice(o.model.model.device);
    const std::string featuresPath = featureNetPath(o, folder);
    FeatureNet net = loadFeatureNet(featuresPath, device);
    const ReferenceStats reference =
        loadOrComputeTestStats(net, featuresPath, referenceStatsFolder(folder, featuresPath), o.dataDir);
    const auto start = std::chrono::steady_clock::now();
    ImageDataset train = loadFashionMnist(DatasetSplit::Train, o.dataDir, true);
    EvalResult r = scoreImages(net, reference, train.images, train.labels);
    r.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("Real-data floor: Fashion-MNIST train (%d images) vs test statistics\n", r.numSamples);
    printTable(r);
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["feature_net"] = featuresPath;
        j["feature_net_hash"] = fileStamp(featuresPath);
        j["settings"] = {{"real_data", "fashion-mnist train"}, {"num_samples", r.numSamples}};
        j["metrics"] = metricsJson(r);
        j["wall_time_s"] = r.totalSeconds;
        writeTextFileAtomically(jsonPath, j.dump(2) + "\n");
        outputs.commit();
        spdlog::info("Wrote '{}'", o.json);
    }
}

// The yardstick's own check: perturbed test-set halves against each other.
void runRobustness(const EvalOptions& o) {
    OutputSet outputs;  // --json is checked before the run and written after it
    const std::string jsonPath = o.json.empty() ? std::string() : outputs.stage(o.json);
    const std::string folder = o.model.model.resolvedFolder();
    const torch::Device device = selectDevice(o.model.model.device);
    const std::string featuresPath = featureNetPath(o, folder);
    FeatureNet net = loadFeatureNet(featuresPath, device);
    const ImageDataset test = loadFashionMnist(DatasetSplit::Test, o.dataDir, true);
    const auto start = std::chrono::steady_clock::now();
    ProgressBar bar("robustness");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    const RobustnessReport report = measureRobustness(net, test, o.half, o.sampler.seed, callbacks);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("Robustness of '%s' (%s): second half of the test set against the first, %d vs %d images\n",
                featuresPath.c_str(), fileStamp(featuresPath).c_str(), report.halfSize, report.halfSize);
    std::printf("%-30s %10s %10s %10s %9s  %s\n", "second half", "FID", "delta", "sFID", "accuracy", "target");
    for (const RobustnessRow& row : report.rows)
        std::printf("%-30s %10.2f %10.2f %10.2f %8.2f%%  %s%s\n", row.name.c_str(), row.fid, row.deltaFid, row.sfid,
                    100 * row.classAccuracy, row.target.c_str(),
                    row.target.empty() ? "" : row.meetsTarget ? " (met)" : " (MISSED)");
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["feature_net"] = featuresPath;
        j["feature_net_hash"] = fileStamp(featuresPath);
        j["half_size"] = report.halfSize;
        j["all_targets_met"] = report.allTargetsMet();
        for (const RobustnessRow& row : report.rows)
            j["rows"].push_back({{"name", row.name}, {"kind", row.kind}, {"fid", row.fid}, {"delta_fid", row.deltaFid},
                                 {"sfid", row.sfid}, {"class_accuracy", row.classAccuracy},
                                 {"target", row.target}, {"meets_target", row.meetsTarget}});
        j["wall_time_s"] = seconds;
        writeTextFileAtomically(jsonPath, j.dump(2) + "\n");
        outputs.commit();
        spdlog::info("Wrote '{}'", o.json);
    }
}

// The FP model by content: weights, config and scheduler; for a pipeline,
// every weight, config and vocabulary file of its components.
std::string modelHash(const std::string& folder) {
    if (isPipelineFolder(folder)) {
        // The component folders only: a training run's checkpoint/ beside them is not the model.
        std::vector<std::string> files;
        for (const char* component : {"scheduler", "text_encoder", "tokenizer", "unet", "vae"}) {
            const std::filesystem::path dir = std::filesystem::path(folder) / component;
            if (!std::filesystem::is_directory(dir)) continue;
            for (const auto& entry : std::filesystem::directory_iterator(dir))
                if (entry.is_regular_file()) files.push_back(entry.path().string());
        }
        std::sort(files.begin(), files.end());
        std::string hash = fileStamp(folder + "/model_index.json");
        for (const std::string& file : files) hash += "/" + fileStamp(file);
        return hash;
    }
    std::string schedulerHash = "none";
    if (std::filesystem::exists(folder + "/scheduler_config.json"))
        schedulerHash = fileStamp(folder + "/scheduler_config.json");
    return fileStamp(folder + "/diffusion_pytorch_model.safetensors") + "/" + fileStamp(folder + "/config.json") + "/" +
           schedulerHash;
}

// The prompts of one set, by content (order matters: sample s gets prompt s mod P).
std::string promptsHash(const PromptSet& set, const std::string& negative, int clipSkip) {
    std::string text = negative + '\n' + std::to_string(clipSkip);
    for (const std::string& p : set.prompts) text += '\n' + p;
    return textStamp(text);
}

// What a shard's part must share with the other parts of its run: the model
// (weights, config, scheduler), the quantized artifact (weights and grids),
// the feature network, and every sampler setting.
std::map<std::string, std::string> runIdentity(const EvalOptions& o, const std::string& folder,
                                               const std::string& featuresPath, const EvalSettings& settings) {
    const SamplerOptions& s = o.sampler;
    std::map<std::string, std::string> id = {
        {"model_hash", modelHash(folder)},
        {"feature_net_hash", fileStamp(featuresPath)},
        {"scheduler", s.scheduler},
        {"spacing", spacingName(settings.sampling.spacing)},
        {"steps", std::to_string(s.steps)},
        {"eta", nlohmann::json(s.eta).dump()},  // dump() keeps every digit
        {"guidance", nlohmann::json(s.guidance).dump()},
        {"seed", std::to_string(s.seed)}};
    if (!o.model.quant.empty())
        id["quantized_hash"] = fileStamp(o.model.quant + "/quantized_weights.safetensors") + "/" +
                               fileStamp(o.model.quant + "/quantized_model.json");
    return id;
}

// What the FP samples depend on: the FP model and every sampler setting,
// the batch size (batch b starts from seed + b) and the device (CUDA and the
// CPU round differently); not the quantized artifact or the feature network.
std::map<std::string, std::string> fpSampleIdentity(const EvalOptions& o, const std::string& folder,
                                                    const std::string& featuresPath, const EvalSettings& settings,
                                                    const std::string& device) {
    std::map<std::string, std::string> id = runIdentity(o, folder, featuresPath, settings);
    id.erase("quantized_hash");
    id.erase("feature_net_hash");
    id["batch"] = std::to_string(settings.batchSize);
    id["device"] = device;
    return id;
}

void run(const EvalOptions& o) {
    if (o.realData + o.robustness + !o.shard.empty() > 1)
        throw Error("--real-data, --robustness and --shard are different jobs; pass one of them.");
    if ((o.realData || o.robustness) && !o.model.quant.empty())
        throw Error("--real-data and --robustness score real images, not a model; drop --quant.");
    if ((o.realData || o.robustness) && !o.fpCache.empty())
        throw Error("--fp-cache keeps a model's FP samples; --real-data and --robustness sample nothing, drop it.");
    if (o.realData) return runRealData(o);
    if (o.robustness) return runRobustness(o);
    if (o.shard.empty() != o.partial.empty())
        throw Error("--shard K/N and --partial FILE go together: each shard writes its sums to its own file.");
    if (!o.shard.empty() && !o.json.empty())
        throw Error("A shard has no metrics of its own: drop --json here and pass it to `diffquant eval-merge`.");
    std::pair<int, int> shard{0, 1};
    if (!o.shard.empty()) shard = parseShard(o.shard);
    // Checked before the long run; written only when it succeeded.
    OutputSet outputs;
    const std::string partialPath = o.partial.empty() ? std::string() : outputs.stage(o.partial);
    const std::string jsonPath = o.json.empty() ? std::string() : outputs.stage(o.json);
    ModelSession session = o.model.load();
    const std::string folder = session.folder;
    DiffusionPipeline& model = session.loaded;
    Denoiser& denoiser = model.denoiser();
    const SchedulerConfig& scheduler = model.scheduler();
    const std::string featuresPath = featureNetPath(o, folder);
    FeatureNet net = loadFeatureNet(featuresPath, denoiser.device());

    EvalSettings settings;
    settings.numSamples = o.num;
    settings.batchSize = o.batch;
    settings.sampling = o.sampler.toRequest(scheduler);
    settings.quantized = session.quantized.get();
    std::unique_ptr<FpSampleCache> fpCache;
    if (!o.fpCache.empty()) {
        fpCache = std::make_unique<FpSampleCache>(
            o.fpCache, fpSampleIdentity(o, folder, featuresPath, settings, denoiser.device().str()));
        settings.fpCache = fpCache.get();
    }
    // A pipeline is scored per prompt set: the given prompts, or QDiffBench's
    // calibration and held-out sets, each on its own --num samples.
    std::vector<PromptSet> sets{PromptSet{}};
    if (model.isTextToImage()) {
        sets = o.prompts.given() ? std::vector<PromptSet>{{"given", "--prompt/--prompts-file", o.prompts.resolve()}}
                                 : qdiffbenchPromptSets(model, session.calibrationRecord);
    } else if (o.prompts.given() || !o.prompts.negative.empty()) {
        throw Error("--prompt, --prompts-file and --negative-prompt are for text-to-image pipelines; '" + folder +
                    "' is sampled by class.");
    }
    if (!o.shard.empty() && sets.size() > 1)
        throw Error("A shard evaluates one prompt set; pass it with --prompts-file (e.g. the pipeline's "
                    "calibration_prompts.txt or heldout_prompts.txt) and run the shards once per set.");
    ProgressBar bar("eval");
    ProgressCallbacks callbacks;
    callbacks.progress = [&](int step, int total) { bar.update(step, total); };
    auto conditioned = [&](const PromptSet& set) {
        EvalSettings s = settings;
        if (model.isTextToImage()) {
            conditionOnPrompts(s, model, set.prompts, o.prompts.negative, o.prompts.clipSkip,
                               session.quantized ? &session.quantized->components() : nullptr);
            s.fpCacheSet = promptsHash(set, o.prompts.negative, o.prompts.clipSkip);
        }
        return s;
    };
    if (!o.shard.empty()) {
        // The reference statistics are eval-merge's business: a shard only sums.
        EvalSettings s = conditioned(sets.front());
        std::tie(s.shardIndex, s.shardCount) = shard;
        const auto start = std::chrono::steady_clock::now();
        EvalPartial part = accumulateEvaluation(denoiser, scheduler, net, s, callbacks);
        part.identity = runIdentity(o, folder, featuresPath, s);
        if (model.isTextToImage()) part.identity["prompts_hash"] = promptsHash(sets.front(), o.prompts.negative, o.prompts.clipSkip);
        part.save(partialPath);
        outputs.commit();
        if (fpCache) fpCache->save();
        spdlog::info("Shard {}: {} of {} samples ({} batches) in {:.1f} s; wrote '{}'. Combine the parts with "
                     "`diffquant eval-merge`.", o.shard, part.samples(), o.num, part.batches.size(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), o.partial);
        return;
    }
    const ReferenceStats reference =
        loadOrComputeTestStats(net, featuresPath, referenceStatsFolder(folder, featuresPath), o.dataDir);
    std::vector<EvalResult> results;
    double totalSeconds = 0, samplingSeconds = 0;
    for (const PromptSet& set : sets) {
        if (!set.name.empty())
            std::printf("Prompt set: %s (%zu prompts, from %s)\n", set.name.c_str(), set.prompts.size(),
                        set.source.c_str());
        results.push_back(evaluateModel(denoiser, scheduler, net, reference, conditioned(set), callbacks));
        printTable(results.back());
        totalSeconds += results.back().totalSeconds;
        samplingSeconds += results.back().samplingSeconds;
    }
    if (fpCache) {
        fpCache->save();
        spdlog::info("FP samples: {} batches from '{}', {} sampled and stored there", fpCache->hits(), o.fpCache,
                     fpCache->added());
    }

    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["model"] = folder;
        if (session.quantized) j["quantized_model"] = o.model.quant;
        j["feature_net"] = featuresPath;
        // FIDs from different feature networks are not comparable: this names the network by content.
        j["feature_net_hash"] = fileStamp(featuresPath);
        const SamplerOptions& s = o.sampler;
        j["settings"] = {{"num_samples", o.num}, {"scheduler", s.scheduler},
                         {"spacing", spacingName(settings.sampling.spacing)}, {"steps", s.steps}, {"eta", s.eta},
                         {"guidance", s.guidance}, {"seed", s.seed}, {"device", denoiser.device().str()}};
        if (model.isTextToImage()) {
            j["settings"]["negative_prompt"] = o.prompts.negative;
            j["settings"]["clip_skip"] = o.prompts.clipSkip;
            // QDiffBench: one entry per prompt set, in the order evaluated.
            nlohmann::ordered_json entries = nlohmann::ordered_json::array();
            for (std::size_t k = 0; k < sets.size(); ++k)
                entries.push_back({{"name", sets[k].name}, {"source", sets[k].source},
                                   {"prompts", sets[k].prompts.size()}, {"metrics", metricsJson(results[k])}});
            j["prompt_sets"] = entries;
        } else {
            j["metrics"] = metricsJson(results.front());
        }
        j["wall_time_s"] = totalSeconds;
        j["sampling_time_s"] = samplingSeconds;
        if (fpCache) j["fp_cache"] = {{"path", o.fpCache}, {"batches_reused", fpCache->hits()},
                                      {"batches_stored", fpCache->added()}};
        writeTextFileAtomically(jsonPath, j.dump(2) + "\n");
        outputs.commit();
        spdlog::info("Wrote '{}'", o.json);
    }
}
}  // namespace

void addEvalCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("eval", "Measure FID, sFID, IS and class accuracy of a model's samples");
    auto o = std::make_shared<EvalOptions>();
    o->model.add(*cmd);
    cmd->add_option("--features", o->features, "feature network (default: feature_net.safetensors beside the model)");
    cmd->add_option("--data-dir", o->dataDir, "Fashion-MNIST folder for the reference statistics");
    o->sampler.add(*cmd);
    cmd->add_option("--num", o->num, "number of samples")->check(rangeOf(10, 1000000));
    cmd->add_option("--batch", o->batch, "samples per batch")->check(positiveNumber());
    cmd->add_option("--json", o->json, "write every metric, the settings and the wall time as JSON");
    cmd->add_flag("--real-data", o->realData,
                  "score the Fashion-MNIST training set instead of samples (the real-data floor)");
    cmd->add_flag("--robustness", o->robustness,
                  "check the feature network instead: FID between test-set halves under imperceptible noise, "
                  "background offsets, blur and a class swap");
    cmd->add_option("--half", o->half, "images per half for --robustness")->check(rangeOf(100, 5000));
    cmd->add_option("--shard", o->shard,
                    "K/N: sample and score only batches K, K+N, K+2N, ... and write their sums to --partial "
                    "(combine with eval-merge)");
    cmd->add_option("--partial", o->partial, "safetensors file for this shard's sums (with --shard)");
    cmd->add_option("--fp-cache", o->fpCache,
                    "safetensors file that keeps the FP samples between runs: evaluating several quantized models "
                    "of one model on the same settings samples FP only once (created if missing, replaced when "
                    "the model or settings change)");
    o->prompts.add(*cmd, "to evaluate on (default: the pipeline's calibration and held-out prompt sets, "
                         "scored separately as QDiffBench does)");
    cmd->callback([&action, o] { action = [o] { run(*o); }; });
}

void addEvalMergeCommand(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("eval-merge",
                                   "Combine the parts of a sharded `eval --shard K/N` run into its metrics");
    auto parts = std::make_shared<std::vector<std::string>>();
    auto o = std::make_shared<EvalOptions>();
    cmd->add_option("parts", *parts, "the parts written by each shard's --partial")->required();
    cmd->add_option("--model", o->model.model.folder, "FP model folder (default: the shipped model)");
    cmd->add_option("--features", o->features, "feature network (default: feature_net.safetensors beside the model)");
    cmd->add_option("--data-dir", o->dataDir, "Fashion-MNIST folder for the reference statistics");
    cmd->add_option("--json", o->json, "write every metric and the run's settings as JSON");
    cmd->callback([&action, parts, o] {
        action = [parts, o] {
            EvalPartial merged;
            for (const std::string& path : *parts) merged.merge(EvalPartial::load(path), path);
            const std::string folder = o->model.model.resolvedFolder();
            const std::string featuresPath = featureNetPath(*o, folder);
            const std::string hash = fileStamp(featuresPath);
            if (merged.identity["feature_net_hash"] != hash)
                throw Error("The parts were scored with feature network " + merged.identity["feature_net_hash"] +
                            ", but '" + featuresPath + "' is " + hash +
                            "; FIDs of different networks cannot be combined. Pass that network with --features.");
            if (merged.identity["model_hash"] != modelHash(folder))
                throw Error("The parts were sampled from another model than '" + folder + "'; pass it with --model.");
            FeatureNet net = loadFeatureNet(featuresPath, torch::kCPU);
            const ReferenceStats reference =
                loadOrComputeTestStats(net, featuresPath, referenceStatsFolder(folder, featuresPath), o->dataDir);
            EvalResult r = merged.finish(reference);
            printTable(r, false);
            if (!o->json.empty()) {
                nlohmann::ordered_json j;
                j["model"] = folder;
                j["feature_net"] = featuresPath;
                j["feature_net_hash"] = hash;
                nlohmann::ordered_json settings = {{"num_samples", merged.totalSamples},
                                                   {"batch_size", merged.batchSize}};
                for (const auto& [key, value] : merged.identity) {
                    if (key.size() > 5 && key.compare(key.size() - 5, 5, "_hash") == 0) continue;
                    // Numbers were recorded as text; write them back as numbers, like eval does.
                    const nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
                    settings[key] = parsed.is_number() ? parsed : nlohmann::json(value);
                }
                settings["parts"] = parts->size();
                j["model_hash"] = merged.identity["model_hash"];
                if (merged.identity.count("quantized_hash")) j["quantized_hash"] = merged.identity["quantized_hash"];
                j["settings"] = settings;
                j["metrics"] = metricsJson(r);
                writeTextFileAtomically(o->json, j.dump(2) + "\n");
                spdlog::info("Wrote '{}'", o->json);
            }
        };
    });
}

}  // namespace dq::cli
