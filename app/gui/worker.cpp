#include "app/gui/worker.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QElapsedTimer>

#include "core/errors.h"
#include "core/explorer/comparison_run.h"
#include "core/imaging/comparison.h"
#include "core/imaging/image_grid.h"
#include "core/io/file_stamp.h"
#include "core/metrics/evaluation.h"
#include "core/model/model_folder.h"
#include "core/quant/calibration_data.h"
#include "core/quant/calibrator.h"
#include "core/quant/quant_artifact.h"
#include "core/runtime/device.h"
#include "core/stats/activation_stats.h"

namespace dq::gui {

struct Worker::State {
    std::optional<LoadedModel> model;
    std::string folder;
    std::string weightsStamp;
    std::unique_ptr<QuantizedUNet> quantized;
    std::string calibrationJson;
    std::optional<CalibrationData> calibrationCache;
    std::optional<FeatureNet> featureNet;
    std::string featureNetPath;
    std::optional<ReferenceStats> reference;
};

namespace {

QImage toQImage(const Image8& image) {
    const QImage::Format format = image.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    QImage view(image.pixels.data(), image.width, image.height, image.width * image.channels, format);
    return view.copy();  // owns its pixels once `image` goes away
}

// A batch in model space [-1, 1] as one grid picture.
QImage gridImage(const torch::Tensor& samples, int columns = 0) {
    return toQImage(makeGrid(toUnitRange(samples.to(torch::kCPU)), columns));
}

SampleRequest toRequest(const SamplingSettings& s, const SchedulerConfig& scheduler) {
    SampleRequest r;
    r.sampler = parseSamplerKind(s.scheduler.toStdString());
    r.spacing = s.spacing.isEmpty() ? scheduler.spacing : parseSpacing(s.spacing.toStdString());
    r.steps = s.steps;
    r.eta = s.eta;
    r.guidanceScale = s.guidance;
    r.seed = s.seed;
    r.batch = s.count;
    if (s.classLabel >= 0) r.classLabels = torch::full({1}, static_cast<int64_t>(s.classLabel), torch::kInt64);
    return r;
}

QVector<double> toVector(const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    return QVector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

StatisticsPtr toStatisticsData(const ModelStatistics& stats, double seconds, int samples) {
    auto out = QSharedPointer<StatisticsData>::create();
    out->quantized = stats.quantized;
    out->samples = samples;
    out->seconds = seconds;
    for (int64_t t : stats.timesteps) out->timesteps.push_back(t);
    for (const SiteStatistics& s : stats.sites) {
        SiteStats site;
        site.name = QString::fromStdString(s.name);
        site.kind = QString::fromStdString(s.kind);
        site.split = s.split;
        for (const PartStatistics& p : s.parts) {
            PartStats part;
            part.label = QString::fromStdString(p.label);
            part.lo = p.histLo;
            part.binWidth = p.binWidth;
            part.bins = p.bins;
            if (p.counts.defined()) part.counts = toVector(p.counts);
            for (const MomentSummary& m : p.steps) part.steps.push_back({m.min, m.max, m.mean, m.std, m.bimodality});
            site.parts.push_back(std::move(part));
        }
        site.sqnrDb = QVector<double>(s.sqnrDb.begin(), s.sqnrDb.end());
        out->index.insert(site.name, out->sites.size());
        out->sites.push_back(std::move(site));
    }
    for (const WeightStatistics& w : stats.weights) {
        WeightStats ws;
        ws.name = QString::fromStdString(w.name);
        const torch::Tensor ranges = w.channelRanges.to(torch::kFloat64);
        ws.channelMin = toVector(ranges.select(1, 0));
        ws.channelMax = toVector(ranges.select(1, 1));
        ws.histogram = toVector(w.histogram);
        ws.lo = w.lo;
        ws.hi = w.hi;
        out->weightIndex.insert(ws.name, out->weights.size());
        out->weights.push_back(std::move(ws));
    }
    return out;
}

QuantizedModelPtr toQuantizedData(const QuantizedUNet& q, const std::string& calibrationJson, double seconds,
                                  bool fromArtifact = false) {
    auto out = QSharedPointer<QuantizedModelData>::create();
    out->fromArtifact = fromArtifact;
    out->plan = q.plan();
    out->calibration = QString::fromStdString(calibrationJson);
    out->seconds = seconds;
    for (const SiteQuantState& st : q.sites()) {
        SiteQuantData site;
        site.name = QString::fromStdString(st.site.name);
        site.plan = st.plan;
        site.split = st.split;
        for (const ActivationQuantizer& a : st.activationParts) {
            PartGrids part;
            for (const ActivationGrid& g : a.grids) {
                const IntegerRange r = integerRange(g.bits, a.symmetric);
                part.grids.push_back({g.timestep, g.bits, g.lo, g.hi, g.params.scale, g.params.zeroPoint, r.qmin, r.qmax});
            }
            site.activation.push_back(std::move(part));
        }
        out->index.insert(site.name, out->sites.size());
        out->sites.push_back(std::move(site));
    }
    return out;
}

// Class names shipped beside a model (class_names.txt, one per line); empty
// unless there is exactly one per class.
QStringList classNames(const std::string& folder, int classes) {
    QStringList names;
    std::ifstream in(folder + "/class_names.txt");
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) names << QString::fromStdString(line).trimmed();
    return names.size() == classes ? names : QStringList();
}

}  // namespace

Worker::Worker(QObject* parent) : QObject(parent), state_(std::make_unique<State>()) {}
Worker::~Worker() = default;

void Worker::requestCancel(quint64 upTo) {
    quint64 previous = cancelUpTo_.load();
    while (previous < upTo && !cancelUpTo_.compare_exchange_weak(previous, upTo)) {
    }
}

bool Worker::cancelled() const { return current_.load() <= cancelUpTo_.load(); }

template <typename Body>
void Worker::run(quint64 id, const QString& title, Body&& body) {
    if (id <= cancelUpTo_.load()) {
        Q_EMIT jobFinished(id, JobOutcome::Cancelled, tr("%1: cancelled before it started").arg(title));
        return;
    }
    current_ = id;
    Q_EMIT jobStarted(id, title);
    // The guards belong to this (the worker's) thread: LibTorch keeps them thread-local.
    c10::InferenceMode inference;
    torch::NoGradGuard noGrad;
    JobOutcome outcome = JobOutcome::Finished;
    QString message;
    try {
        body();
    } catch (const Cancelled&) {
        outcome = JobOutcome::Cancelled;
        message = tr("%1: cancelled").arg(title);
    } catch (const Error& e) {
        outcome = JobOutcome::Failed;
        message = QString::fromStdString(e.what());
    } catch (const c10::Error& e) {
        outcome = JobOutcome::Failed;
        message = tr("LibTorch failed during %1: %2").arg(title, QString::fromStdString(e.what_without_backtrace()));
    } catch (const std::exception& e) {
        outcome = JobOutcome::Failed;
        message = tr("%1 failed: %2").arg(title, QString::fromStdString(e.what()));
    } catch (...) {
        outcome = JobOutcome::Failed;
        message = tr("%1 failed with an unknown error.").arg(title);
    }
    // The model must stay usable whatever happened.
    if (state_->model) {
        state_->model->unet.setInterceptor(nullptr);
        state_->model->unet.setStep(StepContext{});
    }
    if (outcome == JobOutcome::Failed) spdlog::error("{}", message.toStdString());
    if (outcome == JobOutcome::Cancelled) spdlog::warn("{}", message.toStdString());
    current_ = 0;
    Q_EMIT jobFinished(id, outcome, message);
}

void Worker::loadModel(quint64 id, const QString& folder, const QString& device) {
    run(id, tr("Loading model"), [&] {
        const std::string path = folder.toStdString();
        LoadedModel loaded = loadModelFolder(path);
        loaded.unet.to(selectDevice(device.isEmpty() ? "auto" : device.toStdString()));
        const std::string stamp = fileStamp(path + "/diffusion_pytorch_model.safetensors");
        // Only now, with nothing left to fail, does the new model replace the old one.
        State& s = *state_;
        s.model.emplace(std::move(loaded));
        s.folder = path;
        s.weightsStamp = stamp;
        s.quantized.reset();
        hasQuantized_ = false;
        s.calibrationCache.reset();
        s.featureNet.reset();
        s.reference.reset();
        auto info = QSharedPointer<ModelInfo>::create();
        info->folder = folder;
        info->summary = s.model->unet.summary();
        info->summary.folder = path;
        const int classes = realClassCount(s.model->unet);
        info->classCount = classes;
        info->classNames = classNames(path, classes);
        info->supportsGuidance = s.model->unet.config().nullClassLabel.has_value() && classes > 0;
        info->trainTimesteps = s.model->scheduler.numTrainTimesteps;
        info->device = QString::fromStdString(s.model->unet.device().str());
        spdlog::info("Loaded '{}' ({:.2f} M parameters, {} quantization sites) on {}", path,
                     s.model->unet.parameterCount() / 1e6, info->summary.sites.size(), info->device.toStdString());
        Q_EMIT modelLoaded(info);
    });
}

void Worker::calibrate(quint64 id, const CalibrationRequest& request) {
    run(id, tr("Calibrating %1").arg(QString::fromStdString(request.plan.preset)), [&] {
        State& s = *state_;
        if (!s.model) throw Error(tr("Open a model before calibrating.").toStdString());
        LoadedModel& m = *s.model;
        ProgressCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const auto start = std::chrono::steady_clock::now();

        CalibrationDataSettings settings;
        settings.selection = parseTimestepSelection(request.timestepSelection.toStdString());
        settings.steps = request.caliSteps;
        settings.samples = request.caliSamples;
        settings.normalMean = request.normalMean;
        settings.normalStd = request.normalStd;
        SamplingSettings trajectory = request.trajectory;
        trajectory.classLabel = -1;  // calibration always mixes classes
        settings.trajectory = toRequest(trajectory, m.scheduler);
        if (!s.calibrationCache || s.calibrationCache->settings != settings.describe()) {
            const QString stage = tr("collecting calibration data");
            cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, stage); };
            s.calibrationCache.reset();
            CalibrationData data = collectCalibrationData(m.unet, m.scheduler, settings, cb);
            data.modelStamp = s.weightsStamp;
            s.calibrationCache.emplace(std::move(data));
        } else {
            spdlog::info("Reusing the calibration data in memory ({} (x_t, t) pairs)", s.calibrationCache->size());
        }
        const QString stage = tr("calibrating");
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, stage); };
        auto quantized = std::make_unique<QuantizedUNet>(dq::calibrate(m.unet, request.plan, *s.calibrationCache, {}, cb));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(settings.describe());
        j["pairs"] = s.calibrationCache->size();
        j["with_null_class"] = s.calibrationCache->withNullClass;
        j["seconds"] = seconds;
        s.calibrationJson = j.dump();
        s.quantized = std::move(quantized);
        hasQuantized_ = true;
        spdlog::info("Calibrated {} on {} (x_t, t) pairs in {:.1f} s", request.plan.preset, s.calibrationCache->size(),
                     seconds);
        Q_EMIT quantizedModelReady(toQuantizedData(*s.quantized, s.calibrationJson, seconds));
    });
}

