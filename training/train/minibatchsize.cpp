#include "train/minibatchsize.h"

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <fstream>
#include <sstream>

namespace pairtune {

MiniBatchChoice chooseMiniBatch(const MiniBatchInputs &in)
{
    const double tokens = static_cast<double>(std::max<std::size_t>(1, in.tokensPerText));
    const double perToken
        = 4.0 * (10.0 * in.hiddenSize + 2.0 * in.intermediateSize) + 8.0 * in.heads * tokens;
    const double perText = std::max(1.0, static_cast<double>(in.layers) * tokens * perToken);
    const double budget = static_cast<double>(in.availableBytes) / 4.0;
    const double fits
        = std::floor(budget / (perText * static_cast<double>(std::max<std::size_t>(1, in.columns))));
    const std::size_t batch = std::max<std::size_t>(1, in.batch);
    std::size_t pairs
        = fits >= static_cast<double>(batch) ? batch : static_cast<std::size_t>(std::max(1.0, fits));
    if (pairs > 8 && pairs < batch)
        pairs -= pairs % 8;
    std::ostringstream reason;
    reason.precision(3);
    reason << "grad cache: mini-batches of " << pairs << " pairs for batches of " << batch << " (about "
           << perText * static_cast<double>(in.columns) / 1048576.0 << " MiB of activations per pair at "
           << in.tokensPerText << " tokens; " << static_cast<double>(in.availableBytes) / 1073741824.0
           << " GiB available, a quarter of it per mini-batch; --mini-batch-size sets it)";
    return { pairs, reason.str() };
}

std::optional<std::uint64_t> memAvailableFromMeminfo(const std::string &meminfo)
{
    std::istringstream lines(meminfo);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string key;
        std::uint64_t kib = 0;
        std::string unit;
        if (fields >> key >> kib && key == "MemAvailable:")
            return kib * 1024;
    }
    return std::nullopt;
}

std::uint64_t availableTrainingBytes(bool cuda)
{
    constexpr std::uint64_t kConservative = std::uint64_t { 4 } << 30;
    if (cuda) {
        // LibTorch's CUDA runtime, when loaded, without compiling against CUDA's headers.
        using MemGetInfo = int (*)(std::size_t *, std::size_t *);
        if (auto *memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"))) {
            std::size_t free = 0;
            std::size_t total = 0;
            if (memGetInfo(&free, &total) == 0)
                return free;
        }
        return kConservative;
    }
    std::ifstream file("/proc/meminfo");
    std::stringstream text;
    text << file.rdbuf();
    return memAvailableFromMeminfo(text.str()).value_or(kConservative);
}

} // namespace pairtune
