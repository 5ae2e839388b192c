#pragma once

#include "data/pairrecord.h"

#include <cstddef>
#include <vector>

namespace pairtune {

struct ImportedTable;

// Turns mapped rows into PairRecords, checking each value: texts must be strings within the size
// limit, scores finite numbers, and every row must have the same number of hard negatives.
class RecordBuilder
{
public:
    static std::vector<PairRecord> build(
        const ImportedTable &imported, std::size_t maxTextBytes, std::size_t fileIndex);
    // The same, moving the texts out of imported's rows instead of copying them and freeing each row
    // once built (imported.table.rows keep only their offsets): a loaded file then does not hold every
    // text twice (issue 18).
    static std::vector<PairRecord> take(
        ImportedTable &imported, std::size_t maxTextBytes, std::size_t fileIndex);
};

} // namespace pairtune
