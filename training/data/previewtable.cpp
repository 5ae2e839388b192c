#include "data/previewtable.h"

#include "core/error.h"
#include "data/columnmapper.h"
#include "data/pairsource.h"
#include "data/recordbuilder.h"
#include "data/tableimporter.h"

namespace pairtune {

namespace {

std::string cellText(const RawCell &cell)
{
    switch (cell.type) {
    case RawCell::Type::Missing:
        return {};
    case RawCell::Type::Null:
        return "null";
    case RawCell::Type::List: {
        std::string joined;
        for (const std::string &item : cell.list)
            joined += (joined.empty() ? "" : " | ") + item;
        return joined;
    }
    default:
        return cell.text;
    }
}

} // namespace

PreviewTable preview(const std::string &path, const ImportOptions &options, std::size_t maxRows)
{
    return preview(PairSource::file(path), options, maxRows);
}

PreviewTable preview(const PairSource &source, const ImportOptions &options, std::size_t maxRows)
{
    PreviewTable table;
    try {
        const ImportedTable imported = importSource(source, options, maxRows);
        const RawTable &raw = imported.table;
        table.format = raw.format;
        table.delimiter = raw.delimiter;
        table.hasHeader = raw.hasHeader;
        for (std::size_t c = 0; c < ColumnMapper::columnCount(raw); ++c)
            table.columnNames.push_back(ColumnMapper::columnName(raw, c));
        for (const RawRow &row : raw.rows) {
            std::vector<std::string> cells;
            for (const RawCell &cell : row.cells)
                cells.push_back(cellText(cell));
            table.rows.push_back(std::move(cells));
            table.rowLines.push_back(imported.source.lineOf(row.offset));
        }
        table.mapping = imported.mapping;
        table.warnings = imported.warnings;
        // Value checks (scores, sizes, negatives) on the previewed rows, so the GUI shows them early.
        RecordBuilder::build(imported, options.maxTextBytes, 0);
    } catch (const Error &error) {
        table.error = error.what();
    }
    return table;
}

} // namespace pairtune
