#pragma once

// Exact top-k search of many query vectors against many corpus vectors in blocks, so that memory grows
// with queries * k instead of queries * corpus (the way sentence-transformers' InformationRetrieval-
// Evaluator bounds it with corpus_chunk_size, here bounded on the query side too). Used by the
// retrieval evaluation; meant for any "nearest texts" search (Try page, leak detection, hard negatives).

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace pairtune {

struct BlockedSearchOptions
{
    std::size_t queryChunk = 512; // queries whose top-k are built together (and handed to onChunk)
    std::size_t corpusChunk = 8192; // corpus rows scored per matrix product
    int threads = 0; // threads of the top-k scan; 0 = the cores of the machine (at most 8)
};

// The best min(k, corpus) hits of queries [firstQuery, firstQuery + count), row-major: query q's hits are
// ids/scores[(q - firstQuery) * width, ... + width), best first.
struct TopKHits
{
    std::size_t firstQuery = 0;
    std::size_t count = 0;
    std::size_t width = 0;
    std::vector<std::size_t> ids;
    std::vector<float> scores;

    std::span<const std::size_t> idsOf(std::size_t localQuery) const
    {
        return std::span<const std::size_t>(ids).subspan(localQuery * width, width);
    }
    std::span<const float> scoresOf(std::size_t localQuery) const
    {
        return std::span<const float>(scores).subspan(localQuery * width, width);
    }
};

// Scores are dot products (pass unit rows for cosine similarity). queries holds queryCount * dim floats,
// corpus corpusCount * dim, both row-major. The ranking is the one of RetrievalMetrics::addQuery: score
// descending, ties to the lower corpus index, NaN as -infinity; so the hits equal the first k entries of
// a full sort of each query's row of the whole matrix product (a NaN score is reported as -infinity).
// onChunk gets each query chunk in order.
// Throws pairtune::Error on size mismatches or k == 0.
void blockedTopK(std::span<const float> queries, std::size_t queryCount, std::span<const float> corpus,
    std::size_t corpusCount, std::size_t dim, std::size_t k,
    const std::function<void(const TopKHits &)> &onChunk, const BlockedSearchOptions &options = {});

// All queries' hits at once (queryCount * min(k, corpus) entries).
TopKHits blockedTopK(std::span<const float> queries, std::size_t queryCount, std::span<const float> corpus,
    std::size_t corpusCount, std::size_t dim, std::size_t k, const BlockedSearchOptions &options = {});

} // namespace pairtune
