#include "eval/verdict.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace pairtune {
namespace {

struct MetricKey
{
    std::string name;
    std::size_t k = 0;
};

MetricKey parseMetricKey(const std::string &metric)
{
    const auto at = metric.find('@');
    if (at == std::string::npos || at + 1 >= metric.size())
        throw Error("verdict: unknown metric '" + metric + "' (expected e.g. mrr@10)");
    MetricKey key { metric.substr(0, at), 0 };
    for (std::size_t i = at + 1; i < metric.size(); ++i) {
        if (metric[i] < '0' || metric[i] > '9')
            throw Error("verdict: unknown metric '" + metric + "' (expected e.g. mrr@10)");
        key.k = key.k * 10 + static_cast<std::size_t>(metric[i] - '0');
    }
    static const char *const known[] = { "mrr", "ndcg", "recall", "accuracy", "precision", "map" };
    if (key.k == 0 || std::find(std::begin(known), std::end(known), key.name) == std::end(known))
        throw Error(
            "verdict: unknown metric '" + metric + "' (mrr, ndcg, recall, accuracy, precision or map @k)");
    return key;
}

double reciprocalRank(std::size_t rank)
{
    return rank == 0 ? 0.0 : 1.0 / static_cast<double>(rank);
}

// Rank for ordering, with "not found" after every found rank.
std::size_t orderRank(std::size_t rank, std::size_t depth)
{
    return rank == 0 ? depth + 1 : rank;
}

} // namespace

double singleRelevantMetric(const std::string &metric, std::size_t rank)
{
    const MetricKey key = parseMetricKey(metric);
    const bool within = rank != 0 && rank <= key.k;
    if (!within)
        return 0.0;
    if (key.name == "mrr" || key.name == "map") // map: the one hit's precision 1/rank over min(k, 1)
        return 1.0 / static_cast<double>(rank);
    if (key.name == "ndcg") // the ideal ranking has the one relevant document first: IDCG = 1
        return 1.0 / std::log2(static_cast<double>(rank) + 1.0);
    if (key.name == "precision")
        return 1.0 / static_cast<double>(key.k);
    return 1.0; // recall, accuracy
}

std::string toString(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Better:
        return "Better";
    case Verdict::Worse:
        return "Worse";
    case Verdict::NoClearChange:
        break;
    }
    return "No clear change";
}

Verdict verdictOf(const Interval &difference)
{
    if (difference.low > 0.0)
        return Verdict::Better;
    if (difference.high < 0.0)
        return Verdict::Worse;
    return Verdict::NoClearChange;
}

