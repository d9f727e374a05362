#include "app/cli/progress_bar.h"

#include <cstdio>

#include <spdlog/spdlog.h>
#include <unistd.h>

namespace dq::cli {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_ - std::chrono::seconds(1)),
      // Only on a terminal and when info messages are shown.
      enabled_(isatty(STDERR_FILENO) && spdlog::get_level() <= spdlog::level::info) {}

void ProgressBar::setLabel(std::string label) {
    label_ = std::move(label);
    start_ = std::chrono::steady_clock::now();
    lastDraw_ = start_ - std::chrono::seconds(1);
}

void ProgressBar::update(int step, int total, const std::string& suffix) {
    if (!enabled_ || total <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (step < total && now - lastDraw_ < std::chrono::milliseconds(100)) return;
    lastDraw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const int width = 30, filled = static_cast<int>(int64_t(width) * step / total);
    const double eta = step > 0 ? elapsed / step * (total - step) : 0.0;
    std::fprintf(stderr, "\r%s [%.*s%*s] %d/%d  %.0f s  ETA %.0f s %s\033[K", label_.c_str(), filled,
                 "##############################", width - filled, "", step, total, elapsed, eta, suffix.c_str());
    if (step >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
}

TrainCallbacks ProgressBar::trainingCallbacks() {
    TrainCallbacks cb;
    cb.progress = [this](const TrainProgress& p) {
        char suffix[96];
        std::snprintf(suffix, sizeof suffix, "loss %.5f  %.0f img/s  lr %.2e", p.loss, p.imagesPerSecond, p.learningRate);
        update(static_cast<int>(p.step), static_cast<int>(p.total), suffix);
    };
    return cb;
}

ProgressCallbacks ProgressBar::callbacks() {
    ProgressCallbacks c;
    c.stage = [this](const std::string& stage) {
        setLabel(stage);
        detail_.clear();
    };
    c.detail = [this](const std::string& text) { detail_ = text; };
    c.progress = [this](int step, int total) { update(step, total, detail_); };
    return c;
}

}  // namespace dq::cli
