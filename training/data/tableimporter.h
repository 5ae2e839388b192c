#pragma once

#include "data/columnmapping.h"
#include "data/importoptions.h"
#include "data/rawtable.h"
#include "data/sourcetext.h"

#include <limits>
#include <string>
#include <vector>

namespace pairtune {

struct ImportedTable
{
    SourceText source;
    RawTable table; // header taken off, every positional row has the same number of cells
    ColumnMapping mapping;
    std::vector<std::string> warnings;
    bool delimiterGuessed = false;
    std::string sheet; // workbooks: the name of the sheet that was read
};

// Reads one file (or one sheet of a workbook, options.sheet) up to the column mapping: encoding checks,
// format and delimiter detection, the header decision, the column-count check, then the roles. Shared by
// PairDataset and preview().
class TableImporter
{
public:
    static ImportedTable read(const std::string &path, const ImportOptions &options,
        std::size_t maxRows = std::numeric_limits<std::size_t>::max());
    static ImportedTable read(SourceText source, const ImportOptions &options,
        std::size_t maxRows = std::numeric_limits<std::size_t>::max());

    // The format Auto resolves to for this file (by extension, else by content).
    static ImportOptions::Format detectFormat(const SourceText &source);

private:
    // The steps after a reader: header, column counts, roles.
    static ImportedTable mapColumns(
        ImportedTable imported, const ImportOptions &options, std::size_t maxRows);
};

} // namespace pairtune
