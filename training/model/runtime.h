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
// OpenMP and OpenBLAS threads do not fight over the same cores (docs/pitfalls.md §3). n <= 0 keeps the
// current setting.
void setComputeThreads(int n);
int computeThreads();
// The threads the matrix products run on: OpenBLAS's own count when it is the BLAS (the automatic
// setting gives it every core), else LibTorch's intra-op threads. Kernels of our own that do matrix
// work (the fused attention) split across as many.
int matrixThreads();
// Sets only the matrix products' threads: OpenBLAS's count when it is the BLAS, else LibTorch's
// intra-op threads. n <= 0 keeps the current setting. For work that runs products on threads of its own
// (model/batchworkers.h), each single-threaded, and then puts the count back.
void setMatrixThreads(int n);
// The cores this process may run on (its affinity mask).
int automaticComputeThreads();
// n > 0: setComputeThreads(n). n == 0 (`--threads 0`, automatic): the measured best choice, see
// docs/performance.md: with OpenBLAS, every core for its matrix products and one intra-op thread for
// the rest; otherwise every core for LibTorch. computeBackendInfo() then shows what was chosen.
void applyComputeThreads(int n);

// Whether the CPU has native bfloat16 arithmetic (AVX512-BF16 or AMX-BF16), which bf16 autocast needs
// to be faster than float32 rather than several times slower.
bool cpuHasNativeBf16();

// One line for logs and run configs: LibTorch version, BLAS in use (and its configuration, kernels),
// threads.
std::string computeBackendInfo();

} // namespace pairtune
