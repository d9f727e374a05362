// Where binaries find their data (installed beside the executable, or a build
// tree's marker) and what `diffquant --version` reports, on real files and the
// real executable.
#include <filesystem>
#include <fstream>

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include "core/model/model_folder.h"
#include "core/runtime/install_layout.h"
#include "core/runtime/runtime_info.h"
#include "tests/core/test_support.h"

namespace fs = std::filesystem;

class RuntimeTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string touch(const fs::path& file) {
        fs::create_directories(file.parent_path());
        std::ofstream(file) << "#!/bin/sh\n";
        return file.string();
    }

private Q_SLOTS:
    void installedLayoutIsFoundRelativeToTheExecutable() {
        const fs::path prefix = fs::path(dir_.path().toStdString()) / "anywhere" / "usr";
        const std::string exe = touch(prefix / "bin" / "diffquant");
        fs::create_directories(prefix / "share" / "diffquant-studio" / "models");
        QCOMPARE(QString::fromStdString(dq::dataDirectoryFor(exe)),
                 QString::fromStdString((prefix / "share" / "diffquant-studio").string()));
    }

    void buildTreeFindsResourcesThroughItsMarkerOnly() {
        const fs::path build = fs::path(dir_.path().toStdString()) / "build";
        const fs::path resources = fs::path(dir_.path().toStdString()) / "src" / "resources";
        fs::create_directories(resources);
        fs::create_directories(build);
        std::ofstream(build / dq::kBuildTreeMarker) << resources.string() << "\n";
        QCOMPARE(QString::fromStdString(dq::dataDirectoryFor(touch(build / "app" / "cli" / "diffquant"))),
                 QString::fromStdString(resources.string()));
        QCOMPARE(QString::fromStdString(dq::dataDirectoryFor(touch(build / "tests" / "gui" / "dq_gui_tests"))),
                 QString::fromStdString(resources.string()));
        // Too deep below the marker, and outside any build tree: nothing.
        QVERIFY(dq::dataDirectoryFor(touch(build / "a" / "b" / "c" / "d" / "exe")).empty());
        QVERIFY(dq::dataDirectoryFor(touch(fs::path(dir_.path().toStdString()) / "elsewhere" / "bin" / "x")).empty());
        // A marker naming a folder that is gone finds nothing rather than a wrong path.
        fs::remove_all(resources);
        QVERIFY(dq::dataDirectoryFor((build / "app" / "cli" / "diffquant").string()).empty());
    }

    void thisBuildTreeFindsTheShippedModel() {
        // The test executable lives in the build tree, so the marker leads to
        // the source tree's shipped model (the same folder the tests use).
        qunsetenv("DIFFQUANT_MODEL");
        QCOMPARE(fs::canonical(dq::defaultModelFolder()).string(), fs::canonical(DQ_SHIPPED_MODEL_DIR).string());
        qputenv("DIFFQUANT_MODEL", "/some/where");
        QCOMPARE(QString::fromStdString(dq::defaultModelFolder()), QStringLiteral("/some/where"));
        qunsetenv("DIFFQUANT_MODEL");
    }

    void blasIsNamedAndOpenBlasIsActive() {
        const dq::BlasInfo blas = dq::detectBlas();
        QVERIFY2(!blas.name.empty() && blas.name != "none found", blas.name.c_str());
        // packaging/install-deps.sh installs libopenblas0-pthread: the
        // reference BLAS here would make every test ~60x slower.
        QVERIFY2(!blas.slow, ("reference BLAS active: " + blas.library).c_str());
        QVERIFY2(blas.name.find("OpenBLAS") != std::string::npos, blas.name.c_str());
    }

    void blasLibrariesAreClassified() {
        // Debian's alternatives for libblas.so.3, as resolved on disk.
        const dq::BlasInfo reference = dq::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0");
        QVERIFY(reference.slow);
        QVERIFY(reference.name.find("reference") != std::string::npos);
        const dq::BlasInfo openblas = dq::classifyBlasLibrary(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY");
        QVERIFY(!openblas.slow);
        QCOMPARE(QString::fromStdString(openblas.name), QStringLiteral("OpenBLAS 0.3.21 (pthread)"));
        QVERIFY(!dq::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3").slow);
        QCOMPARE(QString::fromStdString(dq::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3").name),
                 QStringLiteral("BLIS"));
    }

    void versionReportsLibTorchCudaAndBlas() {
        const dq::test::CliResult result = dq::test::runCli({"--version"});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.startsWith("diffquant " DQ_VERSION "\n"), qPrintable(result.out));
        QVERIFY(result.out.contains("\nLibTorch 1.") || result.out.contains("\nLibTorch 2."));
        QVERIFY(result.out.contains("\nCUDA: "));
        QVERIFY(result.out.contains("\nBLAS: OpenBLAS"));
    }
};

QObject* makeRuntimeTest() { return new RuntimeTest; }

#include "test_runtime.moc"
