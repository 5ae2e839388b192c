#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// How to read a pair file. The defaults detect everything; each field overrides one guess.
struct ImportOptions
{
    // Auto: by extension (.tsv/.tab, .csv, .jsonl/.ndjson, .json), else by content. Workbooks
    // (.xlsx, .ods, or a zip file of either) are always read as workbooks, whatever the format.
    enum class Format { Auto, Tsv, Csv, Jsonl, Json } format = Format::Auto;
    // Auto: the first row is a header when it looks like column names and names a known role
    // (anchor, positive, sentence1, query, score, ...). Ignored for JSON objects (keys are names).
    enum class Header { Auto, Present, Absent } header = Header::Auto;
    // TSV/CSV only. Unset: tab for TSV; for CSV the first of tab, ',' and ';' that splits the first
    // rows consistently.
    std::optional<char> delimiter;
    // Column mapping: a column name (header or JSON key) or a 0-based index written as a string.
    // Empty: detected from the names, or by position (0 = anchor, 1 = positive, the first numeric
    // column after them = score, other columns = hard negatives) when there are no names.
    std::string anchorColumn;
    std::string positiveColumn;
    std::string scoreColumn;
    std::vector<std::string> negativeColumns;
    // Longest text accepted, in bytes; longer texts are an error (they are almost always a broken
    // quote or a wrong delimiter, and they would be cut to max_seq_length anyway).
    std::size_t maxTextBytes = std::size_t(1) << 20;
    // Workbooks (.xlsx, .ods) only: the sheet to read by name; empty = the first sheet. Other
    // formats ignore it.
    std::string sheet;
};

// "auto", "tsv", "csv", "jsonl", "json" <-> Format. formatFromName throws pairtune::Error for other
// names (case-insensitive).
std::string formatName(ImportOptions::Format format);
ImportOptions::Format formatFromName(const std::string &name);

} // namespace pairtune
