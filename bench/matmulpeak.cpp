// pairtune-matmul-peak [SIZE] [SECONDS] [THREADS]: fp32 GFLOP/s of a square LibTorch matmul loop (at::mm,
// which goes to the BLAS sgemm), after the same start-up as pairtune-cli (BLAS kernel choice, automatic
// threads when THREADS is 0). Prints one JSON line.

#include "model/runtime.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv)
{
    pairtune::selectFastBlasKernels(argv);
    const long size = argc > 1 ? std::atol(argv[1]) : 2048;
    const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
    pairtune::applyComputeThreads(argc > 3 ? std::atoi(argv[3]) : 0);

    const at::Tensor a = at::randn({ size, size });
    const at::Tensor b = at::randn({ size, size });
    at::Tensor c = at::empty({ size, size });
    for (int i = 0; i < 2; ++i) // warm-up: thread pools, page faults
        at::mm_out(c, a, b);
    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    long runs = 0;
    double elapsed = 0.0;
    do {
        at::mm_out(c, a, b);
        ++runs;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    const double gflops = 2.0 * double(size) * double(size) * double(size) * double(runs) / elapsed / 1e9;
    std::printf("{\"size\": %ld, \"runs\": %ld, \"seconds\": %.3f, \"gflops\": %.2f, \"compute\": \"%s\"}\n",
        size, runs, elapsed, gflops, pairtune::computeBackendInfo().c_str());
    return 0;
}
