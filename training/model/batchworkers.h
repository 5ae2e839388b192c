#pragma once

// Engine-private, torch-free. Inference batches spread over the cores, one batch per core at a time.

#include <cstddef>
#include <functional>

namespace pairtune {

// Runs work(i) for every i in [0, count), on up to `workers` threads (the calling thread is one of them),
// each taking the next index in turn, so batches start in order (longest first, when they are sorted so).
// While they run, every matrix product and LibTorch op runs on the thread that calls it (OpenBLAS and
// LibTorch's OpenMP set to one thread, put back afterwards): each core works through whole batches of
// its own instead of every core sharing each product.
//
// Why: when both cores share each product, everything between the products (LayerNorm, GELU, the
// residual adds, pooling, tokenization, LibTorch's own ops on one thread) runs while the other core
// waits, and every product pays the threads' start and join; two batches at once keep both cores on
// useful work (docs/performance.md). The results do not depend on it: every row of every product
// sums in the same order on one thread as on two.
//
// With workers <= 1 or a single index it runs everything on the calling thread, with the thread
// settings unchanged. work must be safe to run for different indices at once and must set up any
// thread-local state (no-grad mode, int8 scope) itself. An exception from work stops the hand-out of
// further indices; the one of the lowest index that failed is rethrown after every thread has finished,
// so the error is the one a serial loop would report.
void runOnWorkers(std::size_t count, int workers, const std::function<void(std::size_t)> &work);

} // namespace pairtune
