#pragma once

// The per-anchor half of hard-negative mining, free of models and search: which of an anchor's ranked
// nearest texts may become its negatives. The rules and their names follow sentence-transformers'
// util.mine_hard_negatives (range_min, range_max, relative_margin, max_score, sampling_strategy); the
// near-duplicate guard is Pairtune's own.

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace pairtune {

class Rng;

enum class SamplingStrategy {
    Top, // the best numNegatives of the range
    Random, // numNegatives drawn uniformly from the range, then ordered best first
};

struct SelectionRules
{
    std::size_t numNegatives = 3;
    std::size_t rangeMin = 0; // the first rangeMin candidates that pass the guards are skipped
    std::size_t rangeMax = 30; // only the first rangeMax candidates that pass the guards are kept
    // A candidate scoring above (1 - relativeMargin) * the anchor-positive score is a likely false
    // negative (NV-Retriever's TopK-PercPos; 0.05 = at most 95 % of the positive's score).
    std::optional<double> relativeMargin = 0.05;
    std::optional<double> maxScore; // a candidate scoring above this is skipped
    double nearDuplicate = 0.98; // cosine to the positive at or above this: a near-duplicate, skipped
    SamplingStrategy sampling = SamplingStrategy::Top;
};

// One of the anchor's nearest texts, in rank order (score descending).
struct RankedCandidate
{
    std::size_t id = 0; // corpus index
    float score = 0.0f; // cosine to the anchor
    float positiveCosine = 0.0f; // the highest cosine to any of the anchor's positives
    bool isPositive = false; // the text is one of the anchor's positives
    bool isAnchor = false; // the text equals the anchor
};

// Why a candidate was skipped; counted under the first guard that applies, in this order.
enum class Guard { OwnPositive, ExactDuplicate, NearDuplicate, RelativeMargin, MaxScore };
inline constexpr std::size_t kGuardCount = 5;
const char *guardName(Guard guard); // "own_positive", "exact_duplicate", ...

struct GuardCounts
{
    std::size_t removed[kGuardCount] = {};
    std::size_t rangeMinSkipped = 0; // passed every guard but ranked before rangeMin

    std::size_t &operator[](Guard g) { return removed[static_cast<std::size_t>(g)]; }
    std::size_t operator[](Guard g) const { return removed[static_cast<std::size_t>(g)]; }
    GuardCounts &operator+=(const GuardCounts &other);
};

// The guard that skips this candidate, if any. positiveScore: the anchor's lowest positive score (the
// safe side when an anchor has several positives, as sentence-transformers does).
std::optional<Guard> skippingGuard(
    const RankedCandidate &candidate, float positiveScore, const SelectionRules &rules);

struct Selection
{
    std::vector<std::size_t> ids; // chosen negatives, best first (fewer than numNegatives when short)
    std::vector<float> scores;
    GuardCounts counts;
};

// Walks ranked in order, skips what a guard catches, keeps survivors rangeMin..rangeMax-1 and takes the
// top numNegatives of them or a random numNegatives (rng is used only for Random).
Selection selectNegatives(
    std::span<const RankedCandidate> ranked, float positiveScore, const SelectionRules &rules, Rng &rng);

} // namespace pairtune