void Worker::generate(quint64 id, const SamplingSettings& settings, double amplify) {
    run(id, tr("Generating"), [&] {
        State& s = *state_;
        if (!s.model) throw Error(tr("Open a model before generating.").toStdString());
        LoadedModel& m = *s.model;
        const auto start = std::chrono::steady_clock::now();
        ComparisonCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const QString fpStage = tr("FP model"), quantStage = tr("quantized model");
        bool quantizedRun = false;
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, quantizedRun ? quantStage : fpStage); };
        QElapsedTimer sincePreview;
        sincePreview.start();
        cb.onStep = [&](bool isQuantized, const StepEvent& e) {
            quantizedRun = isQuantized;
            // Previews are throttled so the window is not flooded with images.
            if (sincePreview.elapsed() < 120 && e.index + 1 < e.count) return;
            sincePreview.restart();
            Q_EMIT preview(id, gridImage(*e.predictedX0), e.index, e.count);
        };
        const ComparisonRun run = runComparison(m.unet, m.scheduler, s.quantized.get(), toRequest(settings, m.scheduler),
                                                true, cb);
        auto out = QSharedPointer<ComparisonData>::create();
        out->settings = settings;
        out->amplify = amplify;
        const torch::Tensor fp = toUnitRange(run.fp.result.samples.to(torch::kCPU));
        out->fp = toQImage(makeGrid(fp));
        if (run.quantized) {
            const torch::Tensor q = toUnitRange(run.quantized->result.samples.to(torch::kCPU));
            out->hasQuantized = true;
            out->quantized = toQImage(makeGrid(q));
            out->difference = toQImage(makeGrid(amplifiedDifference(fp, q, amplify)));
            out->psnr = run.paired.psnr;
            out->ssim = run.paired.ssim;
            out->mse = run.paired.mse;
        }
        for (std::size_t k = 0; k < run.fp.trajectory.size(); ++k) {
            TrajectoryImages frame;
            frame.timestep = run.fp.trajectory[k].timestep;
            frame.fpSample = gridImage(run.fp.trajectory[k].sample);
            frame.fpX0 = gridImage(run.fp.trajectory[k].predictedX0);
            if (run.quantized && k < run.quantized->trajectory.size()) {
                frame.quantizedSample = gridImage(run.quantized->trajectory[k].sample);
                frame.quantizedX0 = gridImage(run.quantized->trajectory[k].predictedX0);
            }
            out->trajectory.push_back(frame);
        }
        out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (out->hasQuantized)
            spdlog::info("Generated {} images from seed {}: FP vs quantized PSNR {:.2f} dB, SSIM {:.4f} ({:.1f} s)",
                         settings.count, settings.seed, out->psnr, out->ssim, out->seconds);
        else
            spdlog::info("Generated {} FP images from seed {} ({:.1f} s)", settings.count, settings.seed, out->seconds);
        Q_EMIT comparisonReady(out);
    });
}

