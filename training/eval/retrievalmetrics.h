#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace pairtune {

// The cut-offs of sentence-transformers' InformationRetrievalEvaluator (its defaults).
struct RetrievalCutoffs
{
    std::vector<std::size_t> accuracyAtK { 1, 3, 5, 10 };
    std::vector<std::size_t> precisionRecallAtK { 1, 3, 5, 10 };
    std::vector<std::size_t> mrrAtK { 10 };
    std::vector<std::size_t> ndcgAtK { 10 };
    std::vector<std::size_t> mapAtK { 100 };
};

// Retrieval metrics computed like InformationRetrievalEvaluator.compute_metrics (docs/formats.md §6.2), fed
// one query at a time so that a large evaluation never needs the whole queries × corpus matrix.
// Per query the corpus is ranked by score descending; ties are broken by the lower corpus index first
// (Python's order among ties depends on torch.topk and is not defined), NaN scores rank last. With
// rel = the query's relevant set and hits in the top k:
//   accuracy@k  1 if any hit in the top k
//   precision@k |hits@k| / k (k even when the corpus is smaller)
//   recall@k    |hits@k| / |rel|
//   mrr@k       1 / rank of the first hit in the top k, else 0
//   ndcg@k      Σ_{i<k} [hit_i] / log2(i + 2), divided by the same sum for min(|rel|, k) hits
//   map@k       Σ_{hits i in top k} (hits up to i / (i + 1)) / min(k, |rel|)
// Each is the mean over the queries that have at least one relevant document; queries with none are
// skipped, as the evaluator drops them.
class RetrievalMetrics
{
public:
    explicit RetrievalMetrics(RetrievalCutoffs cutoffs = {});

    // scores[c] is the query's similarity to corpus entry c; relevant lists corpus indices (duplicates
    // count once). Throws pairtune::Error for a relevant index outside the corpus or a zero cut-off.
    void addQuery(std::span<const float> scores, std::span<const std::size_t> relevant);

    // The same from the query's ranking alone (eval/blockedsearch.h): ranked holds the corpus indices of
    // its best min(maxK(), corpusSize) documents, best first, in the order addQuery would rank them.
    // Throws pairtune::Error when ranked is shorter, or a relevant index is outside the corpus.
    void addRanked(
        std::span<const std::size_t> ranked, std::size_t corpusSize, std::span<const std::size_t> relevant);

    // The deepest cut-off: how many ranked documents addRanked needs.
    std::size_t maxK() const { return m_maxK; }

    // Queries counted so far (those with at least one relevant document).
    std::size_t queryCount() const { return m_queries; }

    // The averages, keyed "accuracy@1", "precision@1", "recall@1", "mrr@10", "ndcg@10", "map@100", ...
    // Every value is NaN when no query was counted.
    std::map<std::string, double> result() const;

private:
    RetrievalCutoffs m_cutoffs;
    std::size_t m_maxK = 0;
    std::size_t m_queries = 0;
    std::map<std::string, double> m_sums;
};

// Convenience for a whole row-major matrix: scores has queries * corpus values and row q belongs to
// query q, whose relevant corpus indices are relevant[q]. Throws pairtune::Error on size mismatches.
std::map<std::string, double> retrievalMetrics(std::span<const float> scores, std::size_t queries,
    std::size_t corpus, const std::vector<std::vector<std::size_t>> &relevant,
    const RetrievalCutoffs &cutoffs = {});

} // namespace pairtune
