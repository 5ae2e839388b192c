#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pairtune {

// The classic recipe's synthetic labels (docs/formats.md §5.3): score_i = mean + (u_i - 0.5) / scaling
// with u_i uniform on [0, 1) from Rng(seed, rngstream::scores). The result is uniform on
// [mean - 0.5/scaling, mean + 0.5/scaling) (computed in double; the float conversion may round a value
// onto the upper bound), with standard deviation 1/(scaling*sqrt(12)) ≈ 0.2887/scaling. Not Gaussian.
// Score i belongs to record i, so the same seed gives every record the same score whatever the split.
// Throws pairtune::Error when scaling is not > 0 or mean/scaling are not finite.
std::vector<float> syntheticScores(std::size_t n, double mean, double scaling, std::uint64_t seed);

} // namespace pairtune
