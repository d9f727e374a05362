#include "core/training/train_config.h"

#include <cmath>

#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace dq {

namespace {
using nlohmann::json;

template <typename T>
void read(const json& obj, const char* key, T& value, const std::string& source) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_number()) throw Error("Training config '" + source + "': key 'train." + key + "' must be a number.");
    value = it->get<T>();
}

void read(const json& obj, const char* key, std::string& value, const std::string& source) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_string()) throw Error("Training config '" + source + "': key 'train." + key + "' must be a string.");
    value = it->get<std::string>();
}
}  // namespace

TrainConfig TrainConfig::fromJson(const std::string& text, const std::string& source) {
    json root = json::parse(text, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        throw Error("Training config '" + source + "' is not a valid JSON object.");
    for (auto it = root.begin(); it != root.end(); ++it)
        if (it.key() != "model" && it.key() != "scheduler" && it.key() != "train" && it.key()[0] != '_')
            throw Error("Training config '" + source + "': unknown key '" + it.key() +
                        "'; expected model, scheduler and train.");
    if (!root.contains("model") || !root["model"].is_object())
        throw Error("Training config '" + source + "' needs a 'model' object with UNet2DModel config keys.");
    TrainConfig c;
    c.model = UNetConfig::fromJson(root["model"].dump(), source + " (model)");
    if (root.contains("scheduler")) c.scheduler = SchedulerConfig::fromJson(root["scheduler"].dump(), source + " (scheduler)");
    if (root.contains("train")) {
        const json& t = root["train"];
        static const std::set<std::string> known = {"steps", "batch_size", "learning_rate", "weight_decay",
                                                    "warmup_steps", "grad_clip", "ema_decay", "label_dropout",
                                                    "seed", "checkpoint_every", "log_every", "lr_schedule",
                                                    "min_lr_ratio", "loss_weighting", "min_snr_gamma",
                                                    "ema_horizon"};
        for (auto it = t.begin(); it != t.end(); ++it)
            if (!known.count(it.key()))
                throw Error("Training config '" + source + "': unknown key 'train." + it.key() + "'.");
        TrainSettings& s = c.train;
        read(t, "steps", s.steps, source);
        read(t, "batch_size", s.batchSize, source);
        read(t, "learning_rate", s.learningRate, source);
        read(t, "weight_decay", s.weightDecay, source);
        read(t, "warmup_steps", s.warmupSteps, source);
        read(t, "grad_clip", s.gradClip, source);
        read(t, "ema_decay", s.emaDecay, source);
        read(t, "label_dropout", s.labelDropout, source);
        read(t, "seed", s.seed, source);
        read(t, "checkpoint_every", s.checkpointEvery, source);
        read(t, "log_every", s.logEvery, source);
        read(t, "lr_schedule", s.lrSchedule, source);
        read(t, "min_lr_ratio", s.minLrRatio, source);
        read(t, "loss_weighting", s.lossWeighting, source);
        read(t, "min_snr_gamma", s.minSnrGamma, source);
        read(t, "ema_horizon", s.emaHorizon, source);
        if (s.lrSchedule != "constant" && s.lrSchedule != "cosine")
            throw Error("Training config '" + source + "': train.lr_schedule '" + s.lrSchedule +
                        "' is not one of constant, cosine.");
        if (s.lossWeighting != "uniform" && s.lossWeighting != "min_snr")
            throw Error("Training config '" + source + "': train.loss_weighting '" + s.lossWeighting +
                        "' is not one of uniform, min_snr.");
        if (!(s.minLrRatio >= 0 && s.minLrRatio <= 1) || !(s.minSnrGamma > 0 && s.minSnrGamma < 1e6) ||
            !(s.emaHorizon >= 0 && s.emaHorizon <= 1))
            throw Error("Training config '" + source + "': min_lr_ratio and ema_horizon must lie in [0, 1], "
                        "min_snr_gamma above 0.");
        if (s.steps < 1 || s.batchSize < 1 || s.learningRate <= 0 || s.emaDecay < 0 || s.emaDecay >= 1 ||
            s.labelDropout < 0 || s.labelDropout >= 1 || s.checkpointEvery < 1 || s.logEvery < 1)
            throw Error("Training config '" + source + "': train settings out of range (steps, batch_size, "
                        "checkpoint_every, log_every ≥ 1; learning_rate > 0; ema_decay and label_dropout in [0, 1)).");
    }
    return c;
}

double TrainSettings::learningRateAt(int64_t step) const {
    const double warm = std::min(1.0, double(step + 1) / std::max(1, warmupSteps));
    if (lrSchedule != "cosine" || step < warmupSteps) return learningRate * warm;
    const double span = std::max<int64_t>(1, steps - 1 - warmupSteps);
    const double progress = std::min(1.0, double(step - warmupSteps) / span);
    const double floor = minLrRatio * learningRate;
    return floor + 0.5 * (learningRate - floor) * (1 + std::cos(3.14159265358979323846 * progress));
}

std::string TrainConfig::trainJson() const {
    const TrainSettings& s = train;
    nlohmann::ordered_json j = {{"steps", s.steps},           {"batch_size", s.batchSize},
                                {"learning_rate", s.learningRate}, {"weight_decay", s.weightDecay},
                                {"warmup_steps", s.warmupSteps}, {"grad_clip", s.gradClip},
                                {"ema_decay", s.emaDecay},     {"label_dropout", s.labelDropout},
                                {"seed", s.seed},              {"checkpoint_every", s.checkpointEvery},
                                {"log_every", s.logEvery},     {"lr_schedule", s.lrSchedule},
                                {"min_lr_ratio", s.minLrRatio}, {"loss_weighting", s.lossWeighting},
                                {"min_snr_gamma", s.minSnrGamma}, {"ema_horizon", s.emaHorizon}};
    return j.dump(2);
}

}  // namespace dq
