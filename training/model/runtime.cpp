#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <dlfcn.h>

namespace pairtune {
namespace {

// OpenBLAS is reached through the libblas.so.3 alternative that libtorch links; its functions are
// looked up at run time so nothing breaks with MKL or the reference BLAS.
template <typename Function> Function blasFunction(const char *name)
{
    return reinterpret_cast<Function>(dlsym(RTLD_DEFAULT, name));
}

} // namespace

void setComputeThreads(int n)
{
    if (n <= 0)
        return;
    at::set_num_threads(n);
    if (auto setThreads = blasFunction<void (*)(int)>("openblas_set_num_threads"))
        setThreads(n);
}

int computeThreads()
{
    return at::get_num_threads();
}

std::string computeBackendInfo()
{
    std::string blas;
    if (auto config = blasFunction<char *(*)()>("openblas_get_config")) {
        blas = std::string("OpenBLAS ") + config();
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
