// UNet2DModel: config parsing, loading (current and legacy key names),
// rejection of bad configs and weights, shapes, and the interception points.
#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "core/model/model_folder.h"
#include "core/model/unet2d.h"
#include "tests/core/test_support.h"

using namespace dq;
using nlohmann::json;

namespace {

json tinyJson() { return json::parse(readTextFile(test::dataDir() + "/tiny_unet_config.json")); }

UNetConfig parse(const json& j) { return UNetConfig::fromJson(j.dump(), "config.json"); }

torch::Tensor runTiny(const UNet2DModel& model, int batch = 2) {
    torch::NoGradGuard guard;
    torch::manual_seed(3);
    const auto& c = model.config();
    torch::Tensor x = torch::randn({batch, c.inChannels, c.sampleSize, c.sampleSize});
    torch::Tensor t = torch::tensor({10, 500}).narrow(0, 0, batch);
    torch::Tensor labels = c.isClassConditional() ? torch::tensor({1, 3}).narrow(0, 0, batch) : torch::Tensor();
    return model.forward(x, t, labels);
}

// Records every call and can scale one site's input.
struct RecordingInterceptor : Interceptor {
    std::vector<std::string> inputs;
    std::vector<int> stepIndices;
    std::string scaleSite;
    torch::Tensor onInput(const SiteInfo& site, const torch::Tensor& x, const StepContext& step) override {
        inputs.push_back(site.name);
        stepIndices.push_back(step.stepIndex);
        return site.name == scaleSite ? x * 2 : x;
    }
};

// Keeps every unit's inputs and output from one forward pass.
struct UnitRecorder : UnitObserver {
    std::vector<std::string> order;
    std::map<std::string, UnitInputs> inputs;
    std::map<std::string, torch::Tensor> outputs;
    void onUnitInput(const UnitInfo& unit, const UnitInputs& in, const StepContext&) override {
        order.push_back(unit.name);
        inputs[unit.name] = in;
    }
    void onUnitOutput(const UnitInfo& unit, const torch::Tensor& out, const StepContext&) override {
        outputs[unit.name] = out;
    }
};

}  // namespace

class UNetModelTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void parsesDefaultsAndKeys() {
        json j = tinyJson();
        UNetConfig c = parse(j);
        QCOMPARE(c.blockOutChannels, std::vector<int>({16, 32}));
        QCOMPARE(c.downsamplePadding, 0);
        QCOMPARE(c.flipSinToCos, false);
        QCOMPARE(*c.nullClassLabel, 10);
        QCOMPARE(c.timeEmbedDim(), 64);
        json minimal = {{"block_out_channels", {32, 64, 96, 128}}};
        UNetConfig d = parse(minimal);
        QCOMPARE(*d.attentionHeadDim, 8);
        QCOMPARE(d.normNumGroups, 32);
        QCOMPARE(d.normEps, 1e-5);
        QCOMPARE(d.downsamplePadding, 1);
        QCOMPARE(d.flipSinToCos, true);
        QCOMPARE(d.layersPerBlock, 2);
        QVERIFY(d.downBlocks[1] == DownBlockType::Attention);
        // The config round-trips through toJson.
        UNetConfig again = UNetConfig::fromJson(c.toJson(), "again");
        QCOMPARE(again.toJson(), c.toJson());
    }

    void rejectsUnsupportedConfigs_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("block type") << "down_block_types" << R"(["DownBlock2D","CrossAttnDownBlock2D"])";
        QTest::newRow("fourier") << "time_embedding_type" << R"("fourier")";
        QTest::newRow("act") << "act_fn" << R"("gelu")";
        QTest::newRow("scale shift") << "resnet_time_scale_shift" << R"("scale_shift")";
        QTest::newRow("unknown key") << "cross_attention_dim" << "768";
        QTest::newRow("padding") << "downsample_padding" << "2";
        QTest::newRow("groups") << "norm_num_groups" << "5";
        QTest::newRow("wrong type") << "layers_per_block" << R"("two")";
        QTest::newRow("class type") << "class_embed_type" << R"("identity")";
        QTest::newRow("resnet down") << "downsample_type" << R"("resnet")";
        QTest::newRow("zero groups") << "norm_num_groups" << "0";
        QTest::newRow("attn groups") << "attn_norm_num_groups" << "0";
        QTest::newRow("head dim") << "attention_head_dim" << "7";
        QTest::newRow("channels") << "in_channels" << "0";
        QTest::newRow("null class") << "_null_class_label" << "11";
        QTest::newRow("nested value") << "act_fn" << "[[[[1]]]]";
    }
    void rejectsUnsupportedConfigs() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        json j = tinyJson();
        j[key.toStdString()] = json::parse(value.toStdString());
        const QString message = test::errorOf([&] { parse(j); });
        QVERIFY2(message.contains("'" + key + "'"), qPrintable(message));
    }

    void savesAndLoadsIdentically() {
        const std::string folder = (dir_.path() + "/tiny").toStdString();
        test::writeModelFolder(folder, test::tinyConfig(), 7);
        LoadedModel loaded = loadModelFolder(folder);
        UNet2DModel fresh(test::tinyConfig());
        fresh.initializeRandom(7);
        QVERIFY(torch::equal(runTiny(loaded.unet), runTiny(fresh)));
        UNet2DModel other(test::tinyConfig());
        other.initializeRandom(8);
        QVERIFY(!torch::allclose(runTiny(other), runTiny(fresh)));
    }

    void loadsLegacyAttentionKeys() {
        const std::string current = (dir_.path() + "/current").toStdString();
        const std::string legacy = (dir_.path() + "/legacy").toStdString();
        test::writeModelFolder(current, test::tinyConfig(), 11);
        std::filesystem::create_directories(legacy);
        std::filesystem::copy_file(current + "/config.json", legacy + "/config.json");
        TensorFile weights = loadSafetensors(current + "/diffusion_pytorch_model.safetensors");
        std::map<std::string, torch::Tensor> renamed;
        int renames = 0;
        for (const auto& [key, t] : weights.tensors) {
            std::string k = key;
            for (auto [from, to] : {std::pair{".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."},
                                    {".to_out.0.", ".proj_attn."}}) {
                if (auto pos = k.find(from); pos != std::string::npos) {
                    k.replace(pos, std::strlen(from), to);
                    ++renames;
                }
            }
            renamed.emplace(k, t.clone());
        }
        QCOMPARE(renames, 32);  // four attention blocks × four projections × weight/bias
        saveSafetensors(legacy + "/diffusion_pytorch_model.safetensors", renamed);
        QVERIFY(torch::equal(runTiny(UNet2DModel::load(legacy)), runTiny(UNet2DModel::load(current))));
    }

    void rejectsMismatchedWeights() {
        const std::string folder = (dir_.path() + "/bad").toStdString();
        test::writeModelFolder(folder, test::tinyConfig(), 1);
        const std::string weightsPath = folder + "/diffusion_pytorch_model.safetensors";
        auto original = loadSafetensors(weightsPath).tensors;
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& [k, v] : original) tensors.emplace(k, v.clone());

        auto missing = tensors;
        missing.erase("mid_block.resnets.1.conv2.weight");
        saveSafetensors(weightsPath, missing);
        QVERIFY(test::errorOf([&] { UNet2DModel::load(folder); }).contains("lacks tensor 'mid_block.resnets.1.conv2.weight'"));

        auto extra = tensors;
        extra.emplace("mid_block.extra.weight", torch::ones({1}));
        saveSafetensors(weightsPath, extra);
        QVERIFY(test::errorOf([&] { UNet2DModel::load(folder); }).contains("'mid_block.extra.weight'"));

        auto misshaped = tensors;
        misshaped["conv_in.weight"] = torch::ones({16, 1, 5, 5});
        saveSafetensors(weightsPath, misshaped);
        const QString message = test::errorOf([&] { UNet2DModel::load(folder); });
        QVERIFY2(message.contains("'conv_in.weight'") && message.contains("[16,1,5,5]") && message.contains("[16,1,3,3]"),
                 qPrintable(message));
    }

    void outputShapesForSeveralConfigs_data() {
        QTest::addColumn<QString>("patch");
        QTest::newRow("tiny") << "{}";
        QTest::newRow("padding 1, flip") << R"({"downsample_padding":1,"flip_sin_to_cos":true,"freq_shift":0})";
        QTest::newRow("one head per block") << R"({"attention_head_dim":null})";
        QTest::newRow("unconditional rgb") << R"({"num_class_embeds":null,"in_channels":3,"out_channels":3})";
        QTest::newRow("timestep class embedding") << R"({"num_class_embeds":null,"class_embed_type":"timestep"})";
        QTest::newRow("no mid attention") << R"({"add_attention":false,"mid_block_scale_factor":1.414})";
        QTest::newRow("no mid block") << R"({"mid_block_type":null})";
        QTest::newRow("three levels") << R"({"block_out_channels":[8,16,16],"down_block_types":["DownBlock2D","AttnDownBlock2D","DownBlock2D"],"up_block_types":["UpBlock2D","AttnUpBlock2D","UpBlock2D"],"layers_per_block":2,"center_input_sample":true,"out_channels":2})";
    }
    void outputShapesForSeveralConfigs() {
        QFETCH(QString, patch);
        json j = tinyJson();
        j.merge_patch(json::parse(patch.toStdString()));
        UNet2DModel model(parse(j));
        model.initializeRandom(5);
        torch::Tensor out = runTiny(model);
        const auto& c = model.config();
        QCOMPARE(out.sizes().vec(), std::vector<int64_t>({2, c.outChannels, c.sampleSize, c.sampleSize}));
        QVERIFY(torch::isfinite(out).all().item<bool>());
    }

    void rejectsBadInputs() {
        UNet2DModel model(test::tinyConfig());
        model.initializeRandom(1);
        torch::NoGradGuard guard;
        torch::Tensor x = torch::randn({2, 1, 16, 16});
        QVERIFY(test::errorOf([&] { model.forward(x, torch::tensor({1, 2})); }).contains("class labels are required"));
        QVERIFY(test::errorOf([&] { model.forward(x, torch::tensor({1, 2}), torch::tensor({0, 11})); })
                    .contains("Class label 11"));
        QVERIFY(test::errorOf([&] { model.forward(torch::randn({2, 3, 16, 16}), torch::tensor({1, 2})); })
                    .contains("[B,1,H,W]"));
        QVERIFY(test::errorOf([&] { model.forward(torch::randn({2, 1, 15, 16}), torch::tensor({1, 2})); })
                    .contains("multiples of 2"));
        QVERIFY(test::errorOf([&] { model.forward(x, torch::tensor({1, 2}), torch::tensor({0.5f, 1.0f})); })
                    .contains("integers"));
        QVERIFY(test::errorOf([&] { model.forward(torch::zeros({0, 1, 16, 16}), torch::tensor({1})); }).contains("empty"));
        // A scalar or one-element timestep (and label) is broadcast to the batch.
        torch::Tensor labels = torch::tensor({4, 4});
        const torch::Tensor expected = model.forward(x, torch::tensor({7, 7}), labels);
        QVERIFY(torch::equal(model.forward(x, torch::tensor(7), labels), expected));
        QVERIFY(torch::equal(model.forward(x, torch::tensor({7}), torch::tensor({4})), expected));
    }

    void timestepEmbeddingMatchesFormula() {
        // dim 8, shift 1: freq_i = exp(-ln(10000) * i / (4 - 1)).
        torch::Tensor emb = sinusoidalEmbedding(torch::tensor({3.0f}), 8, false, 1.0);
        for (int i = 0; i < 4; ++i) {
            const double arg = 3.0 * std::exp(-std::log(10000.0) * i / 3.0);
            QVERIFY(std::abs(emb[0][i].item<double>() - std::sin(arg)) < 1e-6);
            QVERIFY(std::abs(emb[0][i + 4].item<double>() - std::cos(arg)) < 1e-6);
        }
        torch::Tensor flipped = sinusoidalEmbedding(torch::tensor({3.0f}), 8, true, 1.0);
        QVERIFY(torch::equal(flipped.narrow(1, 0, 4), emb.narrow(1, 4, 4)));
    }

    void interceptionPointsSeeEveryCall() {
        UNet2DModel model(test::tinyConfig());
        model.initializeRandom(2);
        torch::Tensor reference = runTiny(model);
        RecordingInterceptor recorder;
        model.setInterceptor(&recorder);
        model.setStep(StepContext{4, 10, 500});
        torch::Tensor observed = runTiny(model);
        QVERIFY(torch::equal(observed, reference));  // observing changes nothing
        // One call per site, in the execution order the model reports.
        std::vector<std::string> expected;
        for (const auto& s : model.sites()) expected.push_back(s.name);
        QCOMPARE(recorder.inputs, expected);
        QVERIFY(std::all_of(recorder.stepIndices.begin(), recorder.stepIndices.end(), [](int i) { return i == 4; }));

        // Replacing the input of one site changes the output.
        recorder.scaleSite = "up_blocks.0.resnets.0.conv_shortcut";
        QVERIFY(!torch::allclose(runTiny(model), reference));
        recorder.scaleSite = "mid_block.attentions.0.softmax";
        QVERIFY(!torch::allclose(runTiny(model), reference));
        model.setInterceptor(nullptr);
        QVERIFY(torch::equal(runTiny(model), reference));
    }

    void sitesFollowExecutionOrderWithTimestepClassEmbedding() {
        json j = tinyJson();
        j["class_embed_type"] = "timestep";
        j.erase("num_class_embeds");
        UNet2DModel model(parse(j));
        model.initializeRandom(5);
        RecordingInterceptor recorder;
        model.setInterceptor(&recorder);
        torch::NoGradGuard guard;
        model.forward(torch::randn({2, 1, 16, 16}), torch::tensor({3, 700}), torch::tensor({40, 900}));
        std::vector<std::string> expected;
        for (const auto& s : model.sites()) expected.push_back(s.name);
        QCOMPARE(recorder.inputs, expected);
        QCOMPARE(expected.front(), std::string("time_embedding.linear_1"));
        QCOMPARE(expected[2], std::string("class_embedding.linear_1"));
    }

    // A leaf of the module tree on its own: names come from the tree (here the
    // root, so bare "weight"), and a layer may have no bias, as SD's to_q/k/v.
    void weightedLayerWithoutBias() {
        WeightedLayer layer(WeightedLayer::Linear{4, 3}, /*withBias=*/false);
        layer.nameTree();
        std::vector<ParameterSlot> params;
        layer.collectParameters(params);
        QCOMPARE(params.size(), std::size_t(1));
        QCOMPARE(params[0].info.name, std::string("weight"));
        QCOMPARE(params[0].info.shape, std::vector<int64_t>({3, 4}));
        layer.weight = torch::randn({3, 4});
        const torch::Tensor x = torch::randn({2, 4});
        QVERIFY(torch::allclose(layer.forward(x, InterceptionState{}), x.matmul(layer.weight.t())));
        QVERIFY(!layer.bias.defined());

        WeightedLayer biased(WeightedLayer::Conv{2, 5, 3, 1, 1});
        biased.nameTree();
        std::vector<ParameterSlot> biasedParams;
        biased.collectParameters(biasedParams);
        QCOMPARE(biasedParams.size(), std::size_t(2));
        QCOMPARE(biasedParams[1].info.name, std::string("bias"));
        QCOMPARE(biasedParams[1].info.fanIn, int64_t(18));
    }

    // The engine sees models only through Denoiser: the same forward pass with
    // a Conditioning value, the spec of what the model accepts, its sample shape.
    void denoiserInterfaceOfTheClassModel() {
        UNet2DModel model(test::tinyConfig());
        model.initializeRandom(3);
        const Denoiser& denoiser = model;
        const torch::Tensor x = torch::randn({2, 1, 16, 16});
        const torch::Tensor t = torch::tensor({5, 700});
        const torch::Tensor labels = torch::tensor({1, 10});
        QVERIFY(torch::equal(denoiser.forward(x, t, Conditioning::classLabels(labels)), model.forward(x, t, labels)));
        const ConditioningSpec spec = denoiser.conditioningSpec();
        QVERIFY(spec.kind == ConditioningKind::ClassLabels);
        QCOMPARE(spec.classCount, 10);
        QCOMPARE(*spec.nullClassLabel, 10);
        QVERIFY(spec.supportsGuidance());
        QCOMPARE(denoiser.sampleShape().channels, 1);
        QCOMPARE(denoiser.sampleShape().height, 16);
        QVERIFY(test::errorOf([&] { denoiser.forward(x, t, Conditioning::encoderStates(torch::zeros({2, 77, 8}))); })
                    .contains("encoder_hidden_states"));
        QVERIFY(test::errorOf([&] { Conditioning::encoderStates(torch::zeros({2, 8})); }).contains("[batch, tokens, dim]"));
        QVERIFY(test::errorOf([&] { Conditioning::cat(Conditioning::classLabels(labels), Conditioning()); })
                    .contains("different kinds"));
        const Conditioning both = Conditioning::cat(Conditioning::classLabels(labels), Conditioning::classLabels(labels));
        QCOMPARE(both.batch(), int64_t(4));
        QVERIFY(torch::equal(both.narrow(2, 2).tensor(), labels));

        UNetConfig unconditional = test::tinyConfig();
        unconditional.numClassEmbeds.reset();
        unconditional.nullClassLabel.reset();
        unconditional.classEmbedType = ClassEmbedType::None;
        const UNet2DModel plain(unconditional);
        QVERIFY(plain.conditioningSpec().kind == ConditioningKind::None);
        QVERIFY(!plain.conditioningSpec().supportsGuidance());
    }

    void unitsRunAloneGiveTheirOutputInsideTheNetwork() {
        UNet2DModel model(test::tinyConfig());
        model.initializeRandom(7);
        // An interceptor that changes one site inside a resnet and one inside
        // an attention block: running a unit alone must apply it the same way.
        RecordingInterceptor interceptor;
        interceptor.scaleSite = "up_blocks.0.resnets.1.conv1";
        model.setInterceptor(&interceptor);
        model.setStep(StepContext{2, 10, 300});
        UnitRecorder recorder;
        model.setUnitObserver(&recorder);
        const torch::Tensor full = runTiny(model);
        model.setUnitObserver(nullptr);
        QVERIFY(torch::equal(full, runTiny(model)));  // observing units changes nothing

        // Units cover every site exactly once, in execution order.
        std::vector<std::string> unitSites, unitNames;
        for (const UnitInfo& u : model.units()) {
            unitNames.push_back(u.name);
            unitSites.insert(unitSites.end(), u.sites.begin(), u.sites.end());
        }
        std::vector<std::string> siteNames;
        for (const auto& s : model.sites()) siteNames.push_back(s.name);
        QCOMPARE(unitSites, siteNames);
        QCOMPARE(recorder.order, unitNames);
        QCOMPARE(model.units().front().name, std::string("time_embedding.linear_1"));
        QVERIFY(model.units()[3].kind == UnitKind::Resnet);  // down_blocks.0.resnets.0 after conv_in

        torch::NoGradGuard guard;
        int resnets = 0, attentions = 0;
        for (std::size_t i = 0; i < model.units().size(); ++i) {
            const UnitInfo& u = model.units()[i];
            const torch::Tensor alone = model.runUnit(i, recorder.inputs.at(u.name));
            QVERIFY2(torch::equal(alone, recorder.outputs.at(u.name)), u.name.c_str());
            resnets += u.kind == UnitKind::Resnet;
            attentions += u.kind == UnitKind::Attention;
        }
        QCOMPARE(resnets, 1 + 1 + 2 + 2 + 2);  // down (1 per block), mid, up (2 per block)
        QCOMPARE(attentions, 1 + 1 + 2);      // down_blocks.1, mid, up_blocks.0
        QVERIFY(test::errorOf([&] { model.runUnit(model.units().size(), {}); }).contains("no reconstruction unit"));
    }

    void recordsShortcutSplitPoints() {
        UNet2DModel model(test::tinyConfig());
        std::map<std::string, SiteInfo> byName;
        for (const auto& s : model.sites()) byName[s.name] = s;
        QCOMPARE(byName.size(), model.sites().size());
        // up_blocks.0: prev 32 (mid) + skips 32,32 ; up_blocks.1: 32 + 16, 16 + 16.
        QCOMPARE(byName["up_blocks.0.resnets.0.conv1"].splitChannels, int64_t(32));
        QCOMPARE(byName["up_blocks.0.resnets.0.conv1"].inputChannels, int64_t(64));
        QCOMPARE(byName["up_blocks.0.resnets.0.conv_shortcut"].splitChannels, int64_t(32));
        QCOMPARE(byName["up_blocks.1.resnets.0.conv1"].inputChannels, int64_t(48));
        QCOMPARE(byName["up_blocks.1.resnets.1.conv_shortcut"].splitChannels, int64_t(16));
        QCOMPARE(byName["down_blocks.1.resnets.0.conv1"].splitChannels, int64_t(0));
        QVERIFY(byName.count("down_blocks.1.attentions.0.softmax"));
        QVERIFY(byName["down_blocks.1.attentions.0.softmax"].kind == SiteKind::AttentionProbs);
    }

    void matchesDdpmCifar10Layout() {
        // google/ddpm-cifar10-32's published config: 35,746,307 parameters in 328 tensors.
        json j = {{"block_out_channels", {128, 256, 256, 256}},
                  {"down_block_types", {"DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"}},
                  {"up_block_types", {"UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"}},
                  {"layers_per_block", 2}, {"attention_head_dim", nullptr}, {"norm_eps", 1e-6},
                  {"downsample_padding", 0}, {"flip_sin_to_cos", false}, {"freq_shift", 1}, {"sample_size", 32}};
        UNet2DModel model(parse(j));
        QCOMPARE(model.parameterCount(), int64_t(35746307));
        QCOMPARE(model.stateDict().size(), std::size_t(328));
    }
};

QObject* makeUNetModelTest() { return new UNetModelTest; }
#include "test_unet_model.moc"
