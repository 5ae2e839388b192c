#pragma once

// Process-wide compute settings for the LibTorch backend (torch-free header).

#include <string>

namespace pairtune {

// Call first thing in main(), before any other work. Debian 12's OpenBLAS 0.3.21 does not recognise
// recent Xeons and falls back to its SSE3 "Prescott" kernels, 4-5x slower than its AVX-512 ones
// (docs/performance.md). OpenBLAS picks its kernels in a library constructor, before main() runs, so
// the only fix from inside the program is to set OPENBLAS_CORETYPE and execute itself again. It does
// that only when OpenBLAS is the BLAS in use, the user has not set OPENBLAS_CORETYPE, and the kernels
// it chose are weaker than what the CPU supports; otherwise it returns and nothing changes.
void selectFastBlasKernels(char **argv);

// Sets LibTorch's intra-op threads and, when the BLAS in use is OpenBLAS, its thread count too, so
// OpenMP and OpenBLAS threads do not fight over the same cores (PITFALLS.md §3). n <= 0 keeps the
// current setting.
void setComputeThreads(int n);
int computeThreads();
// What `--threads 0` (automatic) means: the measured best choice for this machine, see
// docs/performance.md. applyComputeThreads(0) sets it; n > 0 is setComputeThreads(n).
int automaticComputeThreads();
void applyComputeThreads(int n);

// One line for logs and run configs: LibTorch version, BLAS in use (and its configuration, kernels),
// threads.
std::string computeBackendInfo();

} // namespace pairtune
