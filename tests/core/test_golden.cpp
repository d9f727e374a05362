// Exactness against the original implementation: model folders written by
// diffusers v0.21.4 itself (tests/golden/make_golden.py), loaded unchanged, and
// diffusers' own outputs for a forward pass and a whole DDIM run.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/autoencoder_kl.h"
#include "core/model/clip_text_model.h"
#include "core/model/unet2d.h"
#include "core/model/unet2d_condition.h"
#include "core/sampling/pipeline.h"
#include "core/quant/calibration_data.h"
#include "core/sampling/scheduler.h"
#include "core/pipeline/text_to_image.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/html_unescape.h"
#include "core/text/text_fixer.h"
#include "core/text/unicode_normalization.h"
#include "core/text/unicode_text.h"
#include "core/sampling/scheduler_config.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

std::string goldenFolder(const char* name) { return test::dataDir() + "/golden/" + name; }

// Largest deviation relative to the reference's scale (max |ref|), the
// criterion the exactness targets are stated in.
double relativeError(const torch::Tensor& actual, const torch::Tensor& expected) {
    const double scale = expected.abs().max().item<double>();
    return (actual - expected).abs().max().item<double>() / std::max(scale, 1e-12);
}

// diffusers' DDIMScheduler as make_golden.py configures it.
SchedulerConfig goldenDdimConfig() {
    SchedulerConfig c;
    c.numTrainTimesteps = 1000;
    c.betaStart = 0.0001;
    c.betaEnd = 0.02;
    c.betaSchedule = BetaSchedule::Linear;
    c.clipSample = false;
    c.setAlphaToOne = true;
    c.stepsOffset = 0;
    c.spacing = TimestepSpacing::Leading;
    return c;
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

// Everything about a model's structure that other code relies on by order or
// by name: parameters (registration order: initialisation, checkpoints),
// interception sites (execution order: artifacts match them by index) and
// reconstruction units (execution order), one line each.
std::string describeStructure(const Denoiser& model) {
    std::ostringstream out;
    for (const ParameterInfo& p : model.parameterInfos())
        out << "param " << p.name << " " << shapeText(p.shape) << " " << initKindName(p.init) << " fan_in=" << p.fanIn
            << (p.legacyName.empty() ? "" : " legacy=" + p.legacyName) << "\n";
    for (const SiteInfo& s : model.sites())
        out << "site " << s.name << " " << siteKindName(s.kind) << " block=" << s.block << " weight=" << shapeText(s.weightShape)
            << " in=" << s.inputChannels << " split=" << s.splitChannels << " raw_concat=" << s.rawConcatInput
            << " stride=" << s.stride << " padding=" << s.padding << (s.contextInput ? " context_input" : "") << "\n";
    for (const UnitInfo& u : model.units()) {
        out << "unit " << u.name << " " << unitKindName(u.kind) << ":";
        for (const std::string& site : u.sites) out << " " << site;
        out << "\n";
    }
    return out.str();
}

}  // namespace

class GoldenTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void structureMatchesRecord_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("config");
        const QString data = QString::fromStdString(test::dataDir());
        QTest::newRow("tiny") << "tiny" << data + "/tiny_unet_config.json";
        QTest::newRow("shipped") << "shipped" << QStringLiteral(DQ_SHIPPED_MODEL_DIR "/config.json");
        for (const char* golden : {"unet2d_class_attention", "unet2d_timestep_class", "unet2d_unconditional",
                                   "unet2d_condition_sd", "unet2d_condition_linear"})
            QTest::newRow(golden) << golden << data + "/golden/" + golden + "/config.json";
    }

    // A characterisation test: the structure recorded in tests/data/structure
    // must not change by accident (a refactor of the model code must leave it
    // byte-identical). DQ_RECORD_STRUCTURE=1 rewrites the records after an
    // intended change; review their diff like code.
    void structureMatchesRecord() {
        QFETCH(QString, name);
        QFETCH(QString, config);
        const std::string configPath = config.toStdString();
        const std::string configText = readTextFile(configPath);
        const std::string actual =
            configText.find("UNet2DConditionModel") != std::string::npos
                ? describeStructure(UNet2DConditionModel(UNetConditionConfig::fromJson(configText, configPath)))
                : describeStructure(UNet2DModel(UNetConfig::fromJson(configText, configPath)));
        const std::string recordPath = test::dataDir() + "/structure/" + name.toStdString() + ".txt";
        if (std::getenv("DQ_RECORD_STRUCTURE")) {
            std::filesystem::create_directories(test::dataDir() + "/structure");
            writeTextFileAtomically(recordPath, actual);
            qWarning("recorded %s", recordPath.c_str());
        }
        const std::string expected = readTextFile(recordPath);
        std::istringstream a(actual), e(expected);
        std::string lineA, lineE;
        for (int line = 1;; ++line) {
            const bool moreA = bool(std::getline(a, lineA)), moreE = bool(std::getline(e, lineE));
            if (!moreA && !moreE) break;
            QVERIFY2(moreA == moreE && lineA == lineE,
                     qPrintable(QStringLiteral("%1 line %2: expected '%3', got '%4'")
                                    .arg(QString::fromStdString(recordPath)).arg(line)
                                    .arg(moreE ? QString::fromStdString(lineE) : "<end>")
                                    .arg(moreA ? QString::fromStdString(lineA) : "<end>")));
        }
    }

    void unetForwardMatchesDiffusers_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("class embedding, attention heads") << "unet2d_class_attention";
        QTest::newRow("timestep class embedding, one head, centred input") << "unet2d_timestep_class";
        QTest::newRow("unconditional, no mid attention") << "unet2d_unconditional";
    }

    // The folder is what diffusers' save_pretrained writes (config.json with
    // every default key, _diffusers_version, safetensors weights).
    void unetForwardMatchesDiffusers() {
        QFETCH(QString, name);
        const std::string folder = goldenFolder(qPrintable(name));
        UNet2DModel model = UNet2DModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        const auto labels = golden.tensors.count("class_labels") ? golden.tensors.at("class_labels") : torch::Tensor();
        torch::NoGradGuard noGrad;
        const torch::Tensor out =
            model.forward(golden.at("sample", folder), golden.at("timestep", folder), labels);
        const double err = relativeError(out, golden.at("out", folder));
        QVERIFY2(err < 1e-5, qPrintable(QStringLiteral("%1: relative error %2").arg(name).arg(err)));
    }

    void conditionUnetForwardMatchesDiffusers_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("SD 1.x layout: conv projections, heads as attention_head_dim") << "unet2d_condition_sd";
        QTest::newRow("SD 2.x style: linear projections, per-block heads, 2 transformer layers")
            << "unet2d_condition_linear";
    }

    // UNet2DConditionModel folders as diffusers writes them: cross-attention
    // transformer blocks on random encoder states, within 1e-5 of diffusers.
    void conditionUnetForwardMatchesDiffusers() {
        QFETCH(QString, name);
        const std::string folder = goldenFolder(qPrintable(name));
        const UNet2DConditionModel model = UNet2DConditionModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        torch::NoGradGuard noGrad;
        const torch::Tensor out = model.forward(golden.at("sample", folder), golden.at("timestep", folder),
                                                Conditioning::encoderStates(golden.at("encoder_hidden_states", folder)));
        const double err = relativeError(out, golden.at("out", folder));
        QVERIFY2(err < 1e-5, qPrintable(QStringLiteral("%1: relative error %2").arg(name).arg(err)));
        // The text matters: other states give another output.
        const torch::Tensor other = model.forward(golden.at("sample", folder), golden.at("timestep", folder),
                                                  Conditioning::encoderStates(golden.at("encoder_hidden_states", folder) * 0.5));
        QVERIFY(relativeError(other, golden.at("out", folder)) > 1e-3);
        // And it is required.
        QVERIFY(test::errorOf([&] { model.forward(golden.at("sample", folder), golden.at("timestep", folder), Conditioning()); })
                    .contains("encoder_hidden_states"));
    }

    // Every transformer block is a reconstruction unit that, run alone on its
    // captured tokens and context, gives exactly its output in the network.
    void transformerUnitsRunAlone() {
        const std::string folder = goldenFolder("unet2d_condition_sd");
        UNet2DConditionModel model = UNet2DConditionModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        struct Capture : UnitObserver {
            std::vector<UnitInputs> inputs;
            std::vector<torch::Tensor> outputs;
            void onUnitInput(const UnitInfo&, const UnitInputs& in, const StepContext&) override { inputs.push_back(in); }
            void onUnitOutput(const UnitInfo&, const torch::Tensor& out, const StepContext&) override {
                outputs.push_back(out);
            }
        } capture;
        torch::NoGradGuard noGrad;
        model.setUnitObserver(&capture);
        model.forward(golden.at("sample", folder), golden.at("timestep", folder),
                      Conditioning::encoderStates(golden.at("encoder_hidden_states", folder)));
        model.setUnitObserver(nullptr);
        QCOMPARE(capture.inputs.size(), model.units().size());
        int transformers = 0;
        for (std::size_t i = 0; i < model.units().size(); ++i) {
            if (model.units()[i].kind != UnitKind::Transformer) continue;
            ++transformers;
            QVERIFY(capture.inputs[i].context.defined());
            QVERIFY(torch::equal(model.runUnit(i, capture.inputs[i]), capture.outputs[i]));
        }
        QCOMPARE(transformers, 6);  // down_blocks.0 (two layers), the mid block, up_blocks.1 (three)
    }

    // The CLI's one forward pass loads either U-Net from its folder and takes
    // the text conditioning from the input file's encoder_hidden_states.
    void cliRunsTheConditionUnet() {
        const std::string folder = goldenFolder("unet2d_condition_sd");
        QTemporaryDir dir;
        const QString out = dir.path() + "/out.safetensors";
        const QString golden = QString::fromStdString(folder + "/golden.safetensors");
        const test::CliResult run = test::runCli({"-q", "unet", "--model", QString::fromStdString(folder), "--device", "cpu",
                                                  "--input", golden, "--output", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const TensorFile written = loadSafetensors(out.toStdString());
        const TensorFile expected = loadSafetensors(golden.toStdString());
        QVERIFY(relativeError(written.at("sample", "out"), expected.at("out", "golden")) < 1e-5);

        // Without encoder_hidden_states in the file: one error naming the key, exit code non-zero.
        const QString labelsOnly = dir.path() + "/labels.safetensors";
        saveSafetensors(labelsOnly.toStdString(), {{"sample", expected.at("sample", "golden")},
                                                   {"timestep", expected.at("timestep", "golden")}});
        const test::CliResult missing = test::runCli({"-q", "unet", "--model", QString::fromStdString(folder), "--device",
                                                      "cpu", "--input", labelsOnly, "--output", out});
        QVERIFY(missing.exitCode != 0);
        QVERIFY2(missing.err.contains("encoder_hidden_states"), qPrintable(missing.err));
    }

    // AutoencoderKL: the encoder's latent mean and log-variance and the
    // decoder's image, within 1e-5 of diffusers.
    void vaeMatchesDiffusers() {
        const std::string folder = goldenFolder("vae_kl");
        const AutoencoderKL vae = AutoencoderKL::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        QCOMPARE(vae.config().scalingFactor, 0.5);
        QCOMPARE(vae.downsamplingFactor(), 2);
        torch::NoGradGuard noGrad;
        const LatentDistribution posterior = vae.encode(golden.at("image", folder));
        QVERIFY(relativeError(posterior.mean, golden.at("latent_mean", folder)) < 1e-5);
        QVERIFY(relativeError(posterior.logvar, golden.at("latent_logvar", folder)) < 1e-5);
        const torch::Tensor decoded = vae.decode(golden.at("latents", folder));
        const double err = relativeError(decoded, golden.at("decoded", folder));
        QVERIFY2(err < 1e-5, qPrintable(QStringLiteral("decoder: relative error %1").arg(err)));
        QVERIFY(test::errorOf([&] { vae.decode(torch::zeros({1, 3, 8, 8})); }).contains("[B,4,H,W]"));
        QVERIFY(test::errorOf([&] { vae.encode(torch::zeros({1, 3, 7, 8})); }).contains("multiples of 2"));
    }

    // `diffquant vae`: --decode takes latents in the pipeline's scaled space
    // (so it divides by scaling_factor), --encode writes unscaled moments.
    void cliRunsTheVae() {
        const std::string folder = goldenFolder("vae_kl");
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        QTemporaryDir dir;
        const QString in = dir.path() + "/in.safetensors", out = dir.path() + "/out.safetensors";
        saveSafetensors(in.toStdString(), {{"latents", golden.at("latents", folder) * 0.5},
                                           {"image", golden.at("image", folder)}});
        const QString model = QString::fromStdString(folder);
        test::CliResult run = test::runCli({"-q", "vae", "--model", model, "--device", "cpu", "--decode", in, "--output", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(relativeError(loadSafetensors(out.toStdString()).at("sample", "out"), golden.at("decoded", folder)) < 1e-5);
        run = test::runCli({"-q", "vae", "--model", model, "--device", "cpu", "--encode", in, "--output", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const TensorFile encoded = loadSafetensors(out.toStdString());
        QVERIFY(relativeError(encoded.at("latent_mean", "out"), golden.at("latent_mean", folder)) < 1e-5);
        QVERIFY(relativeError(encoded.at("latent_logvar", "out"), golden.at("latent_logvar", folder)) < 1e-5);
        // A folder that holds no VAE is named.
        run = test::runCli({"-q", "vae", "--model", dir.path(), "--decode", in, "--output", out});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains(dir.path()) && run.err.contains("vae/"), qPrintable(run.err));
    }

    // CLIPTextModel under Hugging Face's names and config, against OpenAI's
    // own clip/model.py: the last hidden state and the penultimate layer's
    // (clip skip), both after the final LayerNorm.
    void textEncoderMatchesOpenAiClip() {
        const std::string folder = goldenFolder("clip_text_encoder");
        const ClipTextModel encoder = ClipTextModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        QVERIFY(encoder.config().quickGelu);
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = golden.at("input_ids", folder);
        const double last = relativeError(encoder.forward(ids), golden.at("last_hidden_state", folder));
        QVERIFY2(last < 1e-5, qPrintable(QStringLiteral("last hidden state: relative error %1").arg(last)));
        const double penultimate = relativeError(encoder.forward(ids, 1), golden.at("penultimate_hidden_state", folder));
        QVERIFY2(penultimate < 1e-5, qPrintable(QStringLiteral("penultimate: relative error %1").arg(penultimate)));
        // Causal: a token changed at the end leaves every earlier position unchanged.
        torch::Tensor changed = ids.clone();
        changed.select(1, ids.size(1) - 1).fill_(0);
        const torch::Tensor a = encoder.forward(ids), b = encoder.forward(changed);
        QVERIFY(torch::equal(a.narrow(1, 0, ids.size(1) - 1), b.narrow(1, 0, ids.size(1) - 1)));
        QVERIFY(test::errorOf([&] { encoder.forward(torch::full({1, 3}, 60, torch::kInt64)); }).contains("Token id 60"));
        QVERIFY(test::errorOf([&] { encoder.forward(torch::zeros({1, 13}, torch::kInt64)); }).contains("L ≤ 12"));
        QCOMPARE(encoder.sites().size(), std::size_t(3 * 6));  // q, k, v, out, fc1, fc2 per layer
    }

    // CLIP's tokenizer: the ids of OpenAI's simple_tokenizer.py for prompts
    // with case, runs of whitespace, punctuation, contractions, digits,
    // accents, CJK, emoji, a two-code-point lower case (İ), HTML entities,
    // special-token text, empty and over-long prompts.
    void tokenizerMatchesOpenAiClip() {
        const std::string folder = goldenFolder("clip_tokenizer");
        const ClipTokenizer tokenizer = ClipTokenizer::load(folder);
        QFile file(QString::fromStdString(folder + "/golden.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(file.readAll()).object().value("cases").toArray();
        QCOMPARE(cases.size(), 13);
        for (const QJsonValue& c : cases) {
            const QString prompt = c.toObject().value("prompt").toString();
            std::vector<int64_t> expected;
            for (const QJsonValue& id : c.toObject().value("ids").toArray()) expected.push_back(id.toInteger());
            const std::vector<int64_t> actual = tokenizer.encode(prompt.toStdString());
            QVERIFY2(actual == expected, qPrintable(QStringLiteral("'%1': %2 ids, expected %3")
                                                        .arg(prompt.left(40)).arg(actual.size()).arg(expected.size())));
        }
        // What the text encoder gets: start, at most 75 tokens, end, padding to 77.
        const std::vector<int64_t> ids = tokenizer.tokenize("a photo of a sneaker");
        QCOMPARE(ids.size(), std::size_t(77));
        QCOMPARE(ids.front(), tokenizer.startToken());
        QCOMPARE(ids[7], tokenizer.endToken());
        QCOMPARE(ids.back(), tokenizer.padToken());
        const std::vector<int64_t> longIds = tokenizer.tokenize(std::string(300, 'x'));
        QCOMPARE(longIds.size(), std::size_t(77));
        QCOMPARE(longIds.back(), tokenizer.endToken());
        const std::vector<int64_t> empty = tokenizer.tokenize("");
        QCOMPARE(empty[1], tokenizer.endToken());
        // Invalid UTF-8 is replaced, not fatal.
        QVERIFY(!tokenizer.encode("caf\xC3").empty());
        QVERIFY(test::errorOf([&] { ClipTokenizer::load(test::dataDir()); }).contains("vocab.json"));
    }

    // The text fixes CLIP's basic_clean applies before tokenizing, against the
    // real ftfy (tests/golden/make_text_fixes.py): curly quotes, full- and
    // halfwidth forms, ligatures, decomposed accents and jamo, HTML references
    // (with ftfy's '<' rule and all-caps names), C1 and other control
    // characters, terminal escapes and line breaks; each prompt's fix_text,
    // html.unescape and token ids, and 600 random strings' NFC.
    void tokenizerFixesTextAsFtfyDoes() {
        using namespace dq::text;
        const std::string folder = goldenFolder("clip_tokenizer");
        const ClipTokenizer tokenizer = ClipTokenizer::load(folder);
        QFile file(QString::fromStdString(folder + "/text_fixes.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject golden = QJsonDocument::fromJson(file.readAll()).object();
        const auto u32 = [](const QJsonValue& v) { return decodeUtf8(v.toString().toStdString()); };
        const QJsonArray cases = golden.value("cases").toArray();
        QCOMPARE(cases.size(), 17);
        int changed = 0;
        for (const QJsonValue& value : cases) {
            const QJsonObject c = value.toObject();
            const std::string prompt = c.value("prompt").toString().toStdString();
            const QString label = c.value("prompt").toString().left(30).toHtmlEscaped();
            QVERIFY2(fixText(decodeUtf8(prompt)) == u32(c.value("fix_text")), qPrintable("fix_text of " + label));
            QVERIFY2(htmlUnescape(decodeUtf8(prompt)) == u32(c.value("html_unescape")),
                     qPrintable("html.unescape of " + label));
            std::vector<int64_t> expected;
            for (const QJsonValue& id : c.value("ids").toArray()) expected.push_back(id.toInteger());
            QVERIFY2(tokenizer.encode(prompt) == expected, qPrintable("ids of " + label));
            changed += c.value("fix_text") != c.value("prompt");
        }
        QVERIFY(changed >= 14);  // the fixture exercises the fixes, not the identity
        const QJsonArray nfc = golden.value("nfc").toArray();
        QCOMPARE(nfc.size(), 600);
        int composed = 0;
        for (const QJsonValue& pair : nfc) {
            const std::u32string in = u32(pair.toArray().at(0)), expected = u32(pair.toArray().at(1));
            QVERIFY2(toNfc(in) == expected, qPrintable(pair.toArray().at(0).toString().toHtmlEscaped()));
            composed += in != expected;
        }
        QVERIFY(composed > 100);
        // Documented limit: mojibake is tokenized as written (ftfy would
        // re-decode it to "café").
        QVERIFY(fixText(decodeUtf8("caf\xC3\x83\xC2\xA9")) == decodeUtf8("caf\xC3\x83\xC2\xA9"));
    }

    // `diffquant text-encode` on a pipeline folder (the golden tokenizer and a
    // random text encoder over its vocabulary): the ids are the tokenizer's,
    // the states the encoder's, for each prompt; clip skip changes them.
    void cliEncodesPrompts() {
        QTemporaryDir dir;
        const std::string pipe = dir.path().toStdString();
        std::filesystem::create_directories(pipe + "/tokenizer");
        for (const char* f : {"vocab.json", "merges.txt", "tokenizer_config.json"})
            std::filesystem::copy_file(goldenFolder("clip_tokenizer") + "/" + f, pipe + "/tokenizer/" + f);
        const ClipTokenizer tokenizer = ClipTokenizer::load(pipe + "/tokenizer");
        ClipTextConfig config;
        config.vocabSize = static_cast<int>(tokenizer.vocabularySize());
        config.hiddenSize = 16;
        config.intermediateSize = 32;
        config.numLayers = 2;
        config.numHeads = 2;
        ClipTextModel encoder(config);
        encoder.initializeRandom(5);
        std::filesystem::create_directories(pipe + "/text_encoder");
        encoder.save(pipe + "/text_encoder");

        const QString out = dir.path() + "/states.safetensors";
        test::CliResult run = test::runCli({"-q", "text-encode", "--model", dir.path(), "--device", "cpu", "--prompt",
                                            "a photo of a sneaker", "--prompt", "", "--output", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const TensorFile written = loadSafetensors(out.toStdString());
        const torch::Tensor ids = written.at("input_ids", "out");
        QCOMPARE(ids.sizes().vec(), std::vector<int64_t>({2, 77}));
        QVERIFY(torch::equal(ids[0], torch::tensor(tokenizer.tokenize("a photo of a sneaker"), torch::kInt64)));
        QVERIFY(torch::equal(ids[1], torch::tensor(tokenizer.tokenize(""), torch::kInt64)));
        torch::NoGradGuard noGrad;
        const ClipTextModel reloaded = ClipTextModel::load(pipe + "/text_encoder");
        QVERIFY(torch::allclose(written.at("last_hidden_state", "out"), reloaded.forward(ids), 1e-6, 1e-6));

        run = test::runCli({"-q", "text-encode", "--model", dir.path(), "--prompt", "a boot", "--clip-skip", "1",
                            "--output", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const TensorFile skipped = loadSafetensors(out.toStdString());
        QVERIFY(torch::allclose(skipped.at("last_hidden_state", "out"), reloaded.forward(skipped.at("input_ids", "out"), 1),
                                1e-6, 1e-6));
        // A folder without the pipeline's parts is named.
        run = test::runCli({"-q", "text-encode", "--model", pipe.c_str() + QString("/tokenizer"), "--prompt", "x",
                            "--output", out});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("tokenizer/ and text_encoder/"), qPrintable(run.err));
    }

    void pipelineMatchesDiffusers_data() {
        QTest::addColumn<QString>("sampler");
        QTest::newRow("PNDM") << "pndm";
        QTest::newRow("DDIM") << "ddim";
    }

    // The whole text-to-image pipeline from a pipeline folder: prompt and
    // negative prompt through the tokenizer and text encoder, 10 guided steps
    // (guidance 7.5) of the U-Net, the VAE decode; final latents and images
    // within 1e-3 of diffusers' StableDiffusionPipeline loop.
    void pipelineMatchesDiffusers() {
        QFETCH(QString, sampler);
        const std::string folder = goldenFolder("sd_pipeline");
        TextToImagePipeline pipeline = TextToImagePipeline::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        TextToImageRequest request;
        request.prompts = {"a photo of an ankle boot"};
        request.negativePrompt = "blurry";
        request.sampling.sampler = parseSamplerKind(sampler.toStdString());
        request.sampling.steps = 10;
        request.sampling.spacing = pipeline.scheduler.spacing;
        request.sampling.guidanceScale = 7.5;
        request.sampling.initialNoise = golden.at("noise", folder);
        // The token ids are the reference's too.
        QVERIFY(torch::equal(torch::tensor(pipeline.tokenizer.tokenize("a photo of an ankle boot"), torch::kInt64),
                             golden.at("prompt_ids", folder)[0]));
        const TextToImageResult result = generateImages(pipeline, request);
        const std::string key = sampler.toStdString();
        const double latents = relativeError(result.latents, golden.at(key + "_latents", folder));
        const double images = relativeError(result.images, golden.at(key + "_image", folder));
        QVERIFY2(latents < 1e-3 && images < 1e-3,
                 qPrintable(QStringLiteral("%1: latents %2, images %3").arg(sampler).arg(latents).arg(images)));
        // Guidance matters: without it the result differs.
        request.sampling.guidanceScale = 1.0;
        QVERIFY(relativeError(generateImages(pipeline, request).latents, golden.at(key + "_latents", folder)) > 1e-2);
    }

    // `diffquant sample` on a pipeline folder: the PNG grid, and --raw's
    // decoded `sample` and final `latents`, equal to diffusers' within 1e-3.
    void cliSamplesFromPrompts() {
        const std::string folder = goldenFolder("sd_pipeline");
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        QTemporaryDir dir;
        const QString noise = dir.path() + "/noise.safetensors", raw = dir.path() + "/raw.safetensors",
                      png = dir.path() + "/grid.png";
        saveSafetensors(noise.toStdString(), {{"noise", golden.at("noise", folder)}});
        const QString model = QString::fromStdString(folder);
        test::CliResult run = test::runCli({"-q", "sample", "--model", model, "--device", "cpu", "--prompt",
                                            "a photo of an ankle boot", "--negative-prompt", "blurry", "--guidance", "7.5",
                                            "--scheduler", "pndm", "--steps", "10", "--noise", noise, "--out", png,
                                            "--raw", raw});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(png));
        const TensorFile written = loadSafetensors(raw.toStdString());
        QVERIFY(relativeError(written.at("latents", "raw"), golden.at("pndm_latents", folder)) < 1e-3);
        QVERIFY(relativeError(written.at("sample", "raw"), golden.at("pndm_image", folder)) < 1e-3);
        // A prompt for a class-conditional model is an error that says what to pass.
        run = test::runCli({"-q", "sample", "--prompt", "a boot", "--out", png});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("model_index.json"), qPrintable(run.err));
    }

    void pipelineFolderIsChecked() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        QVERIFY(test::errorOf([&] { TextToImagePipeline::load(root); }).contains("model_index.json"));
        std::filesystem::copy(goldenFolder("sd_pipeline"), root + "/p", std::filesystem::copy_options::recursive);
        std::filesystem::remove_all(root + "/p/vae");
        std::filesystem::remove_all(root + "/p/tokenizer");
        const QString message = test::errorOf([&] { TextToImagePipeline::load(root + "/p"); });
        QVERIFY2(message.contains("tokenizer/, vae/"), qPrintable(message));
    }

    void ddimRunMatchesDiffusers_data() { unetForwardMatchesDiffusers_data(); }

    // Ten DDIM steps from diffusers' noise: every intermediate sample, so a
    // formula slip at one step is caught there and not blurred by the rest.
    void ddimRunMatchesDiffusers() {
        QFETCH(QString, name);
        const std::string folder = goldenFolder(qPrintable(name));
        UNet2DModel model = UNet2DModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        const torch::Tensor trajectory = golden.at("ddim_trajectory", folder);
        const torch::Tensor timesteps = golden.at("ddim_timesteps", folder);

        SampleRequest request;
        request.initialNoise = golden.at("ddim_noise", folder);
        if (golden.tensors.count("class_labels")) request.classLabels = golden.tensors.at("class_labels");
        request.sampler = SamplerKind::DDIM;
        request.steps = static_cast<int>(trajectory.size(0));
        request.eta = 0.0;
        request.spacing = TimestepSpacing::Leading;

        std::vector<int64_t> seenTimesteps;
        double worst = 0.0;
        int worstStep = -1;
        SampleCallbacks callbacks;
        callbacks.onStep = [&](const StepEvent& e) {
            seenTimesteps.push_back(e.timestep);
            const double err = relativeError(*e.sampleAfter, trajectory[e.index]);
            if (err > worst) worst = err, worstStep = e.index;
        };
        const SampleResult result = runSampler(model, goldenDdimConfig(), request, callbacks);

        QCOMPARE(torch::tensor(seenTimesteps).equal(timesteps), true);
        QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("%1: relative error %2 at step %3").arg(name).arg(worst).arg(worstStep)));
        QVERIFY(relativeError(result.samples, trajectory[-1]) < 1e-4);
    }

    // Regression: LibTorch 1.13's small-matrix baddbmm turned uninitialised
    // memory into NaN in about a quarter of these forward passes (2×2 attention
    // map, one head of 16 channels) until the attention scores were computed in
    // place on zeros. Every repetition must now give the same finite output.
    void smallAttentionIsDeterministic() {
        const std::string folder = goldenFolder("unet2d_timestep_class");
        UNet2DModel model = UNet2DModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        torch::NoGradGuard noGrad;
        const auto run = [&] {
            return model.forward(golden.at("sample", folder), golden.at("timestep", folder),
                                 golden.at("class_labels", folder));
        };
        const torch::Tensor first = run();
        int differing = 0;
        for (int i = 0; i < 200; ++i) differing += !torch::equal(run(), first);
        QCOMPARE(differing, 0);
        QVERIFY(torch::isfinite(first).all().item<bool>());
    }

    void samplersMatchDiffusers_data() {
        QTest::addColumn<QString>("run");
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<QString>("spacing");
        QTest::newRow("PNDM (PLMS), leading") << "pndm_leading" << "pndm" << "leading";
        QTest::newRow("PNDM (PLMS), trailing") << "pndm_trailing" << "pndm" << "trailing";
        QTest::newRow("Euler, leading") << "euler_leading" << "euler" << "leading";
        QTest::newRow("Euler, trailing") << "euler_trailing" << "euler" << "trailing";
        QTest::newRow("DPM-Solver++ 2M, leading") << "dpmpp2m_leading" << "dpmpp2m" << "leading";
        QTest::newRow("DPM-Solver++ 2M, linspace") << "dpmpp2m_linspace" << "dpmpp2m" << "linspace";
    }

    // PNDM, Euler and DPM-Solver++ 2M from diffusers' noise: the timesteps
    // (each sampler's own spacing rules, PLMS's repeated warm-up step) and
    // every intermediate sample.
    void samplersMatchDiffusers() {
        QFETCH(QString, run);
        QFETCH(QString, sampler);
        QFETCH(QString, spacing);
        const std::string folder = goldenFolder("unet2d_class_attention");
        UNet2DModel model = UNet2DModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        const std::string runsPath = folder + "/golden_samplers.safetensors";
        const TensorFile runs = loadSafetensors(runsPath);
        const torch::Tensor trajectory = runs.at(run.toStdString() + "_trajectory", runsPath);
        const torch::Tensor timesteps = runs.at(run.toStdString() + "_timesteps", runsPath);

        SampleRequest request;
        request.initialNoise = runs.at("noise", runsPath);
        request.classLabels = golden.at("class_labels", folder);
        request.sampler = parseSamplerKind(sampler.toStdString());
        request.steps = 10;
        request.spacing = parseSpacing(spacing.toStdString());
        std::vector<int64_t> seen;
        double worst = 0.0;
        int worstStep = -1;
        SampleCallbacks callbacks;
        callbacks.onStep = [&](const StepEvent& e) {
            seen.push_back(e.timestep);
            const double err = relativeError(*e.sampleAfter, trajectory[e.index]);
            if (err > worst) worst = err, worstStep = e.index;
        };
        runSampler(model, goldenDdimConfig(), request, callbacks);
        QVERIFY2(torch::tensor(seen).equal(timesteps),
                 qPrintable(QStringLiteral("%1: %2 timesteps, diffusers %3").arg(run).arg(seen.size()).arg(timesteps.size(0))));
        QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("%1: relative error %2 at step %3").arg(run).arg(worst).arg(worstStep)));
    }

    // Calibration data labels its steps with the sampler's own timesteps:
    // PNDM's list has N + 1 entries with one repeated, DPM-Solver++ its own spacing.
    void calibrationDataFollowsTheSampler() {
        UNet2DModel model = UNet2DModel::load(goldenFolder("unet2d_class_attention"));
        for (SamplerKind kind : {SamplerKind::PNDM, SamplerKind::DPMSolverPP2M}) {
            CalibrationDataSettings settings;
            settings.samples = 2;
            settings.batchSize = 2;
            settings.trajectory.sampler = kind;
            settings.trajectory.steps = 4;
            const std::vector<int64_t> expected = samplerTimesteps(goldenDdimConfig(), kind, 4, TimestepSpacing::Leading);
            settings.steps = static_cast<int>(expected.size());
            const CalibrationData data = collectCalibrationData(model, goldenDdimConfig(), settings);
            QCOMPARE(data.trajectoryTimesteps, expected);
            // Every visited step is kept, the last included, each under its own timestep.
            QCOMPARE(data.size(), int64_t(2 * expected.size()));
            for (int64_t i = 0; i < data.size(); ++i)
                QCOMPARE(data.timesteps[i].item<int64_t>(),
                         expected[static_cast<std::size_t>(data.stepIndex[i].item<int64_t>())]);
        }
        QCOMPARE(samplerTimesteps(goldenDdimConfig(), SamplerKind::PNDM, 4, TimestepSpacing::Leading).size(), std::size_t(5));
    }

    void samplersRejectWhatTheyCannotDo() {
        // Multistep samplers keep history: steps out of order are an error, not a wrong result.
        Scheduler pndm(goldenDdimConfig(), SamplerKind::PNDM, 4, 0.0, TimestepSpacing::Leading);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
        const torch::Tensor x = torch::zeros({1, 1, 2, 2});
        QVERIFY(test::errorOf([&] { pndm.step(x, 1, x, gen); }).contains("in order"));
        // PNDM's repeated timestep cannot carry per-step grids, which are keyed by timestep.
        QTemporaryDir dir;
        const test::CliResult perStep = test::runCli({"-q", "calibrate", "--preset", "W8A8", "--per-step", "--scheduler",
                                                      "pndm", "--steps", "5", "--out", dir.path() + "/q"});
        QVERIFY(perStep.exitCode != 0);
        QVERIFY2(perStep.err.contains("PNDM evaluates one timestep twice"), qPrintable(perStep.err));
        const SchedulerConfig config = goldenDdimConfig();
        QVERIFY(test::errorOf([&] { Scheduler(config, SamplerKind::Euler, 10, 0.0, TimestepSpacing::Linspace); })
                    .contains("fractional timesteps"));
        QVERIFY(test::errorOf([&] { Scheduler(config, SamplerKind::DPMSolverPP2M, 10, 0.0, TimestepSpacing::Quad); })
                    .contains("quad"));
        QVERIFY(test::errorOf([&] { parseSamplerKind("heun"); }).contains("dpmpp2m"));
    }

    // The check can fail: a perturbed weight moves the output far outside the tolerance.
    void perturbedWeightsAreCaught() {
        const std::string folder = goldenFolder("unet2d_class_attention");
        UNet2DModel model = UNet2DModel::load(folder);
        const TensorFile golden = loadSafetensors(folder + "/golden.safetensors");
        torch::NoGradGuard noGrad;
        auto state = model.stateDict();
        state.at("mid_block.attentions.0.to_q.weight").mul_(1.01);
        const torch::Tensor out = model.forward(golden.at("sample", folder), golden.at("timestep", folder),
                                                golden.at("class_labels", folder));
        QVERIFY(relativeError(out, golden.at("out", folder)) > 1e-4);
    }
};

QObject* makeGoldenTest() { return new GoldenTest; }

#include "test_golden.moc"
