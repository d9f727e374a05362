// The corpus of hostile and broken inputs in tests/hostile: every case runs
// the real `diffquant` on a damaged file or a bad value and must end with a
// non-zero exit, one error line that names the culprit, and no output left
// behind. Add a case whenever a new way of breaking things is found.
//
// A case is a folder tests/hostile/<class>/<case>/ with
//   args     the command line, one argument per line; @CASE@ is the case's
//            working copy, @OUT@ an empty folder for outputs, @BASE@ a folder
//            with a small valid artifact, plan and calibration data;
//   expect   substrings the error line must contain, one per line;
//   prepare  (optional) steps that build the damaged inputs, one per line
//            (see applyStep below), so that large or binary inputs need not be
//            committed;
// and any small input files the case needs as they are.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>

#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/io/atomic_file.h"
#include "core/io/file_stamp.h"
#include "core/io/output_set.h"
#include "core/io/safetensors.h"
#include "core/validation/bounded_json.h"
#include "core/validation/json_fields.h"
#include "core/validation/message_text.h"
#include "tests/core/test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dq;

namespace {

const std::string kModel = DQ_SHIPPED_MODEL_DIR;

std::vector<std::string> lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') out.push_back(line);
    return out;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

void copyMissing(const std::string& from, const std::string& to) {
    fs::create_directories(to);
    for (const auto& entry : fs::directory_iterator(from)) {
        const fs::path target = fs::path(to) / entry.path().filename();
        if (!fs::exists(target) && entry.is_regular_file()) fs::copy_file(entry.path(), target);
    }
}

json readJson(const std::string& path) { return json::parse(readTextFile(path)); }

std::vector<int64_t> shapeOf(const std::string& text) {
    std::vector<int64_t> shape;
    std::stringstream in(text);
    for (std::string d; std::getline(in, d, ',');) shape.push_back(std::stoll(d));
    return shape;
}

// One preparation step. Paths are relative to the case's working copy.
void applyStep(const std::vector<std::string>& w, const std::string& root, const std::string& base) {
    const std::string& op = w.at(0);
    auto at = [&](std::size_t i) { return root + "/" + w.at(i); };
    // Files may be created in folders git does not keep (they would be empty).
    if (w.size() > 1) fs::create_directories(fs::path(at(1)).parent_path());
    if (op == "model") {  // model DIR: the shipped model's files, where the case has none
        copyMissing(kModel, at(1));
    } else if (op == "artifact") {  // artifact DIR: the base artifact's files, where the case has none
        copyMissing(base + "/artifact", at(1));
    } else if (op == "copy") {  // copy BASEFILE FILE
        fs::copy_file(base + "/" + w.at(1), at(2), fs::copy_options::overwrite_existing);
    } else if (op == "set") {  // set FILE JSON_POINTER JSON_VALUE
        json j = readJson(at(1));
        std::string value;
        for (std::size_t i = 3; i < w.size(); ++i) value += (i > 3 ? " " : "") + w[i];
        j[json::json_pointer(w.at(2))] = json::parse(value);
        writeTextFileAtomically(at(1), j.dump(1));
    } else if (op == "nest") {  // nest FILE JSON_POINTER DEPTH: a value nested DEPTH arrays deep
        json j = readJson(at(1));
        j[json::json_pointer(w.at(2))] = "@NEST@";
        const std::size_t depth = std::stoul(w.at(3));
        std::string text = j.dump();
        text.replace(text.find("\"@NEST@\""), 8, std::string(depth, '[') + std::string(depth, ']'));
        writeTextFileAtomically(at(1), text);
    } else if (op == "long-key") {  // long-key FILE LENGTH [CHAR]
        json j = readJson(at(1));
        j[std::string(std::stoul(w.at(2)), w.size() > 3 ? w[3][0] : 'k')] = 1;
        writeTextFileAtomically(at(1), j.dump());
    } else if (op == "newline-key") {  // newline-key FILE: a key holding a line break
        json j = readJson(at(1));
        j["first line\nsecond line"] = 1;
        writeTextFileAtomically(at(1), j.dump());
    } else if (op == "poison") {  // poison FILE TENSOR VALUE: one element set to nan/inf/VALUE
        TensorFile f = loadSafetensors(at(1));
        std::map<std::string, torch::Tensor> tensors;
        for (auto& [k, v] : f.tensors) tensors[k] = v.clone();
        const double value = w.at(3) == "nan" ? std::numeric_limits<double>::quiet_NaN()
                             : w.at(3) == "inf" ? std::numeric_limits<double>::infinity()
                                                : std::stod(w.at(3));
        tensors.at(w.at(2)).view(-1)[0] = value;
        saveSafetensors(at(1), tensors, f.metadata);
    } else if (op == "fill") {  // fill FILE TENSOR SHAPE VALUE: everything set (integers for int64)
        TensorFile f = loadSafetensors(at(1));
        std::map<std::string, torch::Tensor> tensors;
        for (auto& [k, v] : f.tensors) tensors[k] = v.clone();
        tensors.at(w.at(2)).fill_(std::stod(w.at(3)));
        saveSafetensors(at(1), tensors, f.metadata);
    } else if (op == "shorten") {  // shorten FILE TENSOR: drop the last element
        TensorFile f = loadSafetensors(at(1));
        std::map<std::string, torch::Tensor> tensors;
        for (auto& [k, v] : f.tensors) tensors[k] = v.clone();
        torch::Tensor& t = tensors.at(w.at(2));
        t = t.flatten().narrow(0, 0, t.numel() - 1).clone();
        saveSafetensors(at(1), tensors, f.metadata);
    } else if (op == "restamp") {  // restamp DIR: the artifact's weights stamp made to match again
        json j = readJson(at(1) + "/quantized_model.json");
        j["weights_fnv1a"] = fileStamp(at(1) + "/quantized_weights.safetensors");
        writeTextFileAtomically(at(1) + "/quantized_model.json", j.dump(1));
    } else if (op == "tensor") {  // tensor FILE NAME SHAPE VALUE [int]: adds a tensor to FILE (created if needed)
        std::map<std::string, torch::Tensor> tensors;
        std::map<std::string, std::string> metadata;
        if (fs::exists(at(1))) {
            TensorFile f = loadSafetensors(at(1));
            for (auto& [k, v] : f.tensors) tensors[k] = v.clone();
            metadata = f.metadata;
        }
        const bool integer = w.size() > 5 && w[5] == "int";
        const double value = w.at(4) == "nan" ? std::numeric_limits<double>::quiet_NaN()
                             : w.at(4) == "inf" ? std::numeric_limits<double>::infinity()
                                                : std::stod(w.at(4));
        tensors[w.at(2)] = torch::full(shapeOf(w.at(3)), value, integer ? torch::kInt64 : torch::kFloat32);
        saveSafetensors(at(1), tensors, metadata);
    } else if (op == "idx") {  // idx FILE DIMS_BYTE SIZE... DATA_BYTES: a raw IDX file with this header
        std::ofstream out(at(1), std::ios::binary);
        const int dims = std::stoi(w.at(2));
        out.put(0).put(0).put(8).put(static_cast<char>(dims));
        for (int d = 0; d < dims; ++d) {
            const uint32_t size = static_cast<uint32_t>(std::stoul(w.at(3 + d)));
            for (int shift = 24; shift >= 0; shift -= 8) out.put(static_cast<char>((size >> shift) & 0xff));
        }
        out << std::string(std::stoul(w.at(3 + dims)), '\0');
    } else {
        QFAIL(("unknown prepare step '" + op + "'").c_str());
    }
}

}  // namespace

class HostileInputsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString base_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        base_ = dir_.path() + "/base";
        QDir().mkpath(base_);
        // A small valid artifact, its plan and its calibration data, for the
        // cases that damage one of them.
        const test::CliResult r = test::runCli({"-q", "calibrate", "--preset", "W8A8", "--cali-n", "2", "--cali-st", "2",
                                                "--steps", "4", "--cali-data", base_ + "/cali.safetensors", "--save-plan",
                                                base_ + "/plan.json", "--out", base_ + "/artifact"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    // The pieces of the validation layer on their own.
    void messageTextIsBoundedAndOneLine() {
        QCOMPARE(QString::fromStdString(shortText("a\nb\tc\x01")), QString("a\\nb\\tc\\x01"));
        const std::string cut = shortText(std::string(200000, 'k'), 60);
        QVERIFY(cut.size() < 100 && cut.find("(200000 characters)") != std::string::npos);
        QVERIFY(plainNumber(std::numeric_limits<double>::max()).size() < 20);
        QCOMPARE(QString::fromStdString(plainNumber(1000000)), QString("1000000"));
        QCOMPARE(QString::fromStdString(plainNumber(0.25)), QString("0.25"));
    }

    void numberRangesRejectNonFiniteAndSubnormal() {
        const NumberRange beta{0, 1, true, true, true};
        QVERIFY(beta.contains(0.02));
        for (double bad : {0.0, 1.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(), 1e-310})
            QVERIFY2(!beta.contains(bad), qPrintable(QString::number(bad)));
        QCOMPARE(QString::fromStdString(beta.describe()), QString("a finite, normal number in (0, 1)"));
    }

    void jsonFieldsCheckBeforeNarrowing() {
        const json j = json::parse(R"({"a": 4294967297, "b": -3, "c": 2.5, "d": "x", "e": 18446744073709551615})");
        const JsonFields<json> f(j, "File 'f.json'");
        QVERIFY(test::errorOf([&] { f.integer32("a", 0, 0, 100); }).contains("4294967297"));
        QVERIFY(test::errorOf([&] { f.integer32("e", 0, 0, 100); }).contains("18446744073709551615"));
        QVERIFY(test::errorOf([&] { f.integer("b", 0, 0, 100); }).contains("from 0 to 100, not -3"));
        QVERIFY(test::errorOf([&] { f.integer("c", 0, 0, 100); }).contains("must be an integer"));
        QVERIFY(test::errorOf([&] { f.number("d", 0, NumberRange::any()); }).contains("'d'"));
        QCOMPARE(f.integer("missing", 7, 0, 100), int64_t{7});
        QVERIFY(test::errorOf([] { parseBoundedJson(std::string(40, '[') + std::string(40, ']'), "X"); })
                    .contains("nests deeper than 32"));
        QVERIFY(test::errorOf([] { parseBoundedJson("{\"a\": 1,", "X"); }).contains("not valid JSON"));
        // Brackets inside strings do not count as nesting.
        QVERIFY(parseBoundedJson("{\"a\": \"" + std::string(100, '[') + "\"}", "X").is_object());
    }

    void outputSetPublishesAllOrNothing() {
        const std::string root = (dir_.path() + "/outputs").toStdString();
        fs::create_directories(root + "/folder");
        writeTextFileAtomically(root + "/folder/keep.txt", "mine");
        writeTextFileAtomically(root + "/a.txt", "old");
        {
            // A failure before commit: the temporaries go, the old file stays.
            OutputSet outputs;
            writeTextFileAtomically(outputs.stage(root + "/a.txt"), "new");
            writeTextFileAtomically(outputs.stageFolder(root + "/folder") + "/result.txt", "r");
        }
        QCOMPARE(QString::fromStdString(readTextFile(root + "/a.txt")), QString("old"));
        QVERIFY(!fs::exists(root + "/folder/result.txt"));
        QCOMPARE(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 2);  // a.txt, folder
        {
            OutputSet outputs;
            writeTextFileAtomically(outputs.stage(root + "/a.txt"), "new");
            writeTextFileAtomically(outputs.stageFolder(root + "/folder") + "/result.txt", "r");
            outputs.commit();
        }
        QCOMPARE(QString::fromStdString(readTextFile(root + "/a.txt")), QString("new"));
        QVERIFY(fs::exists(root + "/folder/result.txt") && fs::exists(root + "/folder/keep.txt"));
        QCOMPARE(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 2);
        // A bad destination fails when staged, before any work.
        OutputSet outputs;
        QVERIFY(test::errorOf([&] { outputs.stage(root + "/missing/b.txt"); }).contains("does not exist"));
        QVERIFY(test::errorOf([&] { outputs.stage(root + "/folder"); }).contains("is a folder"));
    }

    void globalFlagsWorkAfterTheCommand() {
        // -q after the subcommand silences the log as it does before it.
        const test::CliResult quiet = test::runCli({"info", "-q"});
        QVERIFY2(quiet.exitCode == 0 && !quiet.err.contains("[info]"), qPrintable(quiet.err));
        const test::CliResult verbose = test::runCli({"info", "-v"});
        QVERIFY2(verbose.exitCode == 0 && verbose.err.contains("[debug]"), qPrintable(verbose.err));
    }

    void coversEveryClass() {
        // The classes of failure the corpus must keep covering.
        for (const char* cls : {"crash", "memory", "numbers", "messages", "partial-output"}) {
            const QString folder = QStringLiteral(DQ_SOURCE_DIR "/tests/hostile/") + cls;
            QVERIFY2(!QDir(folder).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty(), cls);
        }
    }

    void rejectsCase_data() {
        QTest::addColumn<QString>("folder");
        QDirIterator it(QStringLiteral(DQ_SOURCE_DIR "/tests/hostile"), {"args"}, QDir::Files,
                        QDirIterator::Subdirectories);
        QStringList cases;
        while (it.hasNext()) cases << QFileInfo(it.next()).path();
        cases.sort();
        QVERIFY(cases.size() >= 25);
        for (const QString& c : cases)
            QTest::newRow(qPrintable(QDir(QStringLiteral(DQ_SOURCE_DIR "/tests/hostile")).relativeFilePath(c))) << c;
    }

    void rejectsCase() {
        QFETCH(QString, folder);
        QTemporaryDir work(dir_.path() + "/case-XXXXXX");
        const std::string root = (work.path() + "/case").toStdString();
        const std::string out = (work.path() + "/out").toStdString();
        fs::copy(folder.toStdString(), root, fs::copy_options::recursive);
        fs::create_directories(out);
        for (const std::string& step : lines(root + "/prepare")) applyStep(words(step), root, base_.toStdString());

        QStringList args{"-q"};
        for (std::string arg : lines(root + "/args")) {
            for (const auto& [key, value] : {std::pair<std::string, std::string>{"@CASE@", root}, {"@OUT@", out},
                                             {"@BASE@", base_.toStdString()}})
                for (std::size_t p; (p = arg.find(key)) != std::string::npos;) arg.replace(p, key.size(), value);
            args << QString::fromStdString(arg);
        }
        const test::CliResult r = test::runCli(args, 300000);
        const QString context = "args: " + args.join(' ').left(300) + "\nstderr: " + r.err.left(1000);
        QVERIFY2(r.exitCode > 0, qPrintable("expected a clean non-zero exit (not a crash); " + context));
        QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, qPrintable("expected one line; " + context));
        QVERIFY2(r.err.startsWith("diffquant: "), qPrintable(context));
        QVERIFY2(r.err.size() < 700, qPrintable("the message is unbounded; " + context));
        for (const std::string& expected : lines(root + "/expect"))
            QVERIFY2(r.err.contains(QString::fromStdString(expected)),
                     qPrintable("missing '" + QString::fromStdString(expected) + "'; " + context));
        QVERIFY2(!r.err.contains("json.exception") && !r.err.contains("_M_range_check") && !r.err.contains("enforce fail"),
                 qPrintable("library text leaked; " + context));
        // Nothing is left behind: no result, no temporary.
        QStringList left;
        QDirIterator leftovers(QString::fromStdString(out), QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                               QDirIterator::Subdirectories);
        while (leftovers.hasNext()) left << leftovers.next();
        QVERIFY2(left.isEmpty(), qPrintable("left behind: " + left.join(", ") + "; " + context));
    }
};

QObject* makeHostileInputsTest() { return new HostileInputsTest; }

#include "test_hostile_inputs.moc"
