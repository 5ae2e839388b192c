#include "recipe/datasplit.h"

#include "core/error.h"
#include "recipe/rng.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace pairtune {

Split splitIndices(std::size_t n, double trainFraction, std::uint64_t seed)
{
    if (n < 2)
        throw Error("cannot split " + std::to_string(n)
            + " pair(s) into training and evaluation parts: at least 2 are needed");
    if (!(trainFraction > 0.0 && trainFraction <= 1.0))
        throw Error("the training fraction must be in (0, 1], got " + std::to_string(trainFraction));

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t { 0 });
    Rng rng(seed, rngstream::split);
    rng.shuffle(order);

    std::size_t trainCount = n;
    if (trainFraction < 1.0) {
        const long long rounded = std::llround(static_cast<double>(n) * trainFraction);
        trainCount
            = static_cast<std::size_t>(std::clamp<long long>(rounded, 1, static_cast<long long>(n) - 1));
    }

    Split split;
    split.train.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(trainCount));
    split.eval.assign(order.begin() + static_cast<std::ptrdiff_t>(trainCount), order.end());
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.eval.begin(), split.eval.end());
    return split;
}

} // namespace pairtune
