#include "eval/thresholdcurve.h"

#include "core/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pairtune {
namespace {

ThresholdPoint measured(float threshold, std::size_t tp, std::size_t fp, std::size_t matches)
{
    ThresholdPoint p;
    p.threshold = threshold;
    p.truePositives = tp;
    p.falsePositives = fp;
    p.precision = tp + fp == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
    p.recall = matches == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(matches);
    p.f1 = p.precision + p.recall == 0.0 ? 0.0 : 2.0 * p.precision * p.recall / (p.precision + p.recall);
    return p;
}

std::string formatNumber(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

} // namespace

ThresholdCurve thresholdCurve(std::span<const ScoredPair> pairs)
{
    ThresholdCurve curve;
    std::vector<ScoredPair> sorted;
    sorted.reserve(pairs.size());
    for (const ScoredPair &pair : pairs) {
        (pair.match ? curve.matches : curve.nonMatches) += 1;
        if (!std::isnan(pair.score))
            sorted.push_back(pair);
    }
    std::sort(sorted.begin(), sorted.end(),
        [](const ScoredPair &a, const ScoredPair &b) { return a.score > b.score; });
    // Walking down, a point is taken after the last pair of each run of equal scores: all ties with t
    // are at or above t, so they count together.
    std::size_t tp = 0;
    std::size_t fp = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        (sorted[i].match ? tp : fp) += 1;
        if (i + 1 == sorted.size() || sorted[i + 1].score != sorted[i].score)
            curve.points.push_back(measured(sorted[i].score, tp, fp, curve.matches));
    }
    std::reverse(curve.points.begin(), curve.points.end());
    return curve;
}

ThresholdPoint pointAt(const ThresholdCurve &curve, float threshold)
{
    // Pairs scoring >= threshold are exactly those of the first curve point at or above it.
    const auto it = std::lower_bound(curve.points.begin(), curve.points.end(), threshold,
        [](const ThresholdPoint &p, float t) { return p.threshold < t; });
    if (it == curve.points.end())
        return measured(threshold, 0, 0, curve.matches);
    ThresholdPoint p = *it;
    p.threshold = threshold;
    return p;
}

std::optional<ThresholdPoint> bestF1Point(const ThresholdCurve &curve)
{
    std::optional<ThresholdPoint> best;
    for (const ThresholdPoint &p : curve.points) {
        if (!best || p.f1 >= best->f1)
            best = p;
    }
    return best;
}

std::optional<ThresholdPoint> precisionPoint(const ThresholdCurve &curve, double target)
{
    for (const ThresholdPoint &p : curve.points) {
        if (p.precision >= target)
            return p;
    }
    return std::nullopt;
}

ThresholdTarget parseThresholdTarget(const std::string &text)
{
    ThresholdTarget target;
    if (text == "f1")
        return target;
    const std::string prefix = "precision=";
    if (text.rfind(prefix, 0) == 0) {
        const std::string number = text.substr(prefix.size());
        double value = 0.0;
        const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
        if (error == std::errc() && end == number.data() + number.size() && value > 0.0 && value <= 1.0) {
            target.kind = ThresholdTarget::Kind::Precision;
            target.precision = value;
            return target;
        }
    }
    throw Error("threshold target \"" + text + "\": use f1 (best F1) or precision=X with 0 < X <= 1, "
        + "e.g. precision=0.9");
}

std::string thresholdTargetName(const ThresholdTarget &target)
{
    return target.kind == ThresholdTarget::Kind::BestF1 ? "f1"
                                                        : "precision=" + formatNumber(target.precision);
}

std::optional<ThresholdPoint> chooseThreshold(
    const ThresholdCurve &curve, const ThresholdTarget &target, std::string *whyNot)
{
    std::optional<ThresholdPoint> point = target.kind == ThresholdTarget::Kind::BestF1
        ? bestF1Point(curve)
        : precisionPoint(curve, target.precision);
    if (!point && whyNot) {
        if (curve.points.empty()) {
            *whyNot = "no scored pairs to choose a threshold from";
        } else {
            double highest = 0.0;
            for (const ThresholdPoint &p : curve.points)
                highest = std::max(highest, p.precision);
            *whyNot = "no threshold reaches precision " + formatNumber(target.precision)
                + " on these pairs (the highest is " + formatNumber(highest) + ")";
        }
    }
    return point;
}

} // namespace pairtune
