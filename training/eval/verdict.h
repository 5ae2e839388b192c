#pragma once

// "Did fine-tuning help, or is it noise?" (issue 21): the held-out retrieval metrics of two models before
// and after, each with a paired bootstrap confidence interval of the difference over queries, a verdict
// read from that interval (never from the point estimate), and the queries whose true positive moved most.
// Works on per-query ranks only (train/modelverdict.h computes them with the blocked search), so it holds
// O(queries) numbers whatever the corpus size.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace pairtune {

// Where one query's true positive ranked under one model.
struct QueryRank
{
    std::size_t rank = 0; // 1-based rank among the corpus; 0 = not within the searched depth
    std::size_t topHit = 0; // corpus index of the query's best hit (the text that outranks a rank > 1)
};

// The value a RetrievalMetrics key ("mrr@10", "ndcg@10", "recall@5", "accuracy@1", "precision@3",
// "map@100") takes for one query with exactly one relevant document at `rank` (0 = not within the search
// depth, which must reach k); the mean over queries equals RetrievalMetrics' result
// (eval/retrievalmetrics.h). Throws pairtune::Error for another key.
double singleRelevantMetric(const std::string &metric, std::size_t rank);

// A confidence interval [low, high].
struct Interval
{
    double low = 0.0;
    double high = 0.0;
};

enum class Verdict { Better, NoClearChange, Worse };

// "Better", "No clear change", "Worse".
std::string toString(Verdict verdict);

// From the interval of after - before of a metric where higher is better: Better when it lies above 0,
// Worse when below, No clear change when it contains 0.
Verdict verdictOf(const Interval &difference);

struct BootstrapOptions
{
    std::size_t resamples = 1000;
    double confidence = 0.95;
};

// Fills `indices` (one per query: indices.size() queries) with query indices drawn uniformly with
// replacement. The caller's seeded generator (recipe/rng.h; eval cannot depend on recipe).
using ResampleDraw = std::function<void(std::span<std::size_t> indices)>;

// Paired bootstrap over queries: `resamples` times, draw query indices with replacement (one draw shared
// by every metric and by both models: paired), and take the mean of differences[m][i] over the drawn i.
// Interval m holds the (1 - confidence) / 2 and (1 + confidence) / 2 percentiles of metric m's means,
// interpolated linearly between order statistics as numpy.percentile does by default.
// Throws pairtune::Error for no queries, lists of different lengths, 0 resamples or a confidence outside
// (0, 1).
std::vector<Interval> pairedBootstrap(const std::vector<std::vector<double>> &differences,
    const BootstrapOptions &options, const ResampleDraw &draw);

// The p-th quantile (0 <= p <= 1) of ascending `sorted`, numpy.percentile's default "linear" method.
double linearPercentile(std::span<const double> sorted, double p);

struct MetricChange
{
    std::string name; // a RetrievalMetrics key
    double before = 0.0; // mean over queries
    double after = 0.0;
    Interval difference; // of after - before
    Verdict verdict = Verdict::NoClearChange;
};

// A query whose true positive moved.
struct RankChange
{
    std::size_t query = 0;
    QueryRank before;
    QueryRank after;
};

struct VerdictOptions
{
    std::vector<std::string> metrics { "mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10" };
    std::string headline = "mrr@10"; // its verdict is the overall one (the trainer's default best metric)
    BootstrapOptions bootstrap;
    std::size_t listed = 10; // gains and losses listed
};

struct VerdictReport
{
    std::size_t queries = 0;
    std::size_t depth = 0; // ranks beyond it are "not found"
    BootstrapOptions bootstrap;
    std::string headline;
    Verdict verdict = Verdict::NoClearChange; // the headline metric's
    std::vector<MetricChange> metrics;
    // The biggest moves of the true positive, largest first by the change of its reciprocal rank
    // (1/rank, 0 beyond the depth: what it adds to MRR), then by the change of rank, then query order.
    std::vector<RankChange> gains;
    std::vector<RankChange> losses;
};

// The report for the ranks of the same queries under the base (before) and tuned (after) model.
// Throws pairtune::Error when the lists differ in length, are empty, a rank exceeds depth, the depth is
// below a metric's cut-off, or the headline is not among the metrics.
VerdictReport compareRanks(std::span<const QueryRank> before, std::span<const QueryRank> after,
    std::size_t depth, const VerdictOptions &options, const ResampleDraw &draw);

// "3", or "> 100" for a rank beyond the depth.
std::string rankText(std::size_t rank, std::size_t depth);

} // namespace pairtune
