#include "core/training/train_config.h"

#include <cmath>

#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"

namespace dq {

TrainSettings trainSettingsFromJson(const nlohmann::json& object, const std::string& what, const char* dropoutKey) {
    const JsonFields<nlohmann::json> t(object, what, "train.");
    TrainSettings s;
    const std::set<std::string> known{"steps", "batch_size", "learning_rate", "weight_decay", "warmup_steps",
                                      "grad_clip", "ema_decay", dropoutKey, "seed", "checkpoint_every", "log_every",
                                      "lr_schedule", "min_lr_ratio", "loss_weighting", "min_snr_gamma", "ema_horizon"};
    std::string hint = "known:";
    for (const std::string& key : known) hint += (hint.size() > 6 ? ", " : " ") + key;
    t.allowOnly(known, /*metadataKeys=*/false, hint);
    constexpr int64_t kMaxSteps = 1000000000;
    s.steps = t.integer("steps", s.steps, 1, kMaxSteps);
    s.batchSize = t.integer32("batch_size", s.batchSize, 1, 65536);
    s.learningRate = t.number("learning_rate", s.learningRate, NumberRange{0, 10, true, false, true});
    s.weightDecay = t.number("weight_decay", s.weightDecay, NumberRange::closed(0, 10));
    s.warmupSteps = t.integer32("warmup_steps", s.warmupSteps, 0, 1000000000);
    s.gradClip = t.number("grad_clip", s.gradClip, NumberRange::closed(0, 1e9));
    s.emaDecay = t.number("ema_decay", s.emaDecay, NumberRange{0, 1, false, true, false});
    s.labelDropout = t.number(dropoutKey, s.labelDropout, NumberRange{0, 1, false, true, false});
    s.seed = static_cast<uint64_t>(t.integer("seed", static_cast<int64_t>(s.seed), 0,
                                             std::numeric_limits<int64_t>::max()));
    s.checkpointEvery = t.integer32("checkpoint_every", s.checkpointEvery, 1, 1000000000);
    s.logEvery = t.integer32("log_every", s.logEvery, 1, 1000000000);
    s.lrSchedule = t.text("lr_schedule", s.lrSchedule, {"constant", "cosine"});
    s.minLrRatio = t.number("min_lr_ratio", s.minLrRatio, NumberRange::closed(0, 1));
    s.lossWeighting = t.text("loss_weighting", s.lossWeighting, {"uniform", "min_snr"});
    s.minSnrGamma = t.number("min_snr_gamma", s.minSnrGamma, NumberRange{0, 1e6, true, true, true});
    s.emaHorizon = t.number("ema_horizon", s.emaHorizon, NumberRange::closed(0, 1));
    return s;
}

TrainConfig TrainConfig::fromJson(const std::string& text, const std::string& source) {
    const std::string what = "Training config '" + source + "'";
    const nlohmann::json root = parseBoundedJson(text, what);
    const JsonFields<nlohmann::json> f(root, what);
    f.allowOnly({"model", "scheduler", "train"}, /*metadataKeys=*/true, "expected model, scheduler and train");
    if (!f.find("model") || !f.find("model")->is_object())
        f.reject("model", "must be an object with UNet2DModel config keys");
    TrainConfig c;
    c.model = UNetConfig::fromJson(root["model"].dump(), source + " (model)");
    if (f.find("scheduler")) c.scheduler = SchedulerConfig::fromJson(root["scheduler"].dump(), source + " (scheduler)");
    if (f.find("train")) c.train = trainSettingsFromJson(root["train"], what);
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

std::string trainSettingsJson(const TrainSettings& s, const char* dropoutKey) {
    nlohmann::ordered_json j = {{"steps", s.steps},           {"batch_size", s.batchSize},
                                {"learning_rate", s.learningRate}, {"weight_decay", s.weightDecay},
                                {"warmup_steps", s.warmupSteps}, {"grad_clip", s.gradClip},
                                {"ema_decay", s.emaDecay},     {dropoutKey, s.labelDropout},
                                {"seed", s.seed},              {"checkpoint_every", s.checkpointEvery},
                                {"log_every", s.logEvery},     {"lr_schedule", s.lrSchedule},
                                {"min_lr_ratio", s.minLrRatio}, {"loss_weighting", s.lossWeighting},
                                {"min_snr_gamma", s.minSnrGamma}, {"ema_horizon", s.emaHorizon}};
    return j.dump(2);
}

std::string TrainConfig::trainJson() const { return trainSettingsJson(train); }

}  // namespace dq
