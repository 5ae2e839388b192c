#pragma once

// The texts hard-negative mining embeds, gathered once: distinct anchors (the queries) and distinct
// documents, with the candidates (training positives and corpus lines that no held-out row has) first,
// so that the search runs over a prefix of the document rows.

#include "data/pairrecord.h"
#include "recipe/datasplit.h"

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace pairtune {

inline constexpr std::size_t kNoDocument = std::numeric_limits<std::size_t>::max();

struct MiningTexts
{
    std::vector<std::string> queries; // distinct anchors, in first-seen row order
    std::vector<std::size_t> rowQuery; // per row: into queries
    std::vector<std::vector<std::size_t>> queryRows; // per query: its rows, ascending

    std::vector<std::string> documents; // candidates [0, candidateCount), then the other positives
    std::size_t candidateCount = 0;
    std::vector<std::size_t> rowPositive; // per row: into documents
    std::vector<std::vector<std::size_t>> queryPositives; // per query: its distinct positives' documents
    std::vector<std::size_t>
        queryAnchorDocument; // per query: the candidate equal to the anchor, or kNoDocument

    std::size_t heldOutExcluded = 0; // distinct would-be candidates that a held-out row has
    std::size_t corpusFileTexts = 0; // distinct corpus lines
};

// Held-out texts: every anchor and positive of split.eval's rows. Candidates: split.train's positives,
// then corpusTexts, each once, less held-out texts and empty lines.
MiningTexts collectMiningTexts(
    const std::vector<PairRecord> &records, const Split &split, const std::vector<std::string> &corpusTexts);

} // namespace pairtune
