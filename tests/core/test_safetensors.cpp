// safetensors: round trips of every dtype and rejection of malformed files.
#include <fstream>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_format.h"
#include "tests/core/test_support.h"

using namespace dq;

namespace {

// Writes prefix + header + data bytes exactly as given.
void writeRaw(const std::string& path, const std::string& header, const std::string& data, int64_t lengthOverride = -1) {
    std::ofstream out(path, std::ios::binary);
    uint64_t length = lengthOverride >= 0 ? static_cast<uint64_t>(lengthOverride) : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
    out << header << data;
}

}  // namespace

class SafetensorsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string path(const char* name) { return (dir_.path() + "/" + name).toStdString(); }

private Q_SLOTS:
    void roundTripsEveryDtype_data() {
        QTest::addColumn<int>("dtype");
        const std::pair<const char*, torch::ScalarType> types[] = {
            {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16}, {"F64", torch::kFloat64},
            {"I64", torch::kInt64},   {"I32", torch::kInt32},   {"I16", torch::kInt16},     {"I8", torch::kInt8},
            {"U8", torch::kUInt8},    {"BOOL", torch::kBool}};
        for (const auto& [name, type] : types) QTest::newRow(name) << static_cast<int>(type);
    }
    void roundTripsEveryDtype() {
        QFETCH(int, dtype);
        const auto type = static_cast<torch::ScalarType>(dtype);
        torch::manual_seed(1);
        torch::Tensor a = (torch::randn({3, 5, 7}) * 50).to(type);
        torch::Tensor scalar = torch::ones({}, torch::TensorOptions().dtype(type));
        torch::Tensor empty = torch::empty({0, 4}, torch::TensorOptions().dtype(type));
        const std::string file = path("roundtrip.safetensors");
        saveSafetensors(file, {{"a", a}, {"scalar", scalar}, {"empty", empty}}, {{"format", "pt"}, {"note", "x"}});
        TensorFile loaded = loadSafetensors(file);
        QCOMPARE(loaded.tensors.size(), std::size_t(3));
        QCOMPARE(loaded.metadata.at("note"), std::string("x"));
        QCOMPARE(loaded.at("a", file).scalar_type(), type);
        QVERIFY(torch::equal(loaded.at("a", file), a));
        QCOMPARE(loaded.at("scalar", file).dim(), int64_t(0));
        QVERIFY(torch::equal(loaded.at("scalar", file), scalar));
        QCOMPARE(loaded.at("empty", file).sizes().vec(), std::vector<int64_t>({0, 4}));
    }

    void headerIsPaddedAndAligned() {
        const std::string file = path("aligned.safetensors");
        saveSafetensors(file, {{"x", torch::arange(10, torch::kFloat32)}});
        std::ifstream in(file, std::ios::binary);
        unsigned char prefix[8];
        in.read(reinterpret_cast<char*>(prefix), 8);
        QCOMPARE(int(prefix[0] % 8), 0);
        // Loaded (memory-mapped) tensors are writable in memory without changing the file.
        TensorFile loaded = loadSafetensors(file);
        torch::Tensor x = loaded.at("x", file);
        x.add_(1);
        QCOMPARE(x[9].item<float>(), 10.0f);
        QVERIFY(torch::equal(loadSafetensors(file).at("x", file), torch::arange(10, torch::kFloat32)));
    }

    void readsUnalignedData() {
        // A header whose length is not a multiple of 8 leaves F32 data unaligned.
        const std::string header = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        QVERIFY(header.size() % 4 != 0);
        float values[2] = {1.5f, -2.25f};
        writeRaw(path("unaligned.safetensors"), header, std::string(reinterpret_cast<char*>(values), 8));
        TensorFile loaded = loadSafetensors(path("unaligned.safetensors"));
        QCOMPARE(loaded.tensors.at("x")[1].item<float>(), -2.25f);
    }

    void rejectsMalformedFiles_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<qint64>("lengthOverride");
        QTest::addColumn<QString>("expected");
        const QString ok = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        QTest::newRow("length past end") << ok << 8 << qint64(4096) << "runs past the end";
        QTest::newRow("huge length") << ok << 8 << qint64(200000000000LL) << "100 MB";
        QTest::newRow("bad json") << R"({"w":{"dtype":"F32",)" << 0 << qint64(-1) << "not valid JSON";
        QTest::newRow("not object") << "[1,2,3]" << 0 << qint64(-1) << "not a JSON object";
        QTest::newRow("unknown dtype") << R"({"w":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}})" << 2 << qint64(-1)
                                       << "'w' has unsupported dtype";
        QTest::newRow("span mismatch") << R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << 8
                                       << qint64(-1) << "'w' spans 8 bytes but its shape and dtype need 12";
        QTest::newRow("outside data") << R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" << 4
                                      << qint64(-1) << "'w' ends at byte 8";
        QTest::newRow("overlap") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})"
                                 << 12 << qint64(-1) << "'b' overlaps";
        QTest::newRow("gap") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})" << 8 << qint64(-1)
                             << "gap of 4 bytes before tensor 'a'";
        QTest::newRow("trailing bytes") << ok << 12 << qint64(-1) << "4 bytes after the last tensor";
        QTest::newRow("negative dim") << R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})" << 8
                                      << qint64(-1) << "'w' has a shape entry";
        QTest::newRow("huge shape") << R"({"w":{"dtype":"F64","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})"
                                    << 8 << qint64(-1) << "'w' has a shape too large";
        QTest::newRow("missing field") << R"({"w":{"dtype":"F32","shape":[2]}})" << 0 << qint64(-1)
                                       << "'w' lacks one of";
        QTest::newRow("reversed offsets") << R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})" << 8
                                          << qint64(-1) << "'w' ends before it begins";
        QTest::newRow("bad metadata") << R"({"__metadata__":{"a":1}})" << 0 << qint64(-1) << "__metadata__ key 'a'";
    }
    void rejectsMalformedFiles() {
        QFETCH(QString, header);
        QFETCH(int, dataBytes);
        QFETCH(qint64, lengthOverride);
        QFETCH(QString, expected);
        const std::string file = path("bad.safetensors");
        writeRaw(file, header.toStdString(), std::string(static_cast<std::size_t>(dataBytes), '\0'), lengthOverride);
        const QString message = test::errorOf([&] { loadSafetensors(file); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
    }

    void rejectsTinyAndMissingFiles() {
        const std::string tiny = path("tiny.safetensors");
        std::ofstream(tiny, std::ios::binary) << "abc";
        QVERIFY(test::errorOf([&] { loadSafetensors(tiny); }).contains("shorter than the 8-byte"));
        QVERIFY(test::errorOf([&] { loadSafetensors(path("nope.safetensors")); }).contains("Cannot open"));
    }

    void hostileNestingGivesAnError() {
        // A dtype nested 200,000 arrays deep: parsed without recursion, reported briefly.
        const std::string header = R"({"w":{"dtype":)" + std::string(200000, '[') + std::string(200000, ']') +
                                   R"(,"shape":[0],"data_offsets":[0,0]}})";
        writeRaw(path("nested.safetensors"), header, "");
        const QString message = test::errorOf([&] { loadSafetensors(path("nested.safetensors")); });
        QVERIFY2(message.contains("unsupported dtype an array"), qPrintable(message.left(200)));
    }

    void interruptedWriteKeepsOldFile() {
        const std::string file = path("atomic.txt");
        writeTextFileAtomically(file, "old content");
        const QString message = test::errorOf([&] {
            writeFileAtomically(file, [](std::ostream& out) {
                out << "half of the new con";
                throw Error("simulated failure halfway");
            });
        });
        QVERIFY(message.contains("halfway"));
        QCOMPARE(readTextFile(file), std::string("old content"));
        QCOMPARE(QDir(dir_.path()).entryList({"atomic.txt.tmp*"}, QDir::Files).size(), 0);
    }

    void failedSaveKeepsOldFile() {
        const std::string file = path("keep.safetensors");
        saveSafetensors(file, {{"x", torch::ones({2})}});
        // complex tensors have no safetensors dtype: the save must fail cleanly.
        const QString message = test::errorOf([&] {
            saveSafetensors(file, {{"z", torch::ones({2}, torch::kComplexFloat)}});
        });
        QVERIFY2(message.contains("'z'"), qPrintable(message));
        QVERIFY(torch::equal(loadSafetensors(file).at("x", file), torch::ones({2})));
    }
};

QObject* makeSafetensorsTest() { return new SafetensorsTest; }
#include "test_safetensors.moc"
