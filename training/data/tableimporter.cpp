#include "data/tableimporter.h"

#include "core/error.h"
#include "data/columnmapper.h"
#include "data/columnroles.h"
#include "data/csvreader.h"
#include "data/jsonlreader.h"
#include "data/jsonreader.h"
#include "data/spreadsheetreader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace pairtune {

namespace {

std::string lowerExtension(const std::string &path)
{
    const std::size_t slash = path.find_last_of("/\\");
    const std::size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// One object on the first line, and either more lines or no array in it (a one-line {"data": [...]}
// is a JSON document).
bool looksLikeJsonLines(const SourceText &source)
{
    const std::string_view text = source.text();
    std::size_t line = 1;
    while (line <= source.lineCount()
        && text.substr(source.lineStart(line), source.lineEnd(line) - source.lineStart(line))
                .find_first_not_of(" \t")
            == std::string_view::npos)
        ++line;
    if (line > source.lineCount())
        return false;
    const std::string_view first
        = text.substr(source.lineStart(line), source.lineEnd(line) - source.lineStart(line));
    const auto value = nlohmann::json::parse(first, nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return false;
    const bool moreLines
        = text.substr(source.lineEnd(line)).find_first_not_of(" \t\r\n") != std::string_view::npos;
    const bool holdsArray
        = std::any_of(value.begin(), value.end(), [](const auto &item) { return item.is_array(); });
    return moreLines || !holdsArray;
}

// A column chosen by name in the options that appears in the first row makes that row a header, even
// when no name is one Pairtune knows ("summary,body" with anchorColumn "summary").
bool namesAColumn(const ImportOptions &options, const std::vector<std::string> &fields)
{
    std::vector<std::string> specs = options.negativeColumns;
    specs.insert(specs.end(), { options.anchorColumn, options.positiveColumn, options.scoreColumn });
    for (const std::string &spec : specs) {
        if (spec.empty() || spec.find_first_not_of("0123456789") == std::string::npos)
            continue;
        for (const std::string &field : fields) {
            if (normalizeColumnName(field) == normalizeColumnName(spec))
                return true;
        }
    }
    return false;
}

void takeHeader(const SourceText &source, RawTable &table, const ImportOptions &options)
{
    if (table.keyed || table.rows.empty() || options.header == ImportOptions::Header::Absent)
        return;
    std::vector<std::string> fields;
    for (const RawCell &cell : table.rows.front().cells)
        fields.push_back(cell.type == RawCell::Type::Text ? cell.text : std::string());
    if (options.header == ImportOptions::Header::Auto && !looksLikeHeader(fields)
        && !namesAColumn(options, fields))
        return;
    const RawRow header = std::move(table.rows.front());
    table.rows.erase(table.rows.begin());
    table.hasHeader = true;
    table.headerOffset = header.offset;
    std::set<std::string> seen;
    for (std::size_t c = 0; c < header.cells.size(); ++c) {
        const RawCell &cell = header.cells[c];
        std::string name = cell.type == RawCell::Type::Text ? cell.text : std::string();
        const std::size_t first = name.find_first_not_of(" \t");
        name = first == std::string::npos ? std::to_string(c)
                                          : name.substr(first, name.find_last_not_of(" \t") - first + 1);
        if (!seen.insert(name).second)
            source.failAt(cell.offset, "duplicate column name \"" + name + "\" in the header");
        table.names.push_back(std::move(name));
    }
}

// Rows to read when maxRows pairs are wanted: one more, in case the first is a header.
std::size_t headerRowLimit(std::size_t maxRows)
{
    return maxRows == std::numeric_limits<std::size_t>::max() ? maxRows : maxRows + 1;
}

void checkColumnCounts(const ImportedTable &imported)
{
    const SourceText &source = imported.source;
    const RawTable &table = imported.table;
    if (table.keyed)
        return;
    const std::size_t expected = ColumnMapper::columnCount(table);
    const std::size_t expectedLine
        = source.lineOf(table.hasHeader ? table.headerOffset : table.rows.front().offset);
    std::string hint;
    if (table.format == "tsv")
        hint = " (no tab on this line)";
    else if (table.format == "csv" && imported.delimiterGuessed)
        hint = " (no tab, ',' or ';' splits the first lines; set the delimiter if the file uses another)";
    else if (table.format == "csv")
        hint = std::string(" (no '") + table.delimiter + "' on this line)";
    if (expected < 2)
        source.failAtLine(table.hasHeader ? table.headerOffset : table.rows.front().offset,
            "expected at least 2 columns (anchor and positive), found " + std::to_string(expected) + hint);
    for (const RawRow &row : table.rows) {
        const std::size_t found = row.cells.size();
        if (found < 2)
            source.failAtLine(row.offset,
                "expected at least 2 columns (anchor and positive), found " + std::to_string(found) + hint);
        if (found != expected)
            source.failAtLine(row.offset,
                "expected " + std::to_string(expected) + " columns as on line " + std::to_string(expectedLine)
                    + ", found " + std::to_string(found));
    }
}

} // namespace

ImportOptions::Format TableImporter::detectFormat(const SourceText &source)
{
    const std::string ext = lowerExtension(source.path());
    if (ext == "tsv" || ext == "tab")
        return ImportOptions::Format::Tsv;
    if (ext == "csv")
        return ImportOptions::Format::Csv;
    if (ext == "jsonl" || ext == "ndjson" || ext == "jsonlines")
        return ImportOptions::Format::Jsonl;
    const std::string_view text = source.text();
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const char lead = first == std::string_view::npos ? 0 : text[first];
    if (ext == "json")
        return looksLikeJsonLines(source) ? ImportOptions::Format::Jsonl : ImportOptions::Format::Json;
    // Other names: JSON only when it parses as JSON, so a TSV whose first text starts with '[' stays TSV.
    if (lead == '[' || lead == '{') {
        if (looksLikeJsonLines(source))
            return ImportOptions::Format::Jsonl;
        if (nlohmann::json::accept(text))
            return ImportOptions::Format::Json;
    }
    // Content sniffing for .txt and friends: a tab-split file reads as TSV, anything else as CSV.
    return CsvReader::sniffDelimiter(source) == '\t' ? ImportOptions::Format::Tsv
                                                     : ImportOptions::Format::Csv;
}

ImportedTable TableImporter::read(const std::string &path, const ImportOptions &options, std::size_t maxRows)
{
    // Workbooks by name or by their zip/OLE signature: they never reach the text readers.
    if (isSpreadsheetPath(path) || looksLikeSpreadsheet(path)) {
        SpreadsheetTable sheet = readSpreadsheet(path, options.sheet, {}, headerRowLimit(maxRows));
        ImportedTable imported { std::move(sheet.source), std::move(sheet.table), {}, {}, false,
            sheet.sheet };
        return mapColumns(std::move(imported), options, maxRows);
    }
    return read(SourceText::fromFile(path), options, maxRows);
}

ImportedTable TableImporter::read(SourceText source, const ImportOptions &options, std::size_t maxRows)
{
    if (source.text().find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(locate(source.path(), 0, 0,
            "the file is empty; expected pairs of texts as TSV, CSV, JSON Lines or JSON"));
    ImportedTable imported { std::move(source), {}, {}, {}, false, {} };
    const SourceText &text = imported.source;
    ImportOptions::Format format = options.format;
    if (format == ImportOptions::Format::Auto)
        format = detectFormat(text);
    const std::size_t rowLimit = headerRowLimit(maxRows);
    switch (format) {
    case ImportOptions::Format::Tsv:
        imported.table
            = CsvReader::read(text, options.delimiter.value_or('\t'), CsvReader::Quoting::Lenient, rowLimit);
        imported.table.format = "tsv";
        break;
    case ImportOptions::Format::Csv:
    case ImportOptions::Format::Auto: {
        char delimiter = options.delimiter.value_or(0);
        if (!delimiter) {
            imported.delimiterGuessed = true;
            delimiter = CsvReader::sniffDelimiter(text);
            if (!delimiter)
                delimiter = ',';
        }
        imported.table = CsvReader::read(text, delimiter, CsvReader::Quoting::Strict, rowLimit);
        imported.table.format = "csv";
        break;
    }
    case ImportOptions::Format::Jsonl:
        imported.table = JsonlReader::read(text, maxRows);
        break;
    case ImportOptions::Format::Json:
        imported.table = JsonReader::read(text, maxRows);
        break;
    }
    return mapColumns(std::move(imported), options, maxRows);
}

ImportedTable TableImporter::mapColumns(
    ImportedTable imported, const ImportOptions &options, std::size_t maxRows)
{
    const SourceText &text = imported.source;
    takeHeader(text, imported.table, options);
    if (imported.table.rows.empty())
        text.failAtLine(imported.table.headerOffset, "the file has a header line but no pairs");
    if (imported.table.rows.size() > maxRows)
        imported.table.rows.resize(maxRows);
    checkColumnCounts(imported);
    imported.mapping = ColumnMapper::map(text, imported.table, options, imported.warnings);
    return imported;
}

} // namespace pairtune
