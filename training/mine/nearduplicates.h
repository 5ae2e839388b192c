#pragma once

// The semantic leak and near-duplicate check (issue 21, part 3). Texts whose cosine under a model is at
// least a threshold are near-copies; the connected components of that graph over the distinct anchor and
// positive texts are near-duplicate groups, and two pairs are in one pair group when any of their texts
// share a text group (an exact repeat is a cosine of 1, so it is one too). Two kinds matter:
//  - within the training part: pairs whose texts are near-copies of another training pair's are false
//    negatives when they meet in a batch (in-batch negative losses);
//  - across the split: a held-out pair whose anchor or positive is a near-copy of a training text
//    inflates the held-out scores.
// Embedding goes through SentenceModel::encode (mine/unitembeddings.h), the search through the blocked
// top-k (eval/blockedsearch.h): memory grows with texts x (dim + neighbours), never texts x texts.
// Plain structs and callbacks; no torch in this header.

#include "data/pairrecord.h"
#include "recipe/datasplit.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

inline constexpr double kDefaultNearDuplicateThreshold = 0.95;

struct NearDuplicateOptions
{
    double threshold = kDefaultNearDuplicateThreshold; // cosine at or above: near-copies
    // Nearest other texts looked at per text. Groups are found through chains of near-copies, so a group
    // bigger than this is still found whole as long as its members link up through their nearest ones.
    std::size_t neighbours = 16;
    std::size_t batchSize = 32; // texts per forward pass
};

enum class NearDuplicateStage { Embedding, Searching };
struct NearDuplicateProgress
{
    NearDuplicateStage stage = NearDuplicateStage::Embedding;
    std::size_t done = 0;
    std::size_t total = 0;
};

struct NearDuplicateCallbacks
{
    std::function<void(const NearDuplicateProgress &)> onProgress; // may be empty
    // Polled between chunks; true ends the check with Error::Kind::Cancelled. May be empty.
    std::function<bool()> cancelRequested;
};

// The groups, independent of any split.
struct NearDuplicateGroups
{
    double threshold = 0.0;
    std::vector<std::string> texts; // distinct anchor and positive texts, in first-seen order
    std::vector<std::size_t> rowAnchor; // per row: into texts
    std::vector<std::size_t> rowPositive; // per row: into texts
    std::vector<std::size_t> textGroup; // per text: its group (the smallest text index in it)
    std::vector<std::size_t> rowGroup; // per row: its pair group (the smallest row index in it)
    std::size_t dim = 0;
    std::vector<float> unitRows; // texts.size() x dim, for the cosines of the examples
    std::size_t linkedTexts = 0; // distinct texts with a near-copy among the other distinct texts
    double embedSeconds = 0.0;
    double searchSeconds = 0.0;

    float cosine(std::size_t textA, std::size_t textB) const;
};

// Embeds every distinct anchor and positive with the model's document prompt (one prompt for all: a
// near-copy is a near-copy whichever column it sits in) and links texts with cosine >= threshold.
// Throws Error (InvalidInput) for a threshold outside (0, 1] or no rows, Cancelled on a cancel.
NearDuplicateGroups findNearDuplicateGroups(const SentenceModel &model,
    const std::vector<PairRecord> &records, const NearDuplicateOptions &options = {},
    const NearDuplicateCallbacks &callbacks = {});

// Two pairs that are near-copies of each other, with the closest of their texts and its cosine.
struct NearDuplicateExample
{
    std::size_t rowA = 0; // the training row (across the split) or the row kept (within training)
    std::size_t rowB = 0; // the held-out row (across) or the row that repeats it (within)
    std::string textA;
    std::string textB;
    float cosine = 0.0f;
};

struct NearDuplicateReport
{
    double threshold = 0.0;
    std::size_t rows = 0;
    std::size_t trainRows = 0;
    std::size_t evalRows = 0;
    std::size_t distinctTexts = 0;
    std::size_t linkedTexts = 0;
    std::size_t groups = 0; // pair groups of two or more rows
    std::size_t rowsInGroups = 0; // rows in those groups
    std::size_t largestGroup = 0; // rows in the largest group
    // Training rows beyond the first of their group among the training rows: what "drop within-set
    // repeats" removes.
    std::size_t withinTrainRepeats = 0;
    // Held-out rows whose anchor or positive is in a group with a training row's text.
    std::size_t crossSplitRows = 0;
    std::vector<NearDuplicateExample> withinTrainExamples;
    std::vector<NearDuplicateExample> crossSplitExamples;
    double embedSeconds = 0.0;
    double searchSeconds = 0.0;
};

NearDuplicateReport reportNearDuplicates(
    const NearDuplicateGroups &groups, const Split &split, std::size_t maxExamples = 10);

std::string nearDuplicateReportText(const NearDuplicateReport &report); // a summary for a person
std::string nearDuplicateReportJson(const NearDuplicateReport &report); // a pretty-printed JSON object

// "Drop within-set repeats": split.train less every row whose pair group already has an earlier training
// row (the first row of each group among the training rows stays). split.eval is unchanged.
Split dropWithinTrainRepeats(const Split &split, const std::vector<std::size_t> &rowGroup);

} // namespace pairtune
