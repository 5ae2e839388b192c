#pragma once

// Hard-negative mining (`pairtune-cli mine`, issue 20): adds negative_1..k to a pair file from each
// anchor's nearest training texts under a model, skipping likely false negatives. Only the training
// part of the run's seeded split is mined from: held-out texts never become negatives, and the output
// keeps every row in its place so `train` with the same --seed and --train-fraction splits it the
// same way. Plain structs and callbacks; no torch in this header.

#include "data/pairdataset.h"
#include "mine/candidateselection.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

struct MiningOptions
{
    SelectionRules rules {}; // rules.rangeMax 0 = the default of sentence-transformers (defaultRangeMax)
    std::uint64_t seed = 42; // the run's seed: the split, and the random sampling strategy
    double trainFraction = 0.8; // the run's --train-fraction
    std::size_t batchSize = 32; // texts per forward pass
};

// sentence-transformers' range_max when none is given: rangeMin + numNegatives, times ten when a guard
// may skip candidates (always here: the near-duplicate guard is on unless nearDuplicate > 1).
std::size_t defaultRangeMax(const SelectionRules &rules);

struct ScoreSummary
{
    std::size_t count = 0;
    double mean = 0.0;
    double min = 0.0;
    double q25 = 0.0;
    double median = 0.0;
    double q75 = 0.0;
    double max = 0.0;
};
// Quantiles with linear interpolation between order statistics (numpy's and pandas' default).
ScoreSummary summarizeScores(std::vector<float> scores);

// What mining did, over the training rows (held-out rows get negatives from the same training pool,
// only for the evaluation loss; their numbers are not mixed in here).
struct MiningReport
{
    SelectionRules rules {};
    std::uint64_t seed = 0;
    double trainFraction = 0.0;
    std::size_t trainRows = 0;
    std::size_t heldOutRows = 0;
    std::size_t candidateTexts = 0; // distinct texts negatives were drawn from
    std::size_t heldOutTextsExcluded = 0; // candidate texts dropped because a held-out row has them
    std::size_t corpusFileTexts = 0; // distinct lines of the corpus file
    GuardCounts removed {};
    ScoreSummary positiveScores {};
    ScoreSummary negativeScores {};
    std::size_t anchorsShort = 0; // training rows with fewer than numNegatives in the range
    std::vector<std::size_t> shortLines {}; // their source lines (the first 20)
    std::size_t randomFilled = 0; // negatives that filled short rows: random candidates that pass every guard
    // Rows where too few candidates pass the score guards (relative margin, max score: the model scores
    // the positive below nearly everything) take the least similar other candidates instead.
    std::size_t rowsMarginWaived = 0;
    std::size_t marginWaived = 0; // negatives taken that way
    std::vector<std::size_t> waivedLines {}; // their source lines (the first 20)
    double embedSeconds = 0.0;
    double searchSeconds = 0.0;
};

std::string miningReportJson(const MiningReport &report); // pretty-printed JSON object
std::string miningReportText(const MiningReport &report); // a short summary for a person

enum class MiningStage { Embedding, Searching };
struct MiningProgress
{
    MiningStage stage = MiningStage::Embedding;
    std::size_t done = 0;
    std::size_t total = 0;
};

struct MiningCallbacks
{
    std::function<void(const MiningProgress &)> onProgress; // may be empty
    // Polled between chunks; true ends mining with Error::Kind::Cancelled. May be empty.
    std::function<bool()> cancelRequested;
};

struct MiningResult
{
    PairDataset pairs; // the input rows, in order, each with numNegatives negatives
    MiningReport report;
    // Per row, for a reviewer (the studio's Hard negatives step): the anchor-positive cosine, and each
    // negative's cosine to the anchor in the order of the row's negatives (best first).
    std::vector<float> rowPositiveScores;
    std::vector<std::vector<float>> rowNegativeScores;
};

// Mines negatives for every row of pairs (which must have no negatives yet). Candidates: the distinct
// positives of the training rows plus corpusTexts, less every text of a held-out row. Anchors are
// embedded with the model's query prompt, candidates with its document prompt (model/prompts.h), as
// sentence-transformers' encode_query/encode_document; scores are cosines. A row whose range is short
// is filled with random candidates that pass every guard, then with the least similar candidates that
// are not its positive, anchor or a near-duplicate (counted in the report); when even those run out,
// throws Error naming the row.
MiningResult mineHardNegatives(const SentenceModel &model, const PairDataset &pairs,
    const std::vector<std::string> &corpusTexts, const MiningOptions &options,
    const MiningCallbacks &callbacks = {});

} // namespace pairtune
