#pragma once

#include "data/rawtable.h"
#include "data/sourcetext.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace pairtune {

// Bounds that keep a hostile or broken workbook (zip bomb, endless repeated rows, huge XML) from
// exhausting memory: every read stops with a pairtune::Error naming the file when one is crossed.
struct SpreadsheetLimits
{
    std::uint64_t maxFileBytes = std::uint64_t(512) << 20; // the .xlsx/.ods file itself
    std::uint64_t maxPartBytes = std::uint64_t(512) << 20; // one XML part, uncompressed
    std::uint64_t maxTotalBytes = std::uint64_t(1) << 30; // all parts inflated for one read
    std::uint64_t maxRatio = 500; // uncompressed/compressed bytes of a part above 1 MiB
    std::size_t maxRows = 1048576; // Excel's own sheet limits
    std::size_t maxColumns = 16384;
    std::size_t maxCells = 10'000'000; // cells kept after repeats are expanded; rows x used columns
};

// One sheet read into the same shape the CSV reader gives: positional rows of Text cells (numbers
// and dates as the sheet displays them), empty rows skipped, no header taken off yet.
// `source` carries no data text: it maps each cell's RawCell::offset back to its address, so
// source.describeAt(cell.offset, "empty text") reads "pairs.xlsx: Sheet1!B17: empty text" and
// source.lineOf(row.offset) is the sheet's row number. source.sha256() is the file's hash.
struct SpreadsheetTable
{
    SourceText source;
    RawTable table; // format "xlsx" or "ods"
    std::string sheet; // the name of the sheet that was read
};

// True for the names the engine reads as workbooks: .xlsx, .xlsm, .ods, and .xls, which
// readSpreadsheet() recognises only to refuse it with a "save it as .xlsx" message.
bool isSpreadsheetPath(const std::filesystem::path &path);

// True when the file starts like a workbook (zip or OLE container), whatever its name.
bool looksLikeSpreadsheet(const std::filesystem::path &path);

// The sheet names in workbook order. Throws pairtune::Error for a file that is no workbook, an
// old .xls, a password-protected file or a limit crossed.
std::vector<std::string> spreadsheetSheetNames(
    const std::filesystem::path &path, const SpreadsheetLimits &limits = {});

// Reads one sheet: `sheet` empty = the first sheet; an unknown name throws an Error listing the
// sheets. maxRows stops after that many non-empty rows (a preview).
SpreadsheetTable readSpreadsheet(const std::filesystem::path &path, const std::string &sheet,
    const SpreadsheetLimits &limits = {}, std::size_t maxRows = std::numeric_limits<std::size_t>::max());

// The same for a workbook already in memory; `name` stands for the file in messages.
std::vector<std::string> spreadsheetSheetNamesFromBytes(
    const std::string &name, std::string bytes, const SpreadsheetLimits &limits = {});
SpreadsheetTable readSpreadsheetBytes(const std::string &name, std::string bytes, const std::string &sheet,
    const SpreadsheetLimits &limits = {}, std::size_t maxRows = std::numeric_limits<std::size_t>::max());

} // namespace pairtune
