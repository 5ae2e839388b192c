#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pairtune {

// Record indices of the training and evaluation parts, each in ascending order (the membership is
// random, the order is not: the batch sampler shuffles the training part per epoch anyway).
struct Split
{
    std::vector<std::size_t> train;
    std::vector<std::size_t> eval;

    bool operator==(const Split &) const = default;
};

// Shuffles 0..n-1 with Rng(seed, rngstream::split) and puts the first trainCount in train, the rest in eval.
// trainCount = llround(n * trainFraction) (halves round up), then clamped to [1, n-1] when
// trainFraction < 1 so that both parts are non-empty; trainFraction == 1 puts everything in train and
// leaves eval empty. Throws pairtune::Error when n < 2 or trainFraction is outside (0, 1].
Split splitIndices(std::size_t n, double trainFraction, std::uint64_t seed);

// The same shuffle, but every group lands on one side: a group goes where its member that comes first
// in the shuffled order goes under splitIndices, so with no group of two or more the result equals
// splitIndices(n, trainFraction, seed) exactly, and big groups shift the counts a little. groupOf[r] is
// record r's group (any id; records with equal ids are one group). Used for near-duplicate groups
// (mine/nearduplicates.h) so that near-copies never sit on both sides. Throws pairtune::Error as
// splitIndices, on a size mismatch, and when trainFraction < 1 and the groups leave a side empty.
Split splitIndicesGrouped(
    std::size_t n, double trainFraction, std::uint64_t seed, const std::vector<std::size_t> &groupOf);

} // namespace pairtune
