#include "data/pairdataset.h"

#include "core/error.h"
#include "core/log.h"
#include "data/columnmapper.h"
#include "data/pairsource.h"
#include "data/recordbuilder.h"
#include "data/tableimporter.h"
#include "data/textchecks.h"

#include <algorithm>

namespace pairtune {

namespace {

std::vector<std::string> usedColumnNames(const ImportedTable &imported)
{
    const ColumnMapping &mapping = imported.mapping;
    std::vector<std::string> names;
    names.push_back(ColumnMapper::columnName(imported.table, mapping.anchor));
    names.push_back(ColumnMapper::columnName(imported.table, mapping.positive));
    for (std::size_t column : mapping.negatives)
        names.push_back(ColumnMapper::columnName(imported.table, column));
    if (mapping.score != ColumnMapping::none)
        names.push_back(ColumnMapper::columnName(imported.table, mapping.score));
    return names;
}

std::string negativesPhrase(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " hard negative" : " hard negatives") + " per pair";
}

template <typename Key> std::size_t removeIf(std::vector<PairRecord> &records, Key &&shouldRemove)
{
    const std::size_t before = records.size();
    records.erase(std::remove_if(records.begin(), records.end(), shouldRemove), records.end());
    return before - records.size();
}

} // namespace

PairDataset PairDataset::load(const std::string &path, const ImportOptions &options)
{
    return loadMany({ path }, options);
}

PairDataset PairDataset::loadMany(const std::vector<std::string> &paths, const ImportOptions &options)
{
    std::vector<PairSource> sources;
    for (const std::string &path : paths)
        sources.push_back(PairSource::file(path));
    return loadSources(sources, options);
}

PairDataset PairDataset::loadSources(const std::vector<PairSource> &sources, const ImportOptions &options)
{
    if (sources.empty())
        throw Error("no data file given");
    PairDataset dataset;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const std::string &path = sources[i].path;
        ImportedTable imported = importSource(sources[i], options);
        std::vector<PairRecord> records = RecordBuilder::take(imported, options.maxTextBytes, i);
        if (i == 0) {
            dataset.m_format = imported.table.format;
            dataset.m_columnNames = usedColumnNames(imported);
        } else {
            const PairRecord &first = dataset.m_records.front();
            const PairRecord &next = records.front();
            if (first.score.has_value() != next.score.has_value())
                throw Error(locate(path, 0, 0,
                    std::string(next.score ? "has a" : "has no") + " score column but " + sources[0].path
                        + (first.score ? " has one" : " has none")
                        + "; files trained together need the same columns"));
            if (first.negatives.size() != next.negatives.size())
                throw Error(locate(path, 0, 0,
                    "has " + negativesPhrase(next.negatives.size()) + " but " + sources[0].path + " has "
                        + std::to_string(first.negatives.size())
                        + "; files trained together need the same columns"));
        }
        for (const std::string &warning : imported.warnings) {
            logWarning(warning);
            dataset.m_warnings.push_back(warning);
        }
        dataset.m_paths.push_back(path);
        dataset.m_hashes.push_back(imported.source.sha256());
        if (dataset.m_records.empty()) // one file: no second array of a million records
            dataset.m_records = std::move(records);
        else
            dataset.m_records.insert(dataset.m_records.end(), std::make_move_iterator(records.begin()),
                std::make_move_iterator(records.end()));
    }
    return dataset;
}

PairDataset PairDataset::fromRecords(std::vector<PairRecord> records, std::vector<std::string> columnNames)
{
    for (const PairRecord &record : records) {
        if (record.score.has_value() != records.front().score.has_value())
            throw Error("records mix pairs with and without a score");
        if (record.negatives.size() != records.front().negatives.size())
            throw Error("records have different numbers of hard negatives");
    }
    PairDataset dataset;
    dataset.m_records = std::move(records);
    if (columnNames.empty()) {
        columnNames = { "anchor", "positive" };
        for (std::size_t i = 0; i < dataset.negativesPerRecord(); ++i)
            columnNames.push_back("negative_" + std::to_string(i + 1));
        if (dataset.hasScores())
            columnNames.push_back("score");
    }
    dataset.m_columnNames = std::move(columnNames);
    return dataset;
}

bool PairDataset::hasScores() const
{
    return !m_records.empty() && m_records.front().score.has_value();
}

std::size_t PairDataset::negativesPerRecord() const
{
    return m_records.empty() ? 0 : m_records.front().negatives.size();
}

std::size_t PairDataset::dropEmpty()
{
    return removeIf(m_records, [](const PairRecord &record) {
        return isBlankText(record.anchor) || isBlankText(record.positive)
            || std::any_of(record.negatives.begin(), record.negatives.end(), isBlankText);
    });
}

std::size_t PairDataset::dropDuplicates()
{
    TextPairSet seen(m_records.size());
    std::vector<bool> keep;
    keep.reserve(m_records.size());
    for (const PairRecord &record : m_records)
        keep.push_back(seen.emplace(record.anchor, record.positive).second);
    std::size_t index = 0;
    std::vector<PairRecord> kept;
    kept.reserve(m_records.size());
    for (PairRecord &record : m_records) {
        if (keep[index++])
            kept.push_back(std::move(record));
    }
    const std::size_t removed = m_records.size() - kept.size();
    m_records = std::move(kept);
    return removed;
}

std::size_t PairDataset::dropIdenticalSides()
{
    return removeIf(m_records,
        [](const PairRecord &record) { return trimAscii(record.anchor) == trimAscii(record.positive); });
}

PairDataset PairDataset::subset(const std::vector<std::size_t> &indices) const
{
    PairDataset out;
    out.m_columnNames = m_columnNames;
    out.m_format = m_format;
    out.m_paths = m_paths;
    out.m_hashes = m_hashes;
    out.m_warnings = m_warnings;
    out.m_records.reserve(indices.size());
    for (std::size_t index : indices) {
        if (index >= m_records.size())
            throw Error("record index " + std::to_string(index) + " is out of range ("
                + std::to_string(m_records.size()) + " records)");
        out.m_records.push_back(m_records[index]);
    }
    return out;
}

} // namespace pairtune
