#include "recipe/datasplit.h"

#include "core/error.h"
#include "recipe/rng.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

namespace pairtune {

namespace {

struct ShuffledOrder
{
    std::vector<std::size_t> order;
    std::size_t trainCount = 0; // the first trainCount of order go to training
};

ShuffledOrder shuffledOrder(std::size_t n, double trainFraction, std::uint64_t seed)
{
    if (n < 2)
        throw Error("cannot split " + std::to_string(n)
            + " pair(s) into training and evaluation parts: at least 2 are needed");
    if (!(trainFraction > 0.0 && trainFraction <= 1.0))
        throw Error("the training fraction must be in (0, 1], got " + std::to_string(trainFraction));

    ShuffledOrder shuffled;
    shuffled.order.resize(n);
    std::iota(shuffled.order.begin(), shuffled.order.end(), std::size_t { 0 });
    Rng rng(seed, rngstream::split);
    rng.shuffle(shuffled.order);

    shuffled.trainCount = n;
    if (trainFraction < 1.0) {
        const long long rounded = std::llround(static_cast<double>(n) * trainFraction);
        shuffled.trainCount
            = static_cast<std::size_t>(std::clamp<long long>(rounded, 1, static_cast<long long>(n) - 1));
    }
    return shuffled;
}

} // namespace

Split splitIndices(std::size_t n, double trainFraction, std::uint64_t seed)
{
    const ShuffledOrder shuffled = shuffledOrder(n, trainFraction, seed);
    const auto cut = shuffled.order.begin() + static_cast<std::ptrdiff_t>(shuffled.trainCount);
    Split split;
    split.train.assign(shuffled.order.begin(), cut);
    split.eval.assign(cut, shuffled.order.end());
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.eval.begin(), split.eval.end());
    return split;
}

Split splitIndicesGrouped(
    std::size_t n, double trainFraction, std::uint64_t seed, const std::vector<std::size_t> &groupOf)
{
    if (groupOf.size() != n)
        throw Error("grouped split: " + std::to_string(groupOf.size()) + " group ids for " + std::to_string(n)
            + " pairs");
    const ShuffledOrder shuffled = shuffledOrder(n, trainFraction, seed);
    // The side of each group: the side of its first member in the shuffled order.
    std::unordered_map<std::size_t, bool> groupInTrain;
    for (std::size_t position = 0; position < n; ++position)
        groupInTrain.try_emplace(groupOf[shuffled.order[position]], position < shuffled.trainCount);
    Split split;
    for (std::size_t r = 0; r < n; ++r)
        (groupInTrain.at(groupOf[r]) ? split.train : split.eval).push_back(r);
    if (trainFraction < 1.0 && (split.train.empty() || split.eval.empty()))
        throw Error("keeping near-duplicate groups on one side of the split leaves the "
            + std::string(split.train.empty() ? "training" : "evaluation")
            + " part empty: one group holds nearly every pair; raise the near-duplicate threshold or turn "
              "off \"keep near-duplicate groups on one side\"");
    return split;
}

} // namespace pairtune
