#include "eval/retrievalmetrics.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pairtune {

namespace {

std::string key(const char *name, std::size_t k)
{
    return std::string(name) + "@" + std::to_string(k);
}

double dcgOfFirstHits(std::size_t hits)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < hits; ++i)
        sum += 1.0 / std::log2(static_cast<double>(i) + 2.0);
    return sum;
}

} // namespace

RetrievalMetrics::RetrievalMetrics(RetrievalCutoffs cutoffs)
    : m_cutoffs(std::move(cutoffs))
{
    for (const auto *list : { &m_cutoffs.accuracyAtK, &m_cutoffs.precisionRecallAtK, &m_cutoffs.mrrAtK,
             &m_cutoffs.ndcgAtK, &m_cutoffs.mapAtK })
        for (const auto k : *list) {
            if (k == 0)
                throw Error("retrieval metrics: a cut-off k must be at least 1");
            m_maxK = std::max(m_maxK, k);
        }
    // Start every sum at 0 so that result() lists every key even before the first query.
    for (const auto k : m_cutoffs.accuracyAtK)
        m_sums[key("accuracy", k)] = 0.0;
    for (const auto k : m_cutoffs.precisionRecallAtK) {
        m_sums[key("precision", k)] = 0.0;
        m_sums[key("recall", k)] = 0.0;
    }
    for (const auto k : m_cutoffs.mrrAtK)
        m_sums[key("mrr", k)] = 0.0;
    for (const auto k : m_cutoffs.ndcgAtK)
        m_sums[key("ndcg", k)] = 0.0;
    for (const auto k : m_cutoffs.mapAtK)
        m_sums[key("map", k)] = 0.0;
}

void RetrievalMetrics::addQuery(std::span<const float> scores, std::span<const std::size_t> relevant)
{
    const std::size_t corpus = scores.size();
    const auto rankKey = [&](std::size_t c) {
        const float s = scores[c];
        return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s;
    };
    const std::size_t depth = std::min(m_maxK, corpus);
    std::vector<std::size_t> order(corpus);
    std::iota(order.begin(), order.end(), std::size_t { 0 });
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(depth), order.end(),
        [&](std::size_t a, std::size_t b) {
            const float ka = rankKey(a), kb = rankKey(b);
            return ka > kb || (ka == kb && a < b);
        });
    addRanked(std::span<const std::size_t>(order).first(depth), corpus, relevant);
}

void RetrievalMetrics::addRanked(
    std::span<const std::size_t> ranked, std::size_t corpus, std::span<const std::size_t> relevant)
{
    // The distinct relevant documents, sorted (a handful per query: no corpus-sized flag array).
    std::vector<std::size_t> relevantSet(relevant.begin(), relevant.end());
    for (const auto id : relevantSet)
        if (id >= corpus)
            throw Error("retrieval metrics: relevant document " + std::to_string(id)
                + " is outside the corpus of " + std::to_string(corpus));
    std::sort(relevantSet.begin(), relevantSet.end());
    relevantSet.erase(std::unique(relevantSet.begin(), relevantSet.end()), relevantSet.end());
    const std::size_t relevantCount = relevantSet.size();
    if (relevantCount == 0)
        return;
    const std::size_t depth = std::min(m_maxK, corpus);
    if (ranked.size() < depth)
        throw Error("retrieval metrics: " + std::to_string(ranked.size()) + " ranked documents, "
            + std::to_string(depth) + " needed");
    std::vector<char> hit(depth);
    for (std::size_t i = 0; i < depth; ++i)
        hit[i] = std::binary_search(relevantSet.begin(), relevantSet.end(), ranked[i]) ? 1 : 0;

    // hitsUpTo[i] = hits among the first i ranked documents.
    std::vector<std::size_t> hitsUpTo(depth + 1, 0);
    for (std::size_t i = 0; i < depth; ++i)
        hitsUpTo[i + 1] = hitsUpTo[i] + (hit[i] ? 1 : 0);
    const auto hitsAt = [&](std::size_t k) { return hitsUpTo[std::min(k, depth)]; };

    for (const auto k : m_cutoffs.accuracyAtK)
        m_sums[key("accuracy", k)] += hitsAt(k) > 0 ? 1.0 : 0.0;
    for (const auto k : m_cutoffs.precisionRecallAtK) {
        m_sums[key("precision", k)] += static_cast<double>(hitsAt(k)) / static_cast<double>(k);
        m_sums[key("recall", k)] += static_cast<double>(hitsAt(k)) / static_cast<double>(relevantCount);
    }
    for (const auto k : m_cutoffs.mrrAtK) {
        for (std::size_t i = 0; i < std::min(k, depth); ++i)
            if (hit[i]) {
                m_sums[key("mrr", k)] += 1.0 / static_cast<double>(i + 1);
                break;
            }
    }
    for (const auto k : m_cutoffs.ndcgAtK) {
        double dcg = 0.0;
        for (std::size_t i = 0; i < std::min(k, depth); ++i)
            if (hit[i])
                dcg += 1.0 / std::log2(static_cast<double>(i) + 2.0);
        m_sums[key("ndcg", k)] += dcg / dcgOfFirstHits(std::min(relevantCount, k));
    }
    for (const auto k : m_cutoffs.mapAtK) {
        double sumPrecisions = 0.0;
        for (std::size_t i = 0; i < std::min(k, depth); ++i)
            if (hit[i])
                sumPrecisions += static_cast<double>(hitsUpTo[i + 1]) / static_cast<double>(i + 1);
        m_sums[key("map", k)] += sumPrecisions / static_cast<double>(std::min(k, relevantCount));
    }
    ++m_queries;
}

std::map<std::string, double> RetrievalMetrics::result() const
{
    std::map<std::string, double> out;
    for (const auto &[name, sum] : m_sums)
        out[name] = m_queries == 0 ? std::numeric_limits<double>::quiet_NaN()
                                   : sum / static_cast<double>(m_queries);
    return out;
}

std::map<std::string, double> retrievalMetrics(std::span<const float> scores, std::size_t queries,
    std::size_t corpus, const std::vector<std::vector<std::size_t>> &relevant,
    const RetrievalCutoffs &cutoffs)
{
    if (scores.size() != queries * corpus)
        throw Error("retrieval metrics: the score matrix has " + std::to_string(scores.size())
            + " values, expected " + std::to_string(queries) + " x " + std::to_string(corpus));
    if (relevant.size() != queries)
        throw Error("retrieval metrics: " + std::to_string(relevant.size()) + " relevant sets for "
            + std::to_string(queries) + " queries");
    RetrievalMetrics metrics(cutoffs);
    for (std::size_t q = 0; q < queries; ++q)
        metrics.addQuery(scores.subspan(q * corpus, corpus), relevant[q]);
    return metrics.result();
}

} // namespace pairtune
