#pragma once

// The studio's review of mined hard negatives (the Hard negatives step): what the engine mined, which
// negatives the user unticked, and the pairs a run trains on. No widgets, so the rule is testable.
//
// The rule for an unticked negative: it leaves the row, and the row's next spare candidate takes its
// place. Every row needs the same number of negatives (docs/formats.md: sentence-transformers'
// columns), and a row cannot be dropped either: rows keep their places so that the run's seeded split
// is the one the negatives were mined under (held-out texts never negatives). So the engine mines a
// few spare candidates per row (the next ones in rank order that pass every guard), and a row whose
// spares are used up refuses further unticks.

#include "data/pairdataset.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace pairtune {
struct MiningResult;
}

namespace pairtune::ui {

class MinedNegatives
{
public:
    MinedNegatives() = default;
    // mined: the engine's output with perRow + spares negatives per row (best first).
    MinedNegatives(const MiningResult &mined, std::size_t perRow, std::uint64_t seed, double trainFraction);

    // Spares to mine for perRow negatives drawn from ranks rangeMin..rangeMax: as many again, within
    // the range and the engine's limit of 64 per row.
    static std::size_t sparesFor(std::size_t perRow, std::size_t rangeMin, std::size_t rangeMax);

    bool isEmpty() const { return m_rows.empty(); }
    std::size_t rows() const { return m_rows.size(); }
    std::size_t perRow() const { return m_perRow; }
    std::uint64_t seed() const { return m_seed; }
    double trainFraction() const { return m_trainFraction; }
    bool isTraining(std::size_t row) const { return m_rows[row].training; }
    const PairRecord &record(std::size_t row) const { return m_records[row]; }
    float positiveScore(std::size_t row) const { return m_rows[row].positiveScore; }

    // Candidates of a row, best first; the kept ones are the first perRow not unticked.
    std::size_t candidates(std::size_t row) const { return m_rows[row].texts.size(); }
    const std::string &candidate(std::size_t row, std::size_t i) const { return m_rows[row].texts[i]; }
    float candidateScore(std::size_t row, std::size_t i) const { return m_rows[row].scores[i]; }
    bool isUnticked(std::size_t row, std::size_t i) const { return m_rows[row].unticked[i]; }
    bool isKept(std::size_t row, std::size_t i) const;
    std::vector<std::size_t> kept(std::size_t row) const;
    std::size_t untickedCount() const;

    // False (nothing changes) when the row has no spare left to take the negative's place.
    bool untick(std::size_t row, std::size_t i);
    void retick(std::size_t row, std::size_t i);

    // The pairs with the kept negatives, every row in its place.
    std::shared_ptr<const PairDataset> pairs() const;
    // Scores of the training rows: positives, and the kept negatives.
    std::vector<float> trainingPositiveScores() const;
    std::vector<float> trainingNegativeScores() const;

private:
    struct Row
    {
        std::vector<std::string> texts;
        std::vector<float> scores;
        std::vector<bool> unticked;
        float positiveScore = 0;
        bool training = false;
    };
    std::vector<PairRecord> m_records; // without negatives
    std::vector<Row> m_rows;
    std::size_t m_perRow = 0;
    std::uint64_t m_seed = 0;
    double m_trainFraction = 0;
};

} // namespace pairtune::ui
