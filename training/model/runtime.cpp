#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <dlfcn.h>
#include <mutex>
#include <sched.h>
#include <unistd.h>

namespace pairtune {
namespace {

// OpenBLAS is reached through the libblas.so.3 alternative that libtorch links; its functions are
// looked up at run time so nothing breaks with MKL or the reference BLAS.
template <typename Function> Function blasFunction(const char *name)
{
    return reinterpret_cast<Function>(dlsym(RTLD_DEFAULT, name));
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// 0 = SSE kernels, 1 = AVX, 2 = AVX2/FMA, 3 = AVX-512; unknown names count as good enough.
int kernelLevel(const std::string &coreName)
{
    const std::string name = lower(coreName);
    for (const char *sse : { "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
             "coppermine", "northwood", "banias", "opteron", "barcelona", "bobcat" }) {
        if (name == sse)
            return 0;
    }
    if (name == "sandybridge" || name == "bulldozer" || name == "piledriver")
        return 1;
    if (name == "haswell" || name == "zen" || name == "excavator" || name == "steamroller")
        return 2;
    return 3;
}

int cpuLevel()
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 2;
    return 0;
}

// OpenBLAS's idle threads spin (sched_yield) for 2^28 cycles, about 0.1 s, after each matrix product
// before they sleep, so between products the other cores stay busy doing nothing, while the element-wise
// kernels of our own that split across cores (model/corethreads.h) want them. A MiniLM step makes ~100
// products of milliseconds each, so waking a sleeping thread for each (tens of microseconds) costs
// little. OpenBLAS reads the timeout when it starts its threads: set it (2^4 cycles, its minimum),
// re-read the environment and restart them, once per process, at the first thread setting (before any
// product runs on another thread). The user's own OPENBLAS_THREAD_TIMEOUT is kept.
void restartBlasThreadsSleepingWhenIdle()
{
    const auto readEnvironment = blasFunction<void (*)()>("openblas_read_env");
    const auto stopThreads = blasFunction<int (*)()>("blas_thread_shutdown_");
    const auto startThreads = blasFunction<int (*)()>("blas_thread_init");
    if (!readEnvironment || !stopThreads || !startThreads
        || std::getenv("OPENBLAS_THREAD_TIMEOUT") != nullptr)
        return;
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    readEnvironment();
    stopThreads();
    startThreads();
}

void letIdleBlasThreadsSleep()
{
    static std::once_flag once;
    std::call_once(once, restartBlasThreadsSleepingWhenIdle);
}

} // namespace

void selectFastBlasKernels(char **argv)
{
    if (std::getenv("OPENBLAS_CORETYPE") != nullptr)
        return; // the user's choice, or this process already executed itself again
    const auto coreName = blasFunction<char *(*)()>("openblas_get_corename");
    if (!coreName || !coreName())
        return;
    const int cpu = cpuLevel();
    if (cpu < 2 || kernelLevel(coreName()) >= cpu)
        return;
    // SkylakeX: OpenBLAS 0.3.21's AVX-512 kernels (it has no newer sgemm); Haswell: AVX2 + FMA.
    setenv("OPENBLAS_CORETYPE", cpu == 3 ? "SkylakeX" : "Haswell", 1);
    execv("/proc/self/exe", argv);
    // execv only returns on failure: carry on with the slow kernels rather than not at all.
}

bool cpuHasNativeBf16()
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx & (1u << 22)) != 0)
        return true; // AMX-BF16
    if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5)) != 0)
        return true; // AVX512-BF16
    return false;
#else
    return false;
#endif
}

int automaticComputeThreads()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
}

void setComputeThreads(int n)
{
    if (n <= 0)
        return;
    at::set_num_threads(n);
    if (auto setThreads = blasFunction<void (*)(int)>("openblas_set_num_threads"))
        setThreads(n);
}

void applyComputeThreads(int n)
{
    if (n > 0) {
        setComputeThreads(n);
        return;
    }
    const int cores = automaticComputeThreads();
    auto setBlasThreads = blasFunction<void (*)(int)>("openblas_set_num_threads");
    if (!setBlasThreads) { // MKL or a BLAS that shares LibTorch's OpenMP pool
        at::set_num_threads(cores);
        return;
    }
    // OpenBLAS keeps its own thread pool, whose threads spin-wait between calls: an OpenMP pool on the
    // same cores then fights it, and every element-wise op waits. Matrix products are most of the work,
    // so they get every core and the rest runs on one thread (measured, docs/performance.md).
    at::set_num_threads(1);
    letIdleBlasThreadsSleep();
    setBlasThreads(cores);
}

int computeThreads()
{
    return at::get_num_threads();
}

int matrixThreads()
{
    if (auto threads = blasFunction<int (*)()>("openblas_get_num_threads"))
        return std::max(1, threads());
    return at::get_num_threads();
}

void setMatrixThreads(int n)
{
    if (n <= 0)
        return;
    if (auto setThreads = blasFunction<void (*)(int)>("openblas_set_num_threads"))
        setThreads(n);
    else
        at::set_num_threads(n);
}

std::string computeBackendInfo()
{
    std::string blas;
    if (auto config = blasFunction<char *(*)()>("openblas_get_config")) {
        blas = std::string("OpenBLAS ") + config();
        if (auto core = blasFunction<char *(*)()>("openblas_get_corename"))
            blas += std::string(", ") + core() + " kernels";
        if (auto threads = blasFunction<int (*)()>("openblas_get_num_threads"))
            blas += " (" + std::to_string(threads()) + " threads)";
    } else if (blasFunction<void *>("mkl_get_max_threads")) {
        blas = "Intel MKL";
    } else {
        blas = "generic BLAS (slow: install OpenBLAS)";
    }
    std::string info = "LibTorch ";
    info.append(TORCH_VERSION).append(", ").append(blas).append(", ");
    info.append(std::to_string(at::get_num_threads())).append(" intra-op thread(s)");
    return info;
}

} // namespace pairtune
