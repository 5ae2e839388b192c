#include "mine/candidateselection.h"

#include "recipe/rng.h"

#include <algorithm>
#include <numeric>

namespace pairtune {

const char *guardName(Guard guard)
{
    switch (guard) {
    case Guard::OwnPositive:
        return "own_positive";
    case Guard::ExactDuplicate:
        return "exact_duplicate";
    case Guard::NearDuplicate:
        return "near_duplicate";
    case Guard::RelativeMargin:
        return "relative_margin";
    case Guard::MaxScore:
        return "max_score";
    }
    return "unknown";
}

GuardCounts &GuardCounts::operator+=(const GuardCounts &other)
{
    for (std::size_t g = 0; g < kGuardCount; ++g)
        removed[g] += other.removed[g];
    rangeMinSkipped += other.rangeMinSkipped;
    return *this;
}

std::optional<Guard> skippingGuard(
    const RankedCandidate &candidate, float positiveScore, const SelectionRules &rules)
{
    if (candidate.isPositive)
        return Guard::OwnPositive;
    if (candidate.isAnchor)
        return Guard::ExactDuplicate;
    if (candidate.positiveCosine >= rules.nearDuplicate)
        return Guard::NearDuplicate;
    // The comparisons of sentence-transformers: strictly above the bound is removed.
    if (rules.relativeMargin
        && static_cast<double>(candidate.score)
            > static_cast<double>(positiveScore) * (1.0 - *rules.relativeMargin))
        return Guard::RelativeMargin;
    if (rules.maxScore && static_cast<double>(candidate.score) > *rules.maxScore)
        return Guard::MaxScore;
    return std::nullopt;
}

Selection selectNegatives(
    std::span<const RankedCandidate> ranked, float positiveScore, const SelectionRules &rules, Rng &rng)
{
    Selection selection;
    std::vector<const RankedCandidate *> range;
    std::size_t survivors = 0;
    for (const RankedCandidate &candidate : ranked) {
        if (const auto guard = skippingGuard(candidate, positiveScore, rules)) {
            ++selection.counts[*guard];
            continue;
        }
        if (survivors >= rules.rangeMax)
            continue; // past the range: neither counted as removed nor kept
        if (survivors < rules.rangeMin)
            ++selection.counts.rangeMinSkipped;
        else
            range.push_back(&candidate);
        ++survivors;
    }
    std::vector<std::size_t> picked(range.size());
    std::iota(picked.begin(), picked.end(), std::size_t { 0 });
    const std::size_t count = std::min(rules.numNegatives, range.size());
    if (rules.sampling == SamplingStrategy::Random) {
        // A partial Fisher-Yates draw, then back to rank order (best first, as the top strategy gives).
        for (std::size_t i = 0; i < count; ++i)
            std::swap(picked[i], picked[i + static_cast<std::size_t>(rng.uniformInt(picked.size() - i))]);
        picked.resize(count);
        std::sort(picked.begin(), picked.end());
    }
    picked.resize(count);
    for (const std::size_t p : picked) {
        selection.ids.push_back(range[p]->id);
        selection.scores.push_back(range[p]->score);
    }
    return selection;
}

} // namespace pairtune
