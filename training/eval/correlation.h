#pragma once

#include <span>
#include <vector>

namespace pairtune {

// Correlations as scipy.stats computes them for EmbeddingSimilarityEvaluator (docs/formats.md §6.1).
// Both return NaN, never throw, when the value is undefined: fewer than 2 values, a constant input
// (scipy warns ConstantInputWarning and returns NaN) or any NaN/infinite value (scipy propagates NaN).
// They throw pairtune::Error when x and y differ in length.

// Pearson's r: Σ(x-x̄)(y-ȳ) / (‖x-x̄‖·‖y-ȳ‖), computed in double and clipped to [-1, 1].
double pearson(std::span<const double> x, std::span<const double> y);
double pearson(std::span<const float> x, std::span<const float> y);

// Spearman's rho: Pearson's r of the ranks, ties getting the average of their ranks.
double spearman(std::span<const double> x, std::span<const double> y);
double spearman(std::span<const float> x, std::span<const float> y);

// 1-based ranks, ties averaged (scipy.stats.rankdata(method="average")): {10, 20, 20, 5} → {2, 3.5, 3.5, 1}.
std::vector<double> averageRanks(std::span<const double> values);

} // namespace pairtune
