// Fashion-MNIST from Debian's dataset-fashion-mnist package.
#include <QTemporaryDir>
#include <QTest>
#include <torch/torch.h>

#include "core/io/fashion_mnist.h"
#include "tests/core/test_support.h"

using namespace dq;

class FashionMnistTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadsBothSplits() {
        ImageDataset train = loadFashionMnist(DatasetSplit::Train);
        ImageDataset test = loadFashionMnist(DatasetSplit::Test);
        QCOMPARE(train.images.sizes().vec(), std::vector<int64_t>({60000, 1, 28, 28}));
        QCOMPARE(test.images.sizes().vec(), std::vector<int64_t>({10000, 1, 28, 28}));
        QCOMPARE(test.labels.size(0), int64_t(10000));
        QCOMPARE(train.labels.size(0), int64_t(60000));
        QCOMPARE(train.labels.min().item<int64_t>(), int64_t(0));
        QCOMPARE(train.labels.max().item<int64_t>(), int64_t(9));
        QVERIFY(torch::equal(torch::bincount(train.labels), torch::full({10}, 6000, torch::kInt64)));
        QCOMPARE(test.labels.min().item<int64_t>(), int64_t(0));
        QCOMPARE(test.labels.max().item<int64_t>(), int64_t(9));
        // Balanced: 1,000 test images per class.
        QVERIFY(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kInt64)));
        QCOMPARE(train.images.min().item<float>(), -1.0f);
        QCOMPARE(train.images.max().item<float>(), 1.0f);
        QVERIFY(train.images.mean().item<float>() > -0.9f);  // not all background
    }

    void padsTo32() {
        ImageDataset test = loadFashionMnist(DatasetSplit::Test, {}, true);
        QCOMPARE(test.images.sizes().vec(), std::vector<int64_t>({10000, 1, 32, 32}));
        QVERIFY(torch::all(test.images.narrow(2, 0, 2) == -1.0f).item<bool>());
        QCOMPARE(QString(fashionMnistClassName(9)), QString("Ankle boot"));
    }

    void missingDatasetNamesThePackage() {
        QTemporaryDir empty;
        const QString message = test::errorOf([&] { loadFashionMnist(DatasetSplit::Test, empty.path().toStdString()); });
        QVERIFY2(message.contains("dataset-fashion-mnist") && message.contains(empty.path()), qPrintable(message));
    }
};

QObject* makeFashionMnistTest() { return new FashionMnistTest; }
#include "test_fashion_mnist.moc"
