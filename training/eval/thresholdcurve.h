#pragma once

// Issue 21 part 2: which cosine similarity means "these two texts match"? From scored pairs (a score and
// whether the two texts really are a pair) the precision/recall/F1 of the rule "score >= t is a match" at
// every distinct score t, and the threshold a user's target asks for: the best F1, or the lowest threshold
// whose precision reaches X (the most recall at that precision). Torch-free and Qt-free.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pairtune {

struct ScoredPair
{
    float score = 0.0f; // cosine similarity; NaN never counts as a match
    bool match = false; // a true pair (anchor, its positive) or a non-pair
};

// The rule "score >= threshold is a match" measured on a set of scored pairs.
struct ThresholdPoint
{
    float threshold = 0.0f;
    std::size_t truePositives = 0; // true pairs at or above the threshold
    std::size_t falsePositives = 0; // non-pairs at or above the threshold
    double precision = 0.0; // truePositives / (truePositives + falsePositives); 0 when nothing is a match
    double recall = 0.0; // truePositives / all true pairs; 0 when there are none
    double f1 = 0.0; // harmonic mean of precision and recall; 0 when both are 0
};

struct ThresholdCurve
{
    std::size_t matches = 0; // true pairs
    std::size_t nonMatches = 0; // non-pairs
    std::vector<ThresholdPoint> points; // one per distinct (non-NaN) score, threshold ascending
};

// O(n log n): one sort, then running counts from the highest score down.
ThresholdCurve thresholdCurve(std::span<const ScoredPair> pairs);

// The rule at any threshold (between the curve's points too): what the studio shows while the user drags.
ThresholdPoint pointAt(const ThresholdCurve &curve, float threshold);

// The point of highest F1 (ties: the higher threshold, fewer false matches); nullopt for an empty curve.
std::optional<ThresholdPoint> bestF1Point(const ThresholdCurve &curve);

// The lowest threshold whose precision is >= target (so the most recall at that precision); nullopt when
// no threshold reaches it.
std::optional<ThresholdPoint> precisionPoint(const ThresholdCurve &curve, double target);

// What the user asks for: "f1" or "precision=X" (0 < X <= 1).
struct ThresholdTarget
{
    enum class Kind { BestF1, Precision };
    Kind kind = Kind::BestF1;
    double precision = 0.9;
};
// Throws pairtune::Error naming the accepted spellings.
ThresholdTarget parseThresholdTarget(const std::string &text);
std::string thresholdTargetName(const ThresholdTarget &target); // "f1", "precision=0.9"

// The threshold for target, or nullopt with the reason in *whyNot ("no threshold reaches precision 0.99 on
// these pairs (the highest is 0.93)").
std::optional<ThresholdPoint> chooseThreshold(
    const ThresholdCurve &curve, const ThresholdTarget &target, std::string *whyNot = nullptr);

} // namespace pairtune
