#include "app/gui/worker.h"

#include <chrono>
#include <filesystem>
#include <optional>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include "core/engine/prompt_evaluation.h"
#include "core/engine/quant_session.h"
#include "core/errors.h"
#include "core/explorer/comparison_run.h"
#include "core/imaging/comparison.h"
#include "core/imaging/image_grid.h"
#include "core/metrics/evaluation.h"
#include "core/model/denoiser.h"
#include "core/pipeline/prompt_list.h"
#include "core/stats/activation_stats.h"

namespace dq::gui {

// The engine session (model, calibration data, quantized model) plus what
// only the explorer keeps: the feature network and its reference statistics.
struct Worker::State {
    QuantSession session;
    std::optional<FeatureNet> featureNet;
    std::string featureNetPath;
    std::optional<ReferenceStats> reference;
    // The last pipeline comparison's latents, decoded step by step on request.
    struct RetainedTrajectory {
        quint64 comparisonId = 0;
        std::vector<TrajectoryStep> fp, quantized;
        ImageDecoder quantizedDecode;  // unset: the FP VAE
    } lastTrajectory;
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

// The window's prompt for every image, guided against its negative prompt
// (an empty prompt is CLIP's empty text: unconditional generation).
SampleRequest withPrompt(const SamplingSettings& s, const DiffusionPipeline& model, SampleRequest request) {
    if (!model.isTextToImage()) return request;
    return withPrompts(request, model.encodePrompts({s.prompt.toStdString()}, s.negativePrompt.toStdString()), 0,
                       request.batch);
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
                                  bool fromArtifact = false, const std::vector<UnitReport>& units = {}) {
    auto out = QSharedPointer<QuantizedModelData>::create();
    out->fromArtifact = fromArtifact;
    for (const UnitReport& r : units)
        out->units.push_back({QString::fromStdString(r.unit), QString::fromStdString(r.phase), r.before, r.after});
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
    try {
        for (const std::string& name : readClassNames(folder)) names << QString::fromStdString(name).trimmed();
    } catch (const Error& e) {
        spdlog::warn("Class names ignored: {}", e.what());  // the model works without them
    }
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
    if (state_->session.hasModel()) {
        Denoiser& unet = state_->session.model().denoiser();
        unet.setInterceptor(nullptr);
        unet.setUnitObserver(nullptr);
        unet.setStep(StepContext{});
    }
    // A failed recalibration that could not restore the previous quantized
    // model drops it (QuantSession); the window must hear of it.
    if (hasQuantized_ && !state_->session.quantized()) {
        hasQuantized_ = false;
        Q_EMIT quantizedModelDiscarded();
    }
    if (outcome == JobOutcome::Failed) spdlog::error("{}", message.toStdString());
    if (outcome == JobOutcome::Cancelled) spdlog::warn("{}", message.toStdString());
    current_ = 0;
    Q_EMIT jobFinished(id, outcome, message);
}

void Worker::loadModel(quint64 id, const QString& folder, const QString& device) {
    run(id, tr("Loading model"), [&] {
        const std::string path = folder.toStdString();
        State& s = *state_;
        s.lastTrajectory = {};  // its decoders refer to the model being replaced
        s.session.openModel(path, device.isEmpty() ? "auto" : device.toStdString());
        hasQuantized_ = false;
        s.featureNet.reset();
        s.reference.reset();
        DiffusionPipeline& m = s.session.model();
        const Denoiser& model = m.denoiser();
        auto info = QSharedPointer<ModelInfo>::create();
        info->folder = folder;
        info->summary = model.summary();
        info->summary.folder = path;
        const int classes = realClassCount(model);
        info->classCount = classes;
        info->classNames = classNames(path, classes);
        info->textToImage = m.isTextToImage();
        info->supportsGuidance = (model.conditioningSpec().supportsGuidance() && classes > 0) || info->textToImage;
        if (const std::string list = defaultPromptListFile(path); info->textToImage && !list.empty())
            for (const std::string& prompt : readPromptList(list)) info->calibrationPrompts << QString::fromStdString(prompt);
        info->trainTimesteps = m.scheduler().numTrainTimesteps;
        info->device = QString::fromStdString(model.device().str());
        spdlog::info("{} quantization sites", info->summary.sites.size());
        Q_EMIT modelLoaded(info);
    });
}

// Stage names from the core, as the status bar shows them.
QString Worker::stageText(const std::string& stage) const {
    if (stage == "calibration-data") return tr("collecting calibration data");
    if (stage == "gptq-hessians") return tr("GPTQ: layer inputs");
    if (stage == "gptq-rounding") return tr("GPTQ: rounding");
    if (stage == "ranges") return tr("calibrating");
    if (stage == "adaround") return tr("AdaRound: unit");
    if (stage == "lsq") return tr("LSQ: unit");
    if (stage == "progressive") return tr("progressive calibration: step");
    if (stage == "observe") return tr("observing ranges");
    if (stage == "sensitivity") return tr("sensitivity: configuration");
    return QString::fromStdString(stage);
}

namespace {
// The calibration data settings of a request, for the loaded model's scheduler.
CalibrationDataSettings dataSettings(const CalibrationRequest& request, const DiffusionPipeline& model) {
    const SchedulerConfig& scheduler = model.scheduler();
    CalibrationDataSettings data;
    data.selection = parseTimestepSelection(request.timestepSelection.toStdString());
    data.steps = request.caliSteps;
    data.samples = request.caliSamples;
    data.normalMean = request.normalMean;
    data.normalStd = request.normalStd;
    SamplingSettings trajectory = request.trajectory;
    trajectory.classLabel = -1;  // calibration always mixes classes
    data.trajectory = toRequest(trajectory, scheduler);
    if (model.isTextToImage()) {
        for (const QString& prompt : request.prompts)
            if (!prompt.trimmed().isEmpty()) data.prompts.push_back(prompt.toStdString());
        if (data.prompts.empty())
            throw Error(QCoreApplication::translate("dq::gui::Worker", "Give calibration prompts (one per line) for this text-to-image pipeline.").toStdString());
        data.negativePrompt = request.trajectory.negativePrompt.toStdString();
    }
    return data;
}
}  // namespace

ProgressCallbacks Worker::jobCallbacks(quint64 id, QString& stage, QString& detail) {
    ProgressCallbacks cb;
    cb.cancelled = [this] { return cancelled(); };
    cb.stage = [this, &stage, &detail](const std::string& name) {
        stage = stageText(name);
        detail.clear();
    };
    cb.detail = [&detail](const std::string& text) { detail = QString::fromStdString(text); };
    cb.progress = [this, id, &stage, &detail](int done, int total) {
        Q_EMIT progress(id, done, total, detail.isEmpty() ? stage : stage + QStringLiteral(" · ") + detail);
    };
    return cb;
}

void Worker::calibrate(quint64 id, const CalibrationRequest& request) {
    run(id, tr("Calibrating %1").arg(QString::fromStdString(request.plan.preset)), [&] {
        State& s = *state_;
        if (!s.session.hasModel()) throw Error(tr("Open a model before calibrating.").toStdString());
        DiffusionPipeline& m = s.session.model();
        CalibrationRecipe recipe;
        recipe.plan = request.plan;
        recipe.data = dataSettings(request, m);
        recipe.options.rounding = parseWeightRounding(request.rounding.toStdString());
        recipe.options.reconstruction.weightIterations = request.reconIterations;
        recipe.options.reconstruction.activationIterations = request.activationIterations;
        recipe.options.progressive = request.progressive;
        if (m.isTextToImage()) {
            recipe.components.textEncoderBits = request.textEncoderBits;
            recipe.components.vaeBits = request.vaeBits;
        }

        QString stage = tr("calibrating");
        QString detail;  // e.g. the current unit's loss
        const CalibrationSummary summary = s.session.calibrate(recipe, jobCallbacks(id, stage, detail));
        hasQuantized_ = true;
        Q_EMIT quantizedModelReady(toQuantizedData(*s.session.quantized(), s.session.calibrationRecord(),
                                                   summary.seconds, false, summary.units));
    });
}

void Worker::measureSensitivity(quint64 id, const SensitivityRequest& request) {
    run(id, tr("Measuring sensitivity"), [&] {
        State& s = *state_;
        if (!s.session.hasModel()) throw Error(tr("Open a model before measuring sensitivity.").toStdString());
        DiffusionPipeline& m = s.session.model();
        SensitivityRecipe recipe;
        recipe.plan = request.calibration.plan;
        recipe.data = dataSettings(request.calibration, m);
        recipe.options.weightWidths.assign(request.weightWidths.begin(), request.weightWidths.end());
        recipe.options.activationWidths.assign(request.activationWidths.begin(), request.activationWidths.end());
        recipe.options.rowsPerStep = request.rowsPerStep;
        QString stage = tr("sensitivity");
        QString detail;
        auto report = QSharedPointer<SensitivityReport>::create(s.session.measureSensitivity(recipe, jobCallbacks(id, stage, detail)));
        Q_EMIT sensitivityReady(report);
    });
}

void Worker::allocationFrontier(quint64 id, const SensitivityPtr& report, const QVector<double>& budgets) {
    run(id, tr("Allocating"), [&] {
        if (!report) throw Error(tr("Measure the sensitivity first.").toStdString());
        const AllocationOptions options = explorerAllocationOptions();
        QString stage = tr("allocation budgets");
        QString detail;
        auto frontier = QSharedPointer<AllocationFrontier>::create(
            dq::allocationFrontier(*report, std::vector<double>(budgets.begin(), budgets.end()), options,
                                   jobCallbacks(id, stage, detail)));
        Q_EMIT frontierReady(report, frontier);
    });
}

void Worker::generate(quint64 id, const SamplingSettings& settings, double amplify) {
    run(id, tr("Generating"), [&] {
        State& s = *state_;
        if (!s.session.hasModel()) throw Error(tr("Open a model before generating.").toStdString());
        DiffusionPipeline& m = s.session.model();
        const auto start = std::chrono::steady_clock::now();
        const SampleRequest request = withPrompt(settings, m, toRequest(settings, m.scheduler()));
        // A quantized text encoder or VAE serves the quantized run (its images, previews and frames).
        const QuantizedRunInputs quantizedInputs =
            m.isTextToImage() && s.session.quantized()
                ? quantizedRunInputs(m, &s.session.quantized()->components(), {settings.prompt.toStdString()},
                                     settings.negativePrompt.toStdString(), 0, settings.count)
                : QuantizedRunInputs{};
        const ImageDecoder fpDecode = [&](const torch::Tensor& x) { return m.toImages(x); };
        const ImageDecoder& quantizedDecode = quantizedInputs.decode ? quantizedInputs.decode : fpDecode;
        ComparisonCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const QString fpStage = tr("FP model"), quantStage = tr("quantized model");
        bool quantizedRun = false;
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, quantizedRun ? quantStage : fpStage); };
        QElapsedTimer sincePreview;
        sincePreview.start();
        qint64 decodeMs = 0;  // what the last preview cost (a VAE decode for pipelines)
        cb.onStep = [&](bool isQuantized, const StepEvent& e) {
            quantizedRun = isQuantized;
            // Previews are throttled so the window is not flooded with images,
            // and so that decoding them (an SD-size VAE takes seconds) costs at
            // most about a fifth of the sampling time.
            if (sincePreview.elapsed() < std::max<qint64>(120, 4 * decodeMs) && e.index + 1 < e.count) return;
            QElapsedTimer decode;
            decode.start();
            // Pipelines show the predicted x0 through the VAE, as an image.
            Q_EMIT preview(id, gridImage((isQuantized ? quantizedDecode : fpDecode)(*e.predictedX0)), e.index, e.count);
            decodeMs = decode.elapsed();
            sincePreview.restart();
        };
        const ComparisonRun run = runComparison(m.denoiser(), m.scheduler(), s.session.quantized(), request, true, cb,
                                                fpDecode, quantizedInputs);
        auto out = QSharedPointer<ComparisonData>::create();
        out->settings = settings;
        out->amplify = amplify;
        const torch::Tensor fp = toUnitRange(run.fp.images);
        out->fp = toQImage(makeGrid(fp));
        if (run.quantized) {
            const torch::Tensor q = toUnitRange(run.quantized->images);
            out->hasQuantized = true;
            out->quantized = toQImage(makeGrid(q));
            out->difference = toQImage(makeGrid(amplifiedDifference(fp, q, amplify)));
            out->psnr = run.paired.psnr;
            out->ssim = run.paired.ssim;
            out->mse = run.paired.mse;
        }
        out->id = id;
        // Pipelines decode frames when they are shown (decodeTrajectoryFrame):
        // four VAE decodes per step would cost minutes at SD size.
        out->framesOnDemand = m.isTextToImage();
        s.lastTrajectory = {};
        if (out->framesOnDemand) {
            s.lastTrajectory.comparisonId = id;
            s.lastTrajectory.fp = run.fp.trajectory;
            if (run.quantized) s.lastTrajectory.quantized = run.quantized->trajectory;
            s.lastTrajectory.quantizedDecode = quantizedInputs.decode;
        }
        for (std::size_t k = 0; k < run.fp.trajectory.size(); ++k) {
            TrajectoryImages frame;
            frame.timestep = run.fp.trajectory[k].timestep;
            if (!out->framesOnDemand) {
                frame.fpSample = gridImage(run.fp.trajectory[k].sample);
                frame.fpX0 = gridImage(run.fp.trajectory[k].predictedX0);
                if (run.quantized && k < run.quantized->trajectory.size()) {
                    frame.quantizedSample = gridImage(run.quantized->trajectory[k].sample);
                    frame.quantizedX0 = gridImage(run.quantized->trajectory[k].predictedX0);
                }
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

void Worker::decodeTrajectoryFrame(quint64 id, quint64 comparisonId, int step) {
    run(id, tr("Decoding step %1").arg(step + 1), [&] {
        State& s = *state_;
        const State::RetainedTrajectory& t = s.lastTrajectory;
        // Opening a model (even one that failed to load) drops the latents.
        if (t.comparisonId == 0 || !s.session.hasModel())
            throw Error(tr("This comparison's trajectory is no longer held (a model was opened since); generate "
                           "the comparison again.").toStdString());
        if (t.comparisonId != comparisonId) return;  // a request from before a newer comparison: dropped
        if (step < 0 || step >= static_cast<int>(t.fp.size()))
            throw Error(tr("Step %1 is outside this comparison's %2 steps.").arg(step + 1).arg(t.fp.size()).toStdString());
        const DiffusionPipeline& m = s.session.model();
        const ImageDecoder fpDecode = [&](const torch::Tensor& x) { return m.toImages(x); };
        const ImageDecoder& quantizedDecode = t.quantizedDecode ? t.quantizedDecode : fpDecode;
        const auto k = static_cast<std::size_t>(step);
        TrajectoryImages frame;
        frame.timestep = t.fp[k].timestep;
        frame.fpSample = gridImage(fpDecode(t.fp[k].sample));
        frame.fpX0 = gridImage(fpDecode(t.fp[k].predictedX0));
        if (k < t.quantized.size()) {
            frame.quantizedSample = gridImage(quantizedDecode(t.quantized[k].sample));
            frame.quantizedX0 = gridImage(quantizedDecode(t.quantized[k].predictedX0));
        }
        Q_EMIT trajectoryFrameReady(comparisonId, step, frame);
    });
}

void Worker::collectStatistics(quint64 id, const StatisticsRequest& request) {
    run(id, request.quantized ? tr("Quantized statistics") : tr("FP statistics"), [&] {
        State& s = *state_;
        if (!s.session.hasModel()) throw Error(tr("Open a model before collecting statistics.").toStdString());
        if (request.quantized && !s.session.quantized())
            throw Error(tr("Calibrate a quantized model before collecting its statistics.").toStdString());
        DiffusionPipeline& m = s.session.model();
        StatsSettings settings;
        settings.bins = request.bins;
        settings.sampling = withPrompt(request.sampling, m, toRequest(request.sampling, m.scheduler()));
        ProgressCallbacks cb;
        cb.cancelled = [this] { return cancelled(); };
        const QString stage = tr("sampling with statistics");
        cb.progress = [&](int done, int total) { Q_EMIT progress(id, done, total, stage); };
        const auto start = std::chrono::steady_clock::now();
        const ModelStatistics stats =
            dq::collectStatistics(m.denoiser(), m.scheduler(), settings, request.quantized ? s.session.quantized() : nullptr, cb);
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
        if (!s.session.hasModel()) throw Error(tr("Open a model before evaluating.").toStdString());
        DiffusionPipeline& m = s.session.model();
        const std::string path = s.session.featureNetPath();
        if (!s.featureNet || s.featureNetPath != path) {
            s.featureNet.emplace(loadFeatureNet(path, m.denoiser().device()));
            s.featureNetPath = path;
            s.reference.reset();
        }
        if (!s.reference) s.reference = loadOrComputeTestStats(*s.featureNet, path, referenceStatsFolder(m.folder(), path));
        EvalSettings settings;
        settings.numSamples = samples;
        settings.batchSize = std::min(samples, 250);
        SamplingSettings mixed = sampling;
        mixed.classLabel = -1;
        settings.sampling = toRequest(mixed, m.scheduler());
        settings.quantized = s.session.quantized();
        // A pipeline is scored on QDiffBench's prompt sets, each on its own.
        std::vector<PromptSet> sets{PromptSet{}};
        if (m.isTextToImage()) sets = qdiffbenchPromptSets(m, s.session.calibrationRecord());
        EvaluationData out;
        out.quantized = settings.quantized != nullptr;
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t k = 0; k < sets.size(); ++k) {
            EvalSettings set = settings;
            if (m.isTextToImage())
                conditionOnPrompts(set, m, sets[k].prompts, sampling.negativePrompt.toStdString(), 0,
                                   s.session.quantized() ? &s.session.quantized()->components() : nullptr);
            ProgressCallbacks cb;
            cb.cancelled = [this] { return cancelled(); };
            const QString stage = sets[k].name.empty()       ? tr("sampling")
                                  : sets[k].name == "held-out" ? tr("sampling (held-out prompts)")
                                                               : tr("sampling (calibration prompts)");
            const int setCount = static_cast<int>(sets.size());
            cb.progress = [&, k, setCount](int done, int total) {
                Q_EMIT progress(id, static_cast<int>(k) * total + done, setCount * total, stage);
            };
            const EvalResult r = evaluateModel(m.denoiser(), m.scheduler(), *s.featureNet, *s.reference, set, cb);
            EvaluationMetrics row;
            row.promptSet = QString::fromStdString(sets[k].name);
            row.prompts = static_cast<int>(sets[k].prompts.size());
            row.samples = r.numSamples;
            row.fid = r.fid;
            row.sfid = r.sfid;
            row.isMean = r.isMean;
            row.isStd = r.isStd;
            row.classAccuracy = r.classAccuracy;
            if (r.fp) {
                row.fidToFp = r.fp->fidToFp;
                row.psnr = r.fp->psnr;
                row.ssim = r.fp->ssim;
                row.fpFid = r.fp->fpFid;
            }
            spdlog::info("Evaluation{} on {} samples: FID {:.2f}, sFID {:.2f}, IS {:.2f}, class accuracy {:.1f} %{}",
                         sets[k].name.empty() ? std::string() : " on the " + sets[k].name + " prompts", r.numSamples,
                         r.fid, r.sfid, r.isMean, 100 * r.classAccuracy,
                         r.fp ? fmt::format(", FID to FP {:.2f}, PSNR {:.2f} dB", r.fp->fidToFp, r.fp->psnr)
                              : std::string());
            out.sets.push_back(row);
        }
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Q_EMIT evaluationReady(out);
    });
}

void Worker::saveQuantizedModel(quint64 id, const QString& folder) {
    run(id, tr("Saving quantized model"), [&] {
        State& s = *state_;
        if (!s.session.quantized())
            throw Error(tr("There is no calibrated model to save; press Calibrate first.").toStdString());
        const ArtifactSizes sizes = s.session.saveQuantized(folder.toStdString());
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
        if (!s.session.hasModel()) throw Error(tr("Open the FP model before its quantized model.").toStdString());
        s.session.openQuantized(folder.toStdString());
        hasQuantized_ = true;
        Q_EMIT quantizedModelReady(toQuantizedData(*s.session.quantized(), s.session.calibrationRecord(), 0, true));
    });
}

void Worker::discardQuantizedModel(quint64 id) {
    run(id, tr("Back to FP"), [&] {
        state_->session.discardQuantized();
        hasQuantized_ = false;
        Q_EMIT quantizedModelDiscarded();
    });
}

}  // namespace dq::gui
