#pragma once

// Process-wide compute settings for the LibTorch backend (torch-free header).

#include <string>

namespace pairtune {

// Sets LibTorch's intra-op threads and, when the BLAS in use is OpenBLAS, its thread count too, so
// OpenMP and OpenBLAS threads do not fight over the same cores (PITFALLS.md §3). n <= 0 keeps the
// current setting.
void setComputeThreads(int n);
int computeThreads();

// One line for logs and run configs: LibTorch version, BLAS in use (and its configuration), threads.
std::string computeBackendInfo();

} // namespace pairtune
