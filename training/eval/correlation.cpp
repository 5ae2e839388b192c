#include "eval/correlation.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace pairtune {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkSizes(std::size_t x, std::size_t y)
{
    if (x != y)
        throw Error("correlation: the two series differ in length (" + std::to_string(x) + " and "
            + std::to_string(y) + ")");
}

bool isConstant(std::span<const double> values)
{
    return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

bool allFinite(std::span<const double> values)
{
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

std::vector<double> widen(std::span<const float> values)
{
    return { values.begin(), values.end() };
}

} // namespace

double pearson(std::span<const double> x, std::span<const double> y)
{
    checkSizes(x.size(), y.size());
    const std::size_t n = x.size();
    // Checked on the values as scipy does: the mean of equal values may differ from them by rounding.
    if (n < 2 || !allFinite(x) || !allFinite(y) || isConstant(x) || isConstant(y))
        return kNaN;
    const double meanX = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
    const double meanY = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double dx = x[i] - meanX, dy = y[i] - meanY;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0.0 || syy == 0.0)
        return kNaN;
    return std::clamp(sxy / (std::sqrt(sxx) * std::sqrt(syy)), -1.0, 1.0);
}

double pearson(std::span<const float> x, std::span<const float> y)
{
    checkSizes(x.size(), y.size());
    const auto wx = widen(x), wy = widen(y);
    return pearson(std::span<const double>(wx), std::span<const double>(wy));
}

std::vector<double> averageRanks(std::span<const double> values)
{
    const std::size_t n = values.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t { 0 });
    std::stable_sort(
        order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(n);
    for (std::size_t begin = 0; begin < n;) {
        std::size_t end = begin + 1;
        while (end < n && values[order[end]] == values[order[begin]])
            ++end;
        // Positions begin..end-1 hold equal values: ranks begin+1 .. end, whose mean is (begin+1+end)/2.
        const double rank = (static_cast<double>(begin + 1) + static_cast<double>(end)) / 2.0;
        for (std::size_t i = begin; i < end; ++i)
            ranks[order[i]] = rank;
        begin = end;
    }
    return ranks;
}

double spearman(std::span<const double> x, std::span<const double> y)
{
    checkSizes(x.size(), y.size());
    if (x.size() < 2 || !allFinite(x) || !allFinite(y))
        return kNaN;
    const auto rx = averageRanks(x), ry = averageRanks(y);
    return pearson(std::span<const double>(rx), std::span<const double>(ry));
}

double spearman(std::span<const float> x, std::span<const float> y)
{
    checkSizes(x.size(), y.size());
    const auto wx = widen(x), wy = widen(y);
    return spearman(std::span<const double>(wx), std::span<const double>(wy));
}

} // namespace pairtune
