#include "ui/minednegatives.h"

#include "mine/hardnegativemining.h"
#include "recipe/datasplit.h"

#include <algorithm>

namespace pairtune::ui {

namespace {
constexpr std::size_t kEngineMaxNegatives = 64; // pairtune-cli mine --num-negatives' limit
}

MinedNegatives::MinedNegatives(
    const MiningResult &mined, std::size_t perRow, std::uint64_t seed, double trainFraction)
    : m_perRow(perRow)
    , m_seed(seed)
    , m_trainFraction(trainFraction)
{
    const std::vector<PairRecord> &records = mined.pairs.records();
    const Split split = splitIndices(records.size(), trainFraction, seed);
    m_records.reserve(records.size());
    m_rows.resize(records.size());
    for (std::size_t r = 0; r < records.size(); ++r) {
        PairRecord plain = records[r];
        Row &row = m_rows[r];
        row.texts = std::move(plain.negatives);
        plain.negatives.clear();
        m_records.push_back(std::move(plain));
        row.scores = mined.rowNegativeScores.at(r);
        row.unticked.assign(row.texts.size(), false);
        row.positiveScore = mined.rowPositiveScores.at(r);
    }
    for (const std::size_t r : split.train)
        m_rows[r].training = true;
}

std::size_t MinedNegatives::sparesFor(std::size_t perRow, std::size_t rangeMin, std::size_t rangeMax)
{
    const std::size_t range = rangeMax > rangeMin ? rangeMax - rangeMin : 0;
    const std::size_t room = std::min(range, kEngineMaxNegatives);
    return room > perRow ? std::min(perRow, room - perRow) : 0;
}

std::vector<std::size_t> MinedNegatives::kept(std::size_t row) const
{
    std::vector<std::size_t> out;
    const Row &r = m_rows[row];
    for (std::size_t i = 0; i < r.texts.size() && out.size() < m_perRow; ++i) {
        if (!r.unticked[i])
            out.push_back(i);
    }
    return out;
}

bool MinedNegatives::isKept(std::size_t row, std::size_t i) const
{
    const std::vector<std::size_t> k = kept(row);
    return std::find(k.begin(), k.end(), i) != k.end();
}

std::size_t MinedNegatives::untickedCount() const
{
    std::size_t n = 0;
    for (const Row &row : m_rows)
        n += std::size_t(std::count(row.unticked.begin(), row.unticked.end(), true));
    return n;
}

bool MinedNegatives::untick(std::size_t row, std::size_t i)
{
    Row &r = m_rows[row];
    if (r.unticked[i])
        return true;
    const auto left = std::size_t(std::count(r.unticked.begin(), r.unticked.end(), false));
    if (left <= m_perRow)
        return false;
    r.unticked[i] = true;
    return true;
}

void MinedNegatives::retick(std::size_t row, std::size_t i)
{
    m_rows[row].unticked[i] = false;
}

std::shared_ptr<const PairDataset> MinedNegatives::pairs() const
{
    std::vector<PairRecord> records = m_records;
    for (std::size_t r = 0; r < records.size(); ++r) {
        for (const std::size_t i : kept(r))
            records[r].negatives.push_back(m_rows[r].texts[i]);
    }
    return std::make_shared<const PairDataset>(PairDataset::fromRecords(std::move(records)));
}

std::vector<float> MinedNegatives::trainingPositiveScores() const
{
    std::vector<float> out;
    for (const Row &row : m_rows) {
        if (row.training)
            out.push_back(row.positiveScore);
    }
    return out;
}

std::vector<float> MinedNegatives::trainingNegativeScores() const
{
    std::vector<float> out;
    for (std::size_t r = 0; r < m_rows.size(); ++r) {
        if (!m_rows[r].training)
            continue;
        for (const std::size_t i : kept(r))
            out.push_back(m_rows[r].scores[i]);
    }
    return out;
}

} // namespace pairtune::ui