void Worker::collectStatistics(quint64 id, const StatisticsRequest& request) {
    run(id, request.quantized ? tr("Quantized statistics") : tr("FP statistics"), [&] {
        State& s = *state_;
        if (!s.model) throw Error(tr("Open a model before collecting statistics.").toStdString());
        if (request.quantized && !s.quantized) throw Error(tr("Calibrate a quantized model before collecting its statistics.").toStdString());
        LoadedModel& m = *s.model;
        StatsSettings settings;
        settings.bins = request.bins;
        settings.sampling = toRequest(request.sampling, m.scheduler);
        ProgressCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const QString stage = tr("sampling with statistics");
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, stage); };
        const auto start = std::chrono::steady_clock::now();
        const ModelStatistics stats =
            dq::collectStatistics(m.unet, m.scheduler, settings, request.quantized ? s.quantized.get() : nullptr, cb);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spdlog::info("Collected {} statistics of {} sites over {} steps ({} images) in {:.1f} s",
                     request.quantized ? "quantized" : "FP", stats.sites.size(), stats.timesteps.size(),
                     request.sampling.count, seconds);
        Q_EMIT statisticsReady(toStatisticsData(stats, seconds, request.sampling.count));
    });
}

void Worker::evaluate(quint64 id, const SamplingSettings& sampling, int samples) {
    run(id, tr("Evaluating"), [&] {
        State& s = *state_;
        if (!s.model) throw Error(tr("Open a model before evaluating.").toStdString());
        LoadedModel& m = *s.model;
        const std::string featuresPath = s.folder + "/feature_net.safetensors";
        const std::string fallback = defaultModelFolder() + "/feature_net.safetensors";
        const std::string path = std::filesystem::exists(featuresPath) ? featuresPath : fallback;
        if (!std::filesystem::exists(path))
            throw Error(tr("No feature network beside '%1'; train one with `diffquant train-classifier --out %2`.")
                            .arg(QString::fromStdString(s.folder), QString::fromStdString(featuresPath))
                            .toStdString());
        if (!s.featureNet || s.featureNetPath != path) {
            s.featureNet.emplace(loadFeatureNet(path, m.unet.device()));
            s.featureNetPath = path;
            s.reference.reset();
        }
        if (!s.reference) s.reference = loadOrComputeTestStats(*s.featureNet, path, s.folder);
        EvalSettings settings;
        settings.numSamples = samples;
        settings.batchSize = std::min(samples, 250);
        SamplingSettings mixed = sampling;
        mixed.classLabel = -1;
        settings.sampling = toRequest(mixed, m.scheduler);
        settings.quantized = s.quantized.get();
        ProgressCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const QString stage = tr("sampling");
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, stage); };
        const EvalResult r = evaluateModel(m.unet, m.scheduler, *s.featureNet, *s.reference, settings, cb);
        EvaluationData out;
        out.samples = r.numSamples;
        out.quantized = r.fp.has_value();
        out.fid = r.fid;
        out.sfid = r.sfid;
        out.isMean = r.isMean;
        out.isStd = r.isStd;
        out.classAccuracy = r.classAccuracy;
        if (r.fp) {
            out.fidToFp = r.fp->fidToFp;
            out.psnr = r.fp->psnr;
            out.ssim = r.fp->ssim;
            out.fpFid = r.fp->fpFid;
        }
        out.seconds = r.totalSeconds;
        spdlog::info("Evaluation on {} samples: FID {:.2f}, sFID {:.2f}, IS {:.2f}, class accuracy {:.1f} %{}", r.numSamples,
                     r.fid, r.sfid, r.isMean, 100 * r.classAccuracy,
                     r.fp ? fmt::format(", FID to FP {:.2f}, PSNR {:.2f} dB", r.fp->fidToFp, r.fp->psnr) : std::string());
        Q_EMIT evaluationReady(out);
    });
}

