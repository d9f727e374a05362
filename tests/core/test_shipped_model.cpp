// The shipped Fashion-MNIST model and its feature network: the classifier is
// accurate on the real test set, the real-data floor is low, and the model's
// guided samples are finite garments of the requested class.
#include <QFile>
#include <QTest>
#include <torch/torch.h>

#include "core/io/fashion_mnist.h"
#include "core/metrics/evaluation.h"
#include "core/metrics/feature_net.h"
#include "core/model/model_folder.h"
#include "core/sampling/pipeline.h"

using namespace dq;

class ShippedModelTest : public QObject {
    Q_OBJECT
    std::string folder_;

    FeatureNet featureNet() { return loadFeatureNet(folder_ + "/feature_net.safetensors", torch::kCPU); }

private Q_SLOTS:
    void initTestCase() {
        folder_ = DQ_SHIPPED_MODEL_DIR;
        QVERIFY2(QFile::exists(QString::fromStdString(folder_ + "/config.json")), folder_.c_str());
    }

    void classifierIsAccurateOnTheTestSet() {
        FeatureNet net = featureNet();
        const ImageDataset test = loadFashionMnist(DatasetSplit::Test, {}, true);
        const double accuracy = classifierAccuracy(net, test.images, test.labels);
        QVERIFY2(accuracy >= 0.90, std::to_string(accuracy).c_str());
    }

    void realDataFloorIsLowAndNoiseIsFar() {
        FeatureNet net = featureNet();
        const std::string featuresPath = folder_ + "/feature_net.safetensors";
        const ReferenceStats reference = loadOrComputeTestStats(net, featuresPath, folder_);
        const ImageDataset train = loadFashionMnist(DatasetSplit::Train, {}, true);
        const EvalResult real = scoreImages(net, reference, train.images.narrow(0, 0, 5000),
                                            train.labels.narrow(0, 0, 5000));
        const EvalResult noise = scoreImages(net, reference, torch::rand({5000, 1, 32, 32}) * 2 - 1, {});
        QVERIFY2(real.fid < 5.0, std::to_string(real.fid).c_str());
        QVERIFY2(noise.fid > 50 * std::max(real.fid, 0.1), std::to_string(noise.fid).c_str());
        QVERIFY(real.classAccuracy > 0.9);
    }

    void guidedSamplesAreFiniteAndOfTheRequestedClass() {
        LoadedModel loaded = loadModelFolder(folder_);
        QCOMPARE(realClassCount(loaded.unet), 10);
        SampleRequest request;
        request.batch = 30;  // three per class
        request.seed = 7;
        request.steps = 25;
        // 1.5 is this model's useful guidance: 93.0 % on class over 5,000 samples at 50 steps
        // (MODEL_CARD.md); 30 samples at 25 steps must still reach 70 %.
        request.guidanceScale = 1.5;
        const SampleResult r = runSampler(loaded.unet, loaded.scheduler, request);
        QCOMPARE(r.samples.sizes().vec(), (std::vector<int64_t>{30, 1, 32, 32}));
        QVERIFY(torch::isfinite(r.samples).all().item<bool>());
        FeatureNet net = featureNet();
        const double onClass = classifierAccuracy(net, r.samples.clamp(-1, 1), r.classLabels);
        QVERIFY2(onClass >= 0.7, std::to_string(onClass).c_str());
    }
};

QObject* makeShippedModelTest() { return new ShippedModelTest; }
#include "test_shipped_model.moc"
