#pragma once

#include "data/importoptions.h"
#include "data/pairrecord.h"

#include <string>
#include <vector>

namespace pairtune {

struct PairSource;

// The pairs of one or more data files, validated. Loading throws pairtune::Error with
// "path:line[:column]: what is wrong" for the first problem found; warnings (unused columns) are
// kept in warnings() and also sent to logWarning().
class PairDataset
{
public:
    PairDataset() = default;

    static PairDataset load(const std::string &path, const ImportOptions &options = {});
    // Files are read with the same options and concatenated; they must agree on scores and on the
    // number of hard negatives.
    static PairDataset loadMany(const std::vector<std::string> &paths, const ImportOptions &options = {});
    // The same for files and in-memory texts (pasted cells); sourcePaths() holds their names.
    static PairDataset loadSources(const std::vector<PairSource> &sources, const ImportOptions &options = {});
    // For pairs built in memory (tests, generated data). Records must be consistent as above.
    static PairDataset fromRecords(
        std::vector<PairRecord> records, std::vector<std::string> columnNames = {});

    const std::vector<PairRecord> &records() const { return m_records; }
    std::size_t size() const { return m_records.size(); }
    bool empty() const { return m_records.empty(); }
    bool hasScores() const;
    std::size_t negativesPerRecord() const;

    // Source names of the used columns, in role order: anchor, positive, negatives..., score.
    // Headerless files name columns by 0-based index ("0", "1", ...).
    std::vector<std::string> columnNames() const { return m_columnNames; }
    // "tsv", "csv", "jsonl" or "json" (of the first file); "" for fromRecords().
    std::string detectedFormat() const { return m_format; }
    const std::vector<std::string> &sourcePaths() const { return m_paths; }
    // Lower-case hex SHA-256 of each file's bytes as read, for the run config.
    const std::vector<std::string> &sourceHashes() const { return m_hashes; }
    const std::vector<std::string> &warnings() const { return m_warnings; }

    // Fixes the data report suggests; each returns how many records it removed, order is kept.
    std::size_t dropEmpty(); // any text (anchor, positive, negative) empty or only whitespace
    std::size_t dropDuplicates(); // later copies of the same (anchor, positive) pair
    std::size_t dropIdenticalSides(); // anchor equal to positive (ignoring surrounding whitespace)

    // The records at the given indices, in that order (for train/eval splits).
    PairDataset subset(const std::vector<std::size_t> &indices) const;

private:
    std::vector<PairRecord> m_records;
    std::vector<std::string> m_columnNames;
    std::string m_format;
    std::vector<std::string> m_paths;
    std::vector<std::string> m_hashes;
    std::vector<std::string> m_warnings;
};

} // namespace pairtune
