// Quantizing text-to-image pipelines: calibration data collected from prompts
// (conditional and unconditional), calibration, reconstruction through the
// transformer blocks, progressive calibration, artifacts over a pipeline
// folder, and the quantized comparison decoded by the VAE, in core and
// through the real `diffquant` executable. The pipeline is the golden
// Stable Diffusion folder (random weights, diffusers' layout).
#include <cmath>
#include <filesystem>
#include <fstream>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/engine/prompt_evaluation.h"
#include "core/engine/quant_session.h"
#include "core/explorer/comparison_run.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/clip_text_model.h"
#include "core/model/denoiser.h"
#include "core/model/model_folder.h"
#include "core/pipeline/diffusion_pipeline.h"
#include "core/pipeline/prompt_list.h"
#include "core/pipeline/text_to_image.h"
#include "core/quant/calibration_batches.h"
#include "core/quant/quant_artifact.h"
#include "core/text/bpe_trainer.h"
#include "core/text/clip_tokenizer.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

std::string pipelineFolder() { return test::dataDir() + "/golden/sd_pipeline"; }

const std::vector<std::string> kPrompts = {"a photo of a sneaker", "an ankle boot on black", "a bag"};

// Five guided DDIM trajectories of four steps, two kept steps each.
CalibrationDataSettings promptSettings(const DiffusionPipeline& pipeline) {
    CalibrationDataSettings s;
    s.steps = 2;
    s.samples = 5;
    s.batchSize = 2;
    s.trajectory.sampler = SamplerKind::DDIM;
    s.trajectory.steps = 4;
    s.trajectory.spacing = pipeline.scheduler().spacing;
    s.trajectory.guidanceScale = 7.5;
    s.trajectory.seed = 11;
    s.prompts = kPrompts;
    s.negativePrompt = "blurry";
    return s;
}

// Two images from two prompts, guided, from fixed latents.
SampleRequest comparisonRequest(const DiffusionPipeline& pipeline) {
    SampleRequest r;
    r.sampler = SamplerKind::DDIM;
    r.steps = 4;
    r.spacing = pipeline.scheduler().spacing;
    r.guidanceScale = 7.5;
    r.initialNoise = makeInitialNoise(pipeline.denoiser(), 2, 5);
    return withPrompts(r, pipeline.encodePrompts({kPrompts[0], kPrompts[2]}, "blurry"), 0, 2);
}

ComparisonRun compare(QuantSession& session) {
    DiffusionPipeline& p = session.model();
    return runComparison(p.denoiser(), p.scheduler(), session.quantized(), comparisonRequest(p), false, {},
                         [&](const torch::Tensor& s) { return p.toImages(s); });
}

CalibrationRecipe recipeFor(QuantSession& session, const std::string& preset) {
    CalibrationRecipe recipe;
    recipe.data = promptSettings(session.model());
    recipe.plan = session.makePlan(PlanRecipe{preset, {}, 0, 10, true}, recipe.data.trajectory.steps);
    recipe.options.batchSize = 8;
    return recipe;
}

}  // namespace

class TextQuantTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void promptListsAreRead() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/prompts.txt";
        std::ofstream(path) << "# captions\n  a sneaker \r\n\n\ta bag\nan ankle boot\n";
        const std::vector<std::string> prompts = readPromptList(path);
        QCOMPARE(prompts.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(prompts[0]), QStringLiteral("  a sneaker"));
        QCOMPARE(QString::fromStdString(prompts[1]), QStringLiteral("\ta bag"));
        std::ofstream(path) << "fine\n\xff\xfe broken\n";
        const QString bad = test::errorOf([&] { readPromptList(path); });
        QVERIFY2(bad.contains("line 2") && bad.contains("UTF-8"), qPrintable(bad));
        std::ofstream(path) << "# only a comment\n\n";
        QVERIFY(test::errorOf([&] { readPromptList(path); }).contains("holds no prompts"));
        QVERIFY(test::errorOf([&] { readPromptList(path + ".missing"); }).contains("does not exist"));
        QVERIFY(defaultPromptListFile(pipelineFolder()).empty());
    }

    // The class a prompt asks for, so that images generated from prompts are
    // scored for class accuracy: whole words, case-insensitive, the longer
    // name where one contains another, none when two classes are named.
    void promptsNameTheirClass() {
        const std::vector<std::string> names = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                                "sandal", "shirt", "sneaker", "bag", "ankle boot"};
        QCOMPARE(promptClass("a photo of a t-shirt", names), 0);
        QCOMPARE(promptClass("a shirt", names), 6);
        QCOMPARE(promptClass("Shirt, grey", names), 6);
        QCOMPARE(promptClass("one ankle boot on a dark background", names), 9);
        QCOMPARE(promptClass("A SNEAKER", names), 7);
        QCOMPARE(promptClass("a boot", names), -1);             // not a class name
        QCOMPARE(promptClass("shirtless", names), -1);          // not a whole word
        QCOMPARE(promptClass("a shirt and a bag", names), -1);  // two classes: no single request
        QCOMPARE(promptClass("", names), -1);
        const std::vector<std::string> nested = {"boot", "ankle boot"};
        QCOMPARE(promptClass("an ankle boot", nested), 1);
        QCOMPARE(promptClass("a boot", nested), 0);
        QTemporaryDir dir;
        std::ofstream(dir.path().toStdString() + "/class_names.txt") << "t-shirt\ntrouser\n";
        QCOMPARE(readClassNames(dir.path().toStdString()).size(), std::size_t(2));
        QVERIFY(readClassNames(pipelineFolder()).empty());
    }

    // A BPE vocabulary learned from captions, in CLIP's layout: the tokenizer
    // reads it, frequent words become single tokens, anything else still
    // tokenizes byte by byte, the result is deterministic, and the command
    // line writes the same files.
    void trainsATokenizerFromCaptions() {
        QTemporaryDir dir;
        std::vector<std::string> captions;
        for (const char* item : {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                                 "ankle boot"})
            for (const char* pattern : {"a photo of a %1", "a %1 on black", "an image of a %1", "a small %1"})
                captions.push_back(QString::fromLatin1(pattern).arg(QString::fromLatin1(item)).toStdString());
        const std::vector<BpeMerge> merges = learnBpeMerges(captions, 300);
        QVERIFY(merges == learnBpeMerges(captions, 300));
        QVERIFY2(merges.size() > 30 && merges.size() <= 300, qPrintable(QString::number(merges.size())));
        QCOMPARE(learnBpeMerges(captions, 5).size(), std::size_t(5));
        const std::string folder = dir.path().toStdString() + "/tokenizer";
        const int64_t size = writeClipTokenizer(folder, merges);
        const ClipTokenizer tokenizer = ClipTokenizer::load(folder);
        QCOMPARE(int64_t(tokenizer.vocabularySize()), size);
        QCOMPARE(tokenizer.endToken(), size - 1);
        QCOMPARE(tokenizer.startToken(), size - 2);
        QCOMPARE(tokenizer.encode("sneaker").size(), std::size_t(1));
        QCOMPARE(tokenizer.encode("A photo of a SNEAKER").size(), std::size_t(5));
        for (int64_t id : tokenizer.tokenize("a zebra, 42 ünïcode 👟")) QVERIFY(id >= 0 && id < size);
        QVERIFY(tokenizer.encode("zebra").size() > 1);  // never seen: byte pieces

        const QString file = dir.path() + "/captions.txt";
        std::ofstream list(file.toStdString());
        for (const std::string& c : captions) list << c << "\n";
        list.close();
        test::CliResult run = test::runCli({"-q", "train-tokenizer", "--captions", file, "--merges", "300", "--out",
                                            dir.path() + "/cli"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        for (const char* name : {"vocab.json", "merges.txt", "tokenizer_config.json"}) {
            QFile a(QString::fromStdString(folder) + "/" + name), b(dir.path() + "/cli/" + name);
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), name);
        }
        std::ofstream(file.toStdString()) << "\n";
        run = test::runCli({"-q", "train-tokenizer", "--captions", file, "--out", dir.path() + "/none"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("captions.txt") && run.err.contains("no prompts"), qPrintable(run.err));
    }

    // The trajectories follow the prompts in turn, guided against the negative
    // prompt; every kept x_t is later used with its prompt's states and with
    // the negative prompt's, unconditional first as the pipeline stacks them.
    void calibrationDataFromPrompts() {
        c10::InferenceMode inference;
        QTemporaryDir dir;
        const std::string file = dir.path().toStdString() + "/cali.safetensors";
        QuantSession session;
        session.openModel(pipelineFolder(), "cpu");
        DiffusionPipeline& pipeline = session.model();
        const CalibrationDataSettings settings = promptSettings(pipeline);
        bool reused = true;
        const CalibrationData& data = session.calibrationData(settings, file, {}, &reused);
        QVERIFY(!reused);
        QCOMPARE(data.size(), int64_t(10));
        QVERIFY(data.withUnconditional);
        QVERIFY(!data.classLabels.defined());
        // Trajectories 0..4 take prompts 0, 1, 2, 0, 1: two kept steps each.
        QVERIFY(torch::equal(torch::bincount(data.promptIndex), torch::tensor({4, 4, 2}, torch::kInt64)));
        const PromptStates states = pipeline.encodePrompts(kPrompts, "blurry");
        QVERIFY(torch::equal(data.promptStates, states.prompts));
        QVERIFY(torch::equal(data.unconditionalStates, states.unconditional));

        // The last kept step of the first batch (trajectories 0 and 1) is the
        // guided trajectory's own x_t under those prompts.
        SampleRequest first = withPrompts(batchRequest(settings.trajectory, 0, 2, 0, 0), states, 0, 2);
        torch::Tensor lastInput;
        SampleCallbacks cb;
        cb.onStep = [&](const StepEvent& e) {
            if (e.index == 3) lastInput = e.sampleBefore->clone();
        };
        runSampler(pipeline.denoiser(), pipeline.scheduler(), first, cb);
        const torch::Tensor rows = data.stepIndex.eq(3).nonzero().flatten().narrow(0, 0, 2);
        QVERIFY(torch::equal(data.samples.index_select(0, rows), lastInput.to(torch::kFloat16)));
        QVERIFY(torch::equal(data.promptIndex.index_select(0, rows), torch::tensor({0, 1}, torch::kInt64)));

        // A batch: [negative prompt; prompts], the x_t repeated.
        const auto batches = calibrationBatchRows(data, 4);
        const CalibrationBatch b = makeCalibrationBatch(pipeline.denoiser(), data, batches[0].first, batches[0].second);
        QCOMPARE(b.x.size(0), int64_t(4));
        QCOMPARE(b.condition.kind(), ConditioningKind::EncoderStates);
        const torch::Tensor& c = b.condition.tensor();
        QVERIFY(torch::equal(c.narrow(0, 0, 2), states.unconditional.expand({2, -1, -1})));
        QVERIFY(torch::equal(c.narrow(0, 2, 2),
                             states.prompts.index_select(0, data.promptIndex.index_select(0, batches[0].second))));
        QVERIFY(torch::equal(b.x.narrow(0, 0, 2), b.x.narrow(0, 2, 2)));

        // The file round-trips, is reused for the same prompts, and not for others.
        const CalibrationData loaded = CalibrationData::load(file);
        QVERIFY(torch::equal(loaded.promptIndex, data.promptIndex));
        QVERIFY(torch::equal(loaded.promptStates, data.promptStates));
        QVERIFY(torch::equal(loaded.unconditionalStates, data.unconditionalStates));
        QVERIFY(loaded.settings.find("an ankle boot on black") != std::string::npos);
        QuantSession other;
        other.openModel(pipelineFolder(), "cpu");
        other.calibrationData(settings, file, {}, &reused);
        QVERIFY(reused);
        CalibrationDataSettings changed = settings;
        changed.prompts = {"a shirt"};
        other.calibrationData(changed, file, {}, &reused);
        QVERIFY(!reused);
        // Other text-encoder weights (same U-Net): the stored states are stale.
        const std::string copy = dir.path().toStdString() + "/pipeline";
        std::filesystem::copy(pipelineFolder(), copy, std::filesystem::copy_options::recursive);
        ClipTextModel encoder = ClipTextModel::load(copy + "/text_encoder");
        encoder.initializeRandom(9);
        encoder.save(copy + "/text_encoder");
        const std::string reference = dir.path().toStdString() + "/reference.safetensors";
        std::filesystem::copy_file(file, reference);
        QuantSession same;
        same.openModel(pipelineFolder(), "cpu");
        same.calibrationData(changed, reference, {}, &reused);
        QVERIFY(reused);  // the control: same weights, same settings
        QuantSession third;
        third.openModel(copy, "cpu");
        third.calibrationData(changed, reference, {}, &reused);
        QVERIFY(!reused);
    }

    // Prompts where a model has none, none where it needs them, and data of
    // one kind for a model of the other are errors that say what to do.
    void conditioningKindsAreChecked() {
        c10::InferenceMode inference;
        QTemporaryDir dir;
        QuantSession text;
        text.openModel(pipelineFolder(), "cpu");
        CalibrationDataSettings settings = promptSettings(text.model());
        settings.samples = 1;
        const CalibrationData data = text.calibrationData(settings, {}, {});
        settings.prompts.clear();
        QVERIFY(test::errorOf([&] { text.calibrationData(settings, {}, {}); }).contains("calibrated from prompts"));

        const std::string classFolder = dir.path().toStdString() + "/class";
        test::writeModelFolder(classFolder, test::tinyConfig(), 3);
        QuantSession classes;
        classes.openModel(classFolder, "cpu");
        QVERIFY(test::errorOf([&] { checkCalibrationData(classes.model().denoiser(), data); })
                    .contains("collected from prompts"));
        CalibrationDataSettings prompted = promptSettings(classes.model());
        prompted.trajectory.guidanceScale = 1;
        QVERIFY(test::errorOf([&] { classes.calibrationData(prompted, {}, {}); })
                    .contains("are for text-to-image pipelines"));

        // A damaged file: a prompt index outside the table is named.
        const std::string path = dir.path().toStdString() + "/damaged.safetensors";
        CalibrationData damaged = data;
        damaged.promptIndex = torch::full_like(data.promptIndex, 7);
        damaged.save(path);
        const QString message = test::errorOf([&] { CalibrationData::load(path); });
        QVERIFY2(message.contains("prompt_index") && message.contains(QString::fromStdString(path)), qPrintable(message));
    }

    // W8A8 and W4A8 of a text-to-image U-Net: the cross-attention keys and
    // values (text-dependent) get grids like every other site; the decoded
    // images stay close at 8 bits and drift at 4; the artifact reopens over
    // the pipeline folder with identical results.
    void calibratesAndComparesAPipeline() {
        c10::InferenceMode inference;
        QTemporaryDir dir;
        QuantSession session;
        session.openModel(pipelineFolder(), "cpu");
        session.calibrate(recipeFor(session, "W8A8"));
        const SiteQuantState* key = nullptr;
        for (const SiteQuantState& st : session.quantized()->sites())
            if (st.site.contextInput && st.site.name.find("attn2.to_k") != std::string::npos) key = &st;
        QVERIFY(key != nullptr);
        QVERIFY(!key->activationParts.empty() && !key->weightParts.empty());
        // Text-to-image presets keep the softmax at 16 bits (Q-Diffusion's SD setting).
        int probabilities = 0;
        for (const SiteQuantState& st : session.quantized()->sites())
            if (st.site.kind == SiteKind::AttentionProbs) {
                QCOMPARE(st.plan.activationBits, 16);
                ++probabilities;
            }
        QVERIFY(probabilities >= 2);
        const ComparisonRun w8 = compare(session);
        QCOMPARE(w8.fp.images.size(1), int64_t(3));
        QCOMPARE(w8.fp.images.size(2), w8.fp.result.samples.size(2) * 2);  // the golden VAE upsamples once
        QVERIFY2(std::isfinite(w8.paired.psnr) && w8.paired.psnr > 25, qPrintable(QString::number(w8.paired.psnr)));

        const std::string artifact = dir.path().toStdString() + "/w8a8";
        session.saveQuantized(artifact);
        LoadedQuantizedModel reopened = loadQuantizedModel(artifact);
        QVERIFY(reopened.fp.isTextToImage());
        QCOMPARE(QString::fromStdString(reopened.fpFolder), QString::fromStdString(pipelineFolder()));
        const ComparisonRun again =
            runComparison(reopened.fp.denoiser(), reopened.fp.scheduler(), &reopened.quantized,
                          comparisonRequest(reopened.fp), false, {},
                          [&](const torch::Tensor& s) { return reopened.fp.toImages(s); });
        QVERIFY(torch::equal(again.quantized->images, w8.quantized->images));

        session.calibrate(recipeFor(session, "W4A8"));
        const ComparisonRun w4 = compare(session);
        QVERIFY2(w4.paired.psnr < w8.paired.psnr,
                 qPrintable(QStringLiteral("W4A8 %1 dB, W8A8 %2 dB").arg(w4.paired.psnr).arg(w8.paired.psnr)));
    }

    // The option to quantize the text encoder and the VAE too (weight-only,
    // per channel): every Linear/Conv weight of the text encoder and the VAE
    // decoder is on its grid, embeddings and the VAE encoder stay FP, the
    // quantized side of a comparison encodes and decodes with them (more
    // damage at 4 bits than with both FP), the artifact keeps them and
    // reopens bit-identically, and pixel models refuse the option.
    void quantizesTheTextEncoderAndVae() {
        c10::InferenceMode inference;
        QTemporaryDir dir;
        QuantSession session;
        session.openModel(pipelineFolder(), "cpu");
        session.calibrate(recipeFor(session, "W8A8"));
        const ComparisonRun unetOnly = compare(session);

        CalibrationRecipe recipe = recipeFor(session, "W8A8");
        recipe.components = {4, 4};
        session.calibrate(recipe);
        const QuantizedComponents& components = session.quantized()->components();
        QCOMPARE(components.parts.size(), std::size_t(2));
        QVERIFY(components.textEncoder && components.vae);
        QCOMPARE(components.bitsOf(kTextEncoderComponent), 4);
        const QuantizedComponent* text = components.find(kTextEncoderComponent);
        for (const auto& [key, q] : text->weights) {
            QVERIFY2(key.find("embedding") == std::string::npos, key.c_str());
            QVERIFY(q.q.min().item<int>() >= 0 && q.q.max().item<int>() <= 15);
        }
        const TextToImagePipeline& fp = *session.model().textToImage();
        const auto fpText = fp.textEncoder.stateDict(), qText = components.textEncoder->stateDict();
        int changed = 0;
        for (const auto& [key, value] : fpText) {
            const bool quantized = text->weights.count(key) > 0;
            QCOMPARE(quantized, isComponentWeight(key, value));
            if (!quantized) QVERIFY2(torch::equal(value, qText.at(key)), key.c_str());
            else changed += !torch::equal(value, qText.at(key));
        }
        QCOMPARE(changed, static_cast<int>(text->weights.size()));
        for (const auto& [key, q] : components.find(kVaeComponent)->weights)
            QVERIFY2(key.rfind("decoder.", 0) == 0 || key.rfind("post_quant_conv.", 0) == 0, key.c_str());
        QVERIFY(torch::equal(fp.vae.stateDict().at("encoder.conv_in.weight"),
                             components.vae->stateDict().at("encoder.conv_in.weight")));
        // Prompt states move, but stay those of the same prompt.
        const PromptStates a = session.model().encodePrompts(kPrompts), b = session.model().encodePrompts(kPrompts, {}, 0, &components);
        QVERIFY(!torch::equal(a.prompts, b.prompts));
        QVERIFY((a.prompts - b.prompts).norm().item<double>() < 0.5 * a.prompts.norm().item<double>());

        DiffusionPipeline& p = session.model();
        const std::vector<std::string> prompts = {kPrompts[0], kPrompts[2]};
        auto compareAll = [&](DiffusionPipeline& model, QuantizedUNet& q) {
            return runComparison(model.denoiser(), model.scheduler(), &q, comparisonRequest(model), false, {},
                                 [&](const torch::Tensor& x) { return model.toImages(x); },
                                 quantizedRunInputs(model, &q.components(), prompts, "blurry", 0, 2));
        };
        const ComparisonRun all = compareAll(p, *session.quantized());
        QVERIFY(torch::equal(all.fp.images, unetOnly.fp.images));  // the FP side is untouched
        QVERIFY2(all.paired.psnr < unetOnly.paired.psnr,
                 qPrintable(QStringLiteral("%1 vs %2 dB").arg(all.paired.psnr).arg(unetOnly.paired.psnr)));

        const std::string artifact = dir.path().toStdString() + "/all";
        session.saveQuantized(artifact);
        LoadedQuantizedModel reopened = loadQuantizedModel(artifact);
        QCOMPARE(reopened.quantized.components().parts.size(), std::size_t(2));
        QVERIFY(torch::equal(compareAll(reopened.fp, reopened.quantized).quantized->images, all.quantized->images));
        QuantSession other;
        other.openModel(pipelineFolder(), "cpu");
        other.openQuantized(artifact);
        QVERIFY(other.quantized()->components().vae != nullptr);
        QVERIFY(other.calibrationRecord().find("text_encoder_bits") != std::string::npos);
        // A damaged component entry is named.
        const std::string json = artifact + "/quantized_model.json";
        std::string record = readTextFile(json);
        const std::size_t at = record.find("\"name\": \"vae\"");
        QVERIFY(at != std::string::npos);
        record.replace(at, std::string("\"name\": \"vae\"").size(), "\"name\": \"unet\"");
        writeTextFileAtomically(json, record);
        const QString bad = test::errorOf([&] { loadQuantizedModel(artifact); });
        QVERIFY2(bad.contains("components.1.name"), qPrintable(bad));

        // Evaluation's quantized pass gets the quantized states and decoder.
        EvalSettings settings;
        conditionOnPrompts(settings, p, prompts, {}, 0, &components);
        QVERIFY(settings.quantizedPrompts.prompts.defined() && settings.quantizedDecode);
        conditionOnPrompts(settings, p, prompts);
        QVERIFY(!settings.quantizedPrompts.prompts.defined() && !settings.quantizedDecode);

        QuantSession pixel;
        pixel.openModel(test::dataDir() + "/golden/unet2d_class_attention", "cpu");
        CalibrationRecipe pixelRecipe;
        pixelRecipe.plan = pixel.makePlan(PlanRecipe{}, 4);
        pixelRecipe.data.trajectory.steps = 4;
        pixelRecipe.components.textEncoderBits = 8;
        QVERIFY(test::errorOf([&] { pixel.calibrate(pixelRecipe); }).contains("--text-encoder-bits"));
    }

    // Block reconstruction runs through the transformer blocks (token-shaped
    // units with their text context) and lowers their output error; LSQ
    // learns the step sizes of their attention operands; progressive
    // calibration runs on the quantized pipeline's own guided trajectory.
    void reconstructsTransformerBlocks() {
        QuantSession session;
        session.openModel(pipelineFolder(), "cpu");
        CalibrationRecipe recipe = recipeFor(session, "W4A8");
        recipe.options.rounding = WeightRounding::AdaRound;
        recipe.options.reconstruction.weightIterations = 200;
        recipe.options.reconstruction.activationIterations = 50;
        const CalibrationSummary summary = session.calibrate(recipe);
        int transformerUnits = 0;
        for (const UnitReport& r : summary.units) {
            QVERIFY2(std::isfinite(r.before) && std::isfinite(r.after), r.unit.c_str());
            if (r.unit.find("transformer_blocks.0") == std::string::npos || r.phase != "weights") continue;
            ++transformerUnits;
            QVERIFY2(r.after < r.before, qPrintable(QStringLiteral("%1: %2 -> %3")
                                                        .arg(QString::fromStdString(r.unit))
                                                        .arg(r.before)
                                                        .arg(r.after)));
        }
        QVERIFY(transformerUnits >= 2);
        const ComparisonRun adaround = compare(session);
        QVERIFY(std::isfinite(adaround.paired.psnr));

        CalibrationRecipe progressive = recipeFor(session, "W8A8");
        progressive.options.progressive = true;
        session.calibrate(progressive);
        const SiteQuantState* key = nullptr;
        for (const SiteQuantState& st : session.quantized()->sites())
            if (st.site.contextInput) key = &st;
        QVERIFY(key != nullptr);
        QCOMPARE(key->activationParts.front().grids.size(), std::size_t(4));  // one per sampling step
        QVERIFY(std::isfinite(compare(session).paired.psnr));
    }

    // create-model from a folder of pipeline configs: every network written
    // with fresh weights in diffusers' layout, loadable as a pipeline; an
    // existing destination and an incomplete template are refused by name.
    void createsRandomPipelines() {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/random";
        const QString model = QString::fromStdString(pipelineFolder());
        test::CliResult run = test::runCli({"-q", "create-model", "--config", model, "--out", QString::fromStdString(out),
                                            "--seed", "4"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        DiffusionPipeline created = DiffusionPipeline::load(out);
        const DiffusionPipeline golden = DiffusionPipeline::load(pipelineFolder());
        QVERIFY(created.isTextToImage());
        QCOMPARE(created.denoiser().parameterCount(), golden.denoiser().parameterCount());
        const auto a = created.denoiser().stateDict(), b = golden.denoiser().stateDict();
        QVERIFY(!torch::equal(a.at("conv_in.weight"), b.at("conv_in.weight")));  // new weights
        run = test::runCli({"-q", "create-model", "--config", model, "--out", QString::fromStdString(out)});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("exists already"), qPrintable(run.err));
        const std::string partial = dir.path().toStdString() + "/partial";
        std::filesystem::copy(pipelineFolder(), partial, std::filesystem::copy_options::recursive);
        std::filesystem::remove_all(partial + "/vae");
        run = test::runCli({"-q", "create-model", "--config", QString::fromStdString(partial), "--out",
                            dir.path() + "/from-partial"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("vae/config.json"), qPrintable(run.err));
    }

    // The same through the command line: calibrate from --prompt, sample
    // --quant --compare with a prompt, stats of the pipeline's sites.
    void commandLineQuantizesAPipeline() {
        QTemporaryDir dir;
        const QString model = QString::fromStdString(pipelineFolder());
        const QString artifact = dir.path() + "/q", png = dir.path() + "/cmp.png", raw = dir.path() + "/raw.safetensors";
        const QString prompts = dir.path() + "/prompts.txt";
        std::ofstream(prompts.toStdString()) << "a photo of a sneaker\nan ankle boot on black\n";
        test::CliResult run =
            test::runCli({"-q", "calibrate", "--model", model, "--device", "cpu", "--preset", "W8A8", "--steps", "4",
                          "--guidance", "7.5", "--cali-n", "4", "--cali-st", "2", "--prompts-file", prompts,
                          "--negative-prompt", "blurry", "--out", artifact});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(artifact + "/quantized_model.json"));
        run = test::runCli({"sample", "--quant", artifact, "--device", "cpu", "--compare", "--prompt", "a bag",
                            "--guidance", "7.5", "--steps", "4", "--num", "2", "--out", png, "--raw", raw});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("FP vs quantized over 2 images: PSNR"), qPrintable(run.out));
        const TensorFile written = loadSafetensors(raw.toStdString());
        QCOMPARE(written.at("sample", "raw").size(1), int64_t(3));
        QCOMPARE(written.at("latents", "raw").size(1), int64_t(4));
        QVERIFY(QFile::exists(png));

        run = test::runCli({"-q", "stats", "--model", model, "--device", "cpu", "--prompt", "a bag", "--steps", "2",
                            "--num", "1", "--out", dir.path() + "/stats"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QFile stats(dir.path() + "/stats/stats.json");
        QVERIFY(stats.open(QIODevice::ReadOnly));
        QVERIFY(stats.readAll().contains("attn2.to_k"));

        // Bit-widths with evidence: a sensitivity sweep from the prompts, an
        // allocation, and a calibration under the allocated plan.
        const QString sens = dir.path() + "/sens.json", plan = dir.path() + "/plan.json";
        run = test::runCli({"-q", "sensitivity", "--model", model, "--device", "cpu", "--steps", "4", "--guidance", "7.5",
                            "--cali-n", "2", "--cali-st", "2", "--prompts-file", prompts, "--weight-bits", "4,8",
                            "--activation-bits", "8", "--no-all-but", "--out", sens});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = test::runCli({"-q", "allocate", "--sens", sens, "--avg-weight-bits", "6", "--out", plan});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = test::runCli({"-q", "calibrate", "--model", model, "--device", "cpu", "--plan", plan, "--steps", "4",
                            "--guidance", "7.5", "--cali-n", "2", "--cali-st", "2", "--prompts-file", prompts, "--out",
                            dir.path() + "/allocated"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // Without prompts (and without the pipeline's own list) calibration says what to pass.
        run = test::runCli({"-q", "calibrate", "--model", model, "--device", "cpu", "--steps", "4", "--cali-n", "1",
                            "--cali-st", "1", "--out", dir.path() + "/none"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("calibration_prompts.txt") && run.err.contains("--prompt"), qPrintable(run.err));
        QVERIFY(!QFile::exists(dir.path() + "/none"));
    }
};

QObject* makeTextQuantTest() { return new TextQuantTest; }

#include "test_text_quant.moc"
