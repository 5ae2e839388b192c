#pragma once

// Engine-private, torch-free. Work of our own kernels split across the cores the matrix products use.

#include "model/runtime.h"

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace pairtune {

// Runs fn(first, step) on each of up to matrixThreads() threads, thread t taking items t, t + step, ...
// of [0, count). Not at::parallel_for: with OpenBLAS the automatic setting leaves LibTorch one intra-op
// thread (its pool would fight OpenBLAS's spinning threads), while these loops can use the cores the
// products use; OpenBLAS's threads sleep soon after each product (applyComputeThreads), so the cores are
// free. Threads are started per call (about 20 us each): at most 8, so a many-core machine does not
// spend more on starting them than they save.
template <typename Fn> void splitAcrossCores(std::int64_t count, Fn fn)
{
    const std::int64_t threads = std::min<std::int64_t>({ matrixThreads(), count, 8 });
    if (threads <= 1) {
        fn(0, 1);
        return;
    }
    std::vector<std::thread> workers;
    for (std::int64_t t = 1; t < threads; ++t)
        workers.emplace_back([&fn, t, threads] { fn(t, threads); });
    fn(0, threads);
    for (std::thread &w : workers)
        w.join();
}

// fn(begin, end) over [0, n) in as many contiguous ranges as splitAcrossCores has threads, each at
// least `grain` items (element-wise loops: one range per thread keeps each thread's memory together).
template <typename Fn> void splitRangeAcrossCores(std::int64_t n, std::int64_t grain, Fn fn)
{
    const std::int64_t parts
        = std::max<std::int64_t>(1, std::min<std::int64_t>(n / std::max<std::int64_t>(grain, 1), 8));
    splitAcrossCores(parts, [&](std::int64_t first, std::int64_t step) {
        const std::int64_t per = (n + step - 1) / step;
        const std::int64_t begin = std::min(n, first * per);
        const std::int64_t end = std::min(n, begin + per);
        if (begin < end)
            fn(begin, end);
    });
}

} // namespace pairtune