void Worker::saveQuantizedModel(quint64 id, const QString& folder) {
    run(id, tr("Saving quantized model"), [&] {
        State& s = *state_;
        if (!s.quantized) throw Error(tr("There is no calibrated model to save; press Calibrate first.").toStdString());
        const ArtifactSizes sizes = dq::saveQuantizedModel(folder.toStdString(), *s.quantized, s.folder, s.calibrationJson);
        spdlog::info("Saved '{}': {:.1f} KiB ({:.1f}x smaller than the FP weights)", folder.toStdString(),
                     sizes.artifactBytes / 1024.0,
                     static_cast<double>(sizes.fpWeightsBytes) / std::max<uint64_t>(1, sizes.artifactBytes));
        Q_EMIT quantizedModelSaved(folder, static_cast<qint64>(sizes.artifactBytes),
                                   static_cast<qint64>(sizes.fpWeightsBytes));
    });
}

void Worker::loadQuantizedModel(quint64 id, const QString& folder) {
    run(id, tr("Opening quantized model"), [&] {
        State& s = *state_;
        if (!s.model) throw Error(tr("Open the FP model before its quantized model.").toStdString());
        auto quantized = std::make_unique<QuantizedUNet>(loadQuantizedState(folder.toStdString(), s.model->unet));
        quantized->to(s.model->unet.device());
        s.quantized = std::move(quantized);
        s.calibrationJson.clear();
        hasQuantized_ = true;
        spdlog::info("Opened quantized model '{}' ({})", folder.toStdString(), s.quantized->plan().preset);
        Q_EMIT quantizedModelReady(toQuantizedData(*s.quantized, s.calibrationJson, 0, true));
    });
}

void Worker::discardQuantizedModel(quint64 id) {
    run(id, tr("Back to FP"), [&] {
        state_->quantized.reset();
        hasQuantized_ = false;
        Q_EMIT quantizedModelDiscarded();
    });
}

}  // namespace dq::gui