double linearPercentile(std::span<const double> sorted, double p)
{
    if (sorted.empty())
        throw Error("verdict: percentile of no values");
    const double position = std::clamp(p, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

std::vector<Interval> pairedBootstrap(const std::vector<std::vector<double>> &differences,
    const BootstrapOptions &options, const ResampleDraw &draw)
{
    if (differences.empty() || differences.front().empty())
        throw Error("verdict: the bootstrap needs at least one query");
    const std::size_t queries = differences.front().size();
    for (const auto &metric : differences)
        if (metric.size() != queries)
            throw Error("verdict: every metric needs one difference per query");
    if (options.resamples == 0)
        throw Error("verdict: the bootstrap needs at least one resample");
    if (!(options.confidence > 0.0 && options.confidence < 1.0))
        throw Error("verdict: the confidence must lie between 0 and 1, e.g. 0.95");

    std::vector<std::vector<double>> means(differences.size(), std::vector<double>(options.resamples));
    std::vector<std::size_t> indices(queries);
    std::vector<double> sums(differences.size());
    for (std::size_t r = 0; r < options.resamples; ++r) {
        draw(indices);
        std::fill(sums.begin(), sums.end(), 0.0);
        for (const std::size_t i : indices) {
            if (i >= queries)
                throw Error("verdict: the resampling drew query " + std::to_string(i) + " of "
                    + std::to_string(queries));
            for (std::size_t m = 0; m < differences.size(); ++m)
                sums[m] += differences[m][i];
        }
        for (std::size_t m = 0; m < differences.size(); ++m)
            means[m][r] = sums[m] / static_cast<double>(queries);
    }
    std::vector<Interval> intervals;
    const double tail = (1.0 - options.confidence) / 2.0;
    for (auto &values : means) {
        std::sort(values.begin(), values.end());
        intervals.push_back({ linearPercentile(values, tail), linearPercentile(values, 1.0 - tail) });
    }
    return intervals;
}

VerdictReport compareRanks(std::span<const QueryRank> before, std::span<const QueryRank> after,
    std::size_t depth, const VerdictOptions &options, const ResampleDraw &draw)
{
    if (before.size() != after.size())
        throw Error("verdict: " + std::to_string(before.size()) + " ranks before but "
            + std::to_string(after.size()) + " after; both models must rank the same queries");
    if (before.empty())
        throw Error("verdict: no queries to compare");
    if (std::find(options.metrics.begin(), options.metrics.end(), options.headline) == options.metrics.end())
        throw Error("verdict: the headline metric " + options.headline + " is not among the metrics");
    for (const auto &metric : options.metrics)
        if (parseMetricKey(metric).k > depth)
            throw Error("verdict: " + metric + " needs ranks up to "
                + std::to_string(parseMetricKey(metric).k) + ", the search went to " + std::to_string(depth));
    for (const auto *ranks : { &before, &after })
        for (const QueryRank &r : *ranks)
            if (r.rank > depth)
                throw Error("verdict: rank " + std::to_string(r.rank) + " is beyond the search depth "
                    + std::to_string(depth));

    const std::size_t n = before.size();
    VerdictReport report;
    report.queries = n;
    report.depth = depth;
    report.bootstrap = options.bootstrap;
    report.headline = options.headline;

    std::vector<std::vector<double>> differences;
    for (const std::string &name : options.metrics) {
        MetricChange change { name, 0.0, 0.0, {}, Verdict::NoClearChange };
        std::vector<double> perQuery(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double b = singleRelevantMetric(name, before[i].rank);
            const double a = singleRelevantMetric(name, after[i].rank);
            change.before += b;
            change.after += a;
            perQuery[i] = a - b;
        }
        change.before /= static_cast<double>(n);
        change.after /= static_cast<double>(n);
        report.metrics.push_back(change);
        differences.push_back(std::move(perQuery));
    }
    const std::vector<Interval> intervals = pairedBootstrap(differences, options.bootstrap, draw);
    for (std::size_t m = 0; m < report.metrics.size(); ++m) {
        report.metrics[m].difference = intervals[m];
        report.metrics[m].verdict = verdictOf(intervals[m]);
        if (report.metrics[m].name == options.headline)
            report.verdict = report.metrics[m].verdict;
    }

    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t b = orderRank(before[i].rank, depth), a = orderRank(after[i].rank, depth);
        if (a < b)
            report.gains.push_back({ i, before[i], after[i] });
        else if (a > b)
            report.losses.push_back({ i, before[i], after[i] });
    }
    // Largest move first: reciprocal rank, then rank, then query order (a total order: stable output).
    const auto byMove = [depth](const RankChange &x, const RankChange &y) {
        const double mx = std::abs(reciprocalRank(x.after.rank) - reciprocalRank(x.before.rank));
        const double my = std::abs(reciprocalRank(y.after.rank) - reciprocalRank(y.before.rank));
        if (mx != my)
            return mx > my;
        const auto steps = [depth](const RankChange &c) {
            const std::size_t b = orderRank(c.before.rank, depth), a = orderRank(c.after.rank, depth);
            return a > b ? a - b : b - a;
        };
        if (steps(x) != steps(y))
            return steps(x) > steps(y);
        return x.query < y.query;
    };
    for (auto *list : { &report.gains, &report.losses }) {
        std::sort(list->begin(), list->end(), byMove);
        if (list->size() > options.listed)
            list->resize(options.listed);
    }
    return report;
}

std::string rankText(std::size_t rank, std::size_t depth)
{
    return rank == 0 ? "> " + std::to_string(depth) : std::to_string(rank);
}

} // namespace pairtune
