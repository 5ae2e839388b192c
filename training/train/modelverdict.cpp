#include "train/modelverdict.h"

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "recipe/rng.h"
#include "train/groupencoder.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace pairtune {
namespace {

// Rows scaled to length 1 (cosine = dot product), a zero row left as is, like unitRows in evaluator.cpp.
void normalizeRows(Embeddings &e)
{
    for (std::size_t r = 0; r < e.rows; ++r) {
        float *row = e.values.data() + r * e.dim;
        double squares = 0.0;
        for (std::size_t c = 0; c < e.dim; ++c)
            squares += static_cast<double>(row[c]) * row[c];
        const float norm = std::max(static_cast<float>(std::sqrt(squares)), 1e-12f);
        for (std::size_t c = 0; c < e.dim; ++c)
            row[c] /= norm;
    }
}

} // namespace

EvalCorpus evalCorpus(const EvalSet &set)
{
    EvalCorpus corpus;
    std::unordered_map<std::string, std::size_t> index;
    corpus.positiveOf.reserve(set.positives.size());
    for (const std::string &positive : set.positives) {
        const auto [it, inserted] = index.try_emplace(positive, corpus.texts.size());
        if (inserted)
            corpus.texts.push_back(positive);
        corpus.positiveOf.push_back(it->second);
    }
    return corpus;
}

EvalEmbeddings embedEvalSet(
    const SentenceModel &model, const EvalSet &set, const EvalCorpus &corpus, std::size_t batchSize)
{
    return embedEvalSet(model, set, corpus, groupEncoder(model, nullptr, batchSize, {}));
}

EvalEmbeddings embedEvalSet(
    const SentenceModel &model, const EvalSet &set, const EvalCorpus &corpus, const TextEncoder &encode)
{
    if (corpus.positiveOf.size() != set.anchors.size())
        throw Error("verdict: the corpus was built for " + std::to_string(corpus.positiveOf.size())
            + " pairs, the set has " + std::to_string(set.anchors.size()));
    const ColumnPrompts prompts = columnPrompts(model.prompts());
    EvalEmbeddings embedded { encode(set.anchors, prompts.anchor), encode(corpus.texts, prompts.positive) };
    normalizeRows(embedded.anchors);
    normalizeRows(embedded.documents);
    return embedded;
}

std::vector<QueryRank> rankTruePositives(
    const EvalEmbeddings &embedded, const EvalCorpus &corpus, std::size_t depth)
{
    const std::size_t n = corpus.positiveOf.size();
    if (embedded.anchors.rows != n || embedded.documents.rows != corpus.texts.size())
        throw Error("verdict: the embeddings do not belong to this set ("
            + std::to_string(embedded.anchors.rows) + " anchors for " + std::to_string(n) + " pairs)");
    std::vector<QueryRank> ranks(n);
    if (n == 0)
        return ranks;
    blockedTopK(embedded.anchors.values, n, embedded.documents.values, corpus.texts.size(),
        embedded.documents.dim, depth, [&](const TopKHits &hits) {
            for (std::size_t q = 0; q < hits.count; ++q) {
                const std::size_t query = hits.firstQuery + q;
                const auto ids = hits.idsOf(q);
                const auto found = std::find(ids.begin(), ids.end(), corpus.positiveOf[query]);
                ranks[query].rank
                    = found == ids.end() ? 0 : static_cast<std::size_t>(found - ids.begin()) + 1;
                ranks[query].topHit = ids.front();
            }
        });
    return ranks;
}

std::vector<QueryRank> rankTruePositives(const SentenceModel &model, const EvalSet &set,
    const EvalCorpus &corpus, std::size_t depth, std::size_t batchSize)
{
    if (set.anchors.empty() && corpus.positiveOf.empty())
        return {};
    return rankTruePositives(embedEvalSet(model, set, corpus, batchSize), corpus, depth);
}

VerdictReport compareSeeded(std::span<const QueryRank> before, std::span<const QueryRank> after,
    std::size_t depth, const VerdictOptions &options, std::uint64_t seed)
{
    Rng rng(seed, rngstream::bootstrap);
    return compareRanks(before, after, depth, options, [&rng](std::span<std::size_t> indices) {
        for (std::size_t &i : indices)
            i = static_cast<std::size_t>(rng.uniformInt(indices.size()));
    });
}

} // namespace pairtune
