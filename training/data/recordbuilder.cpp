#include "data/recordbuilder.h"

#include "data/columnmapper.h"
#include "data/columnroles.h"
#include "data/tableimporter.h"

namespace pairtune {

namespace {

std::string quoted(const std::string &text, std::size_t limit = 40)
{
    if (text.size() <= limit)
        return "\"" + text + "\"";
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut; // keep whole UTF-8 sequences
    return "\"" + text.substr(0, cut) + "...\"";
}

class Builder
{
public:
    Builder(const ImportedTable &imported, std::size_t maxTextBytes)
        : m_source(imported.source)
        , m_table(imported.table)
        , m_mapping(imported.mapping)
        , m_maxTextBytes(maxTextBytes)
    { }

    // The texts are copied from row, or moved out of owned when it is row's mutable self
    // (RecordBuilder::take).
    PairRecord build(const RawRow &row, RawRow *owned = nullptr)
    {
        if (m_table.keyed)
            checkKeyedRow(row);
        const auto cellText
            = [owned](std::size_t column) { return owned ? &owned->cells[column].text : nullptr; };
        PairRecord record;
        record.sourceLine = m_source.lineOf(row.offset);
        record.anchor = pass(text(row, m_mapping.anchor), cellText(m_mapping.anchor));
        record.positive = pass(text(row, m_mapping.positive), cellText(m_mapping.positive));
        for (std::size_t column : m_mapping.negatives) {
            const RawCell &cell = row.cells[column];
            if (cell.type == RawCell::Type::List) {
                for (std::size_t i = 0; i < cell.list.size(); ++i)
                    record.negatives.push_back(pass(checkedSize(cell.list[i], cell, column),
                        owned ? &owned->cells[column].list[i] : nullptr));
            } else {
                record.negatives.push_back(pass(text(row, column), cellText(column)));
            }
        }
        if (m_mapping.score != ColumnMapping::none)
            record.score = score(row);
        return record;
    }

private:
    std::string name(std::size_t column) const { return ColumnMapper::columnName(m_table, column); }
    std::string label(std::size_t column) const
    {
        return (m_table.keyed ? "key \"" : "column \"") + name(column) + "\"";
    }

    // Both texts absent from an object: say which keys it has instead, the usual cause is a file
    // in another schema.
    void checkKeyedRow(const RawRow &row)
    {
        const auto missing
            = [&](std::size_t column) { return row.cells[column].type == RawCell::Type::Missing; };
        if (!missing(m_mapping.anchor) || !missing(m_mapping.positive))
            return;
        std::string unknown;
        std::size_t count = 0;
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            if (!missing(c) && c != m_mapping.score) {
                unknown += (unknown.empty() ? "\"" : ", \"") + name(c) + "\"";
                ++count;
            }
        }
        if (count == 0)
            m_source.failAtLine(row.offset,
                "no \"" + name(m_mapping.anchor) + "\" and no \"" + name(m_mapping.positive)
                    + "\" in this object; expected " + knownPairNames());
        m_source.failAtLine(row.offset,
            (count == 1 ? "unknown key " : "unknown keys ") + unknown + "; expected " + knownPairNames());
    }

    static std::string pass(const std::string &checked, std::string *owned)
    {
        return owned ? std::move(*owned) : checked;
    }

    const std::string &checkedSize(const std::string &value, const RawCell &cell, std::size_t column) const
    {
        if (value.size() > m_maxTextBytes)
            m_source.failAt(cell.offset,
                "the text in " + label(column) + " is " + std::to_string(value.size())
                    + " bytes, over the limit of " + std::to_string(m_maxTextBytes)
                    + " bytes; a quote or delimiter is probably missing (raise the "
                      "limit if the text is real)");
        return value;
    }

    const std::string &text(const RawRow &row, std::size_t column) const
    {
        const RawCell &cell = row.cells[column];
        switch (cell.type) {
        case RawCell::Type::Text:
            return checkedSize(cell.text, cell, column);
        case RawCell::Type::Missing:
            m_source.failAtLine(row.offset, "missing \"" + name(column) + "\"; every row needs it");
        case RawCell::Type::Null:
            m_source.failAt(cell.offset, label(column) + " is null; every row needs a text there");
        case RawCell::Type::Number:
            m_source.failAt(
                cell.offset, "expected a string in " + label(column) + ", found the number " + cell.text);
        case RawCell::Type::List:
            m_source.failAt(cell.offset, "expected a string in " + label(column) + ", found an array");
        case RawCell::Type::Other:
            break;
        }
        m_source.failAt(cell.offset, "expected a string in " + label(column) + ", found " + cell.text);
    }

    float score(const RawRow &row) const
    {
        const std::size_t column = m_mapping.score;
        const RawCell &cell = row.cells[column];
        switch (cell.type) {
        case RawCell::Type::Missing:
            m_source.failAtLine(row.offset,
                "missing \"" + name(column)
                    + "\"; every row needs a score when the "
                      "file has a score column");
        case RawCell::Type::Null:
            m_source.failAt(cell.offset,
                "the score is null; every row needs a score when the file has a score "
                "column");
        case RawCell::Type::Number:
        case RawCell::Type::Text:
            break;
        default:
            m_source.failAt(cell.offset, "expected a number in " + label(column) + ", found " + cell.text);
        }
        if (cell.text.find_first_not_of(" \t") == std::string::npos)
            m_source.failAt(
                cell.offset, "the score is empty; every row needs a score when the file has a score column");
        const auto value = parseNumber(cell.text);
        if (!value)
            m_source.failAt(cell.offset,
                "the score " + quoted(cell.text) + " in " + label(column)
                    + " is not a number; scores are similarities such as 0.8 (class "
                      "labels like \"entailment\" are not supported)");
        return float(*value);
    }

    const SourceText &m_source;
    const RawTable &m_table;
    const ColumnMapping &m_mapping;
    std::size_t m_maxTextBytes;
};

} // namespace

namespace {

std::vector<PairRecord> buildRecords(
    const ImportedTable &imported, ImportedTable *owned, std::size_t maxTextBytes, std::size_t fileIndex)
{
    Builder builder(imported, maxTextBytes);
    std::vector<PairRecord> records;
    records.reserve(imported.table.rows.size());
    for (std::size_t r = 0; r < imported.table.rows.size(); ++r) {
        const RawRow &row = imported.table.rows[r];
        RawRow *ownedRow = owned ? &owned->table.rows[r] : nullptr;
        records.push_back(builder.build(row, ownedRow));
        if (ownedRow) // what is left of the row (cell headers, numbers) is not needed any more
            ownedRow->cells = std::vector<RawCell>();
        records.back().sourceFile = fileIndex;
        const PairRecord &first = records.front();
        if (records.back().negatives.size() != first.negatives.size())
            imported.source.failAtLine(row.offset,
                "expected " + std::to_string(first.negatives.size()) + " hard negatives as on line "
                    + std::to_string(first.sourceLine) + ", found "
                    + std::to_string(records.back().negatives.size()) + "; every pair needs the same number");
    }
    return records;
}

} // namespace

std::vector<PairRecord> RecordBuilder::build(
    const ImportedTable &imported, std::size_t maxTextBytes, std::size_t fileIndex)
{
    return buildRecords(imported, nullptr, maxTextBytes, fileIndex);
}

std::vector<PairRecord> RecordBuilder::take(
    ImportedTable &imported, std::size_t maxTextBytes, std::size_t fileIndex)
{
    return buildRecords(imported, &imported, maxTextBytes, fileIndex);
}

} // namespace pairtune
