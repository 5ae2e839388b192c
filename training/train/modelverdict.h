#pragma once

// The verdict of issue 21 for two models on the same held-out pairs: each model ranks every anchor's
// true positive among the set's distinct positives, as evaluate() (train/evaluator.h) retrieves them,
// with the blocked search (eval/blockedsearch.h: memory grows with queries, never queries × corpus);
// eval/verdict.h turns the two rank lists into metrics, bootstrap intervals, a verdict and the biggest
// moves. Torch-free interface.

#include "eval/verdict.h"
#include "model/sentencemodel.h"
#include "train/evaluator.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

// The retrieval corpus of an eval set: its distinct positives in first-appearance order, and for every
// pair the corpus index of its positive (the one relevant document of that query).
struct EvalCorpus
{
    std::vector<std::string> texts;
    std::vector<std::size_t> positiveOf;
};
EvalCorpus evalCorpus(const EvalSet &set);

// An eval set under one model: its anchors and its corpus's texts encoded with the model's prompts (as
// evaluate() encodes them), rows scaled to length 1. The end of a run encodes the held-out set once and
// both the verdict and the similarity threshold (train/similaritythreshold.h) use it.
struct EvalEmbeddings
{
    Embeddings anchors;
    Embeddings documents; // one row per corpus text
};
EvalEmbeddings embedEvalSet(
    const SentenceModel &model, const EvalSet &set, const EvalCorpus &corpus, std::size_t batchSize = 32);
// The same through encode (train/groupencoder.h): under a process group every rank calls it, rank 0 gets
// the set's rows, the other ranks none.
EvalEmbeddings embedEvalSet(
    const SentenceModel &model, const EvalSet &set, const EvalCorpus &corpus, const TextEncoder &encode);

// Where each anchor's positive ranks among corpus.texts by cosine, searched to `depth` (a rank beyond it
// is 0): from the embeddings, or encoding with model first.
std::vector<QueryRank> rankTruePositives(
    const EvalEmbeddings &embedded, const EvalCorpus &corpus, std::size_t depth);
std::vector<QueryRank> rankTruePositives(const SentenceModel &model, const EvalSet &set,
    const EvalCorpus &corpus, std::size_t depth, std::size_t batchSize = 32);

// How deep rankTruePositives searches by default: map@100 and a "rank 57 -> 3" need it.
inline constexpr std::size_t kVerdictSearchDepth = 100;

// compareRanks with the seeded resampling of recipe/rng.h: the same seed gives the same intervals.
VerdictReport compareSeeded(std::span<const QueryRank> before, std::span<const QueryRank> after,
    std::size_t depth, const VerdictOptions &options, std::uint64_t seed);

} // namespace pairtune
