#pragma once
// What this process runs on: product and LibTorch versions, CUDA, and the BLAS
// that LibTorch's matrix products go through. Debian's LibTorch calls the
// system libblas.so.3, which is OpenBLAS only when libopenblas0-pthread (or a
// sibling) is installed; otherwise the netlib reference BLAS answers, about
// 60x slower, with no other sign. Naming the BLAS makes such a setup visible.
#include <string>

namespace dq {

struct BlasInfo {
    std::string name;     // e.g. "OpenBLAS 0.3.21 (pthread)", "reference BLAS (netlib)"
    std::string library;  // resolved path of the loaded BLAS library, if any
    bool slow = false;    // the reference BLAS: warn the user
};

// Inspects the libraries loaded into this process.
BlasInfo detectBlas();

// Names the BLAS behind a resolved library path, e.g.
// /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0 -> the reference BLAS
// (slow). `openBlasConfig` is openblas_get_config()'s text, if any.
BlasInfo classifyBlasLibrary(const std::string& resolvedPath, const std::string& openBlasConfig = {});

// Several lines for `diffquant --version`: product, LibTorch, CUDA, BLAS.
std::string versionReport(const std::string& program);

// Logs the LibTorch version and the BLAS at startup (debug level: selectDevice
// names the BLAS when work starts, so an early error stays one line); warns,
// saying what to install, when the reference BLAS is active.
void logRuntimeInfo();

}  // namespace dq
