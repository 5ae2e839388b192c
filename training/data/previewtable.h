#pragma once

#include "data/columnmapping.h"
#include "data/importoptions.h"

#include <string>
#include <vector>

namespace pairtune {

struct PairSource;

// The first rows of a file as the reader sees them, for the GUI's preview table and column-mapping
// controls. Never throws for a bad file: the first problem goes to error, with its location.
struct PreviewTable
{
    std::string format; // "tsv", "csv", "jsonl", "json"; empty when the file could not be read
    char delimiter = 0; // TSV/CSV
    bool hasHeader = false; // a header row was taken (always true for JSON objects)
    std::vector<std::string> columnNames; // header fields, JSON keys, or "0", "1", ...
    std::vector<std::vector<std::string>> rows; // cell texts; numbers as written, lists joined by " | "
    std::vector<std::size_t> rowLines; // 1-based line of each row
    ColumnMapping mapping; // detected (or chosen through the options) roles
    std::vector<std::string> warnings;
    std::string error; // empty when the previewed rows are fine
};

// Reads at most maxRows rows of path with options. Problems after those rows are not seen.
PreviewTable preview(const std::string &path, const ImportOptions &options = {}, std::size_t maxRows = 50);
// The same for a file or an in-memory text (pasted cells).
PreviewTable preview(const PairSource &source, const ImportOptions &options = {}, std::size_t maxRows = 50);

} // namespace pairtune
