#include "recipe/syntheticscores.h"

#include "core/error.h"
#include "recipe/rng.h"

#include <cmath>

namespace pairtune {

std::vector<float> syntheticScores(std::size_t n, double mean, double scaling, std::uint64_t seed)
{
    if (!std::isfinite(mean))
        throw Error("synthetic scores: the mean must be a finite number");
    if (!std::isfinite(scaling) || !(scaling > 0.0))
        throw Error("synthetic scores: the scaling must be a finite number > 0 (scores are mean + (U[0,1) - "
                    "0.5) / scaling), got "
            + std::to_string(scaling));
    Rng rng(seed, rngstream::scores);
    std::vector<float> scores(n);
    for (auto &score : scores)
        score = static_cast<float>(mean + (rng.uniform01() - 0.5) / scaling);
    return scores;
}

} // namespace pairtune
