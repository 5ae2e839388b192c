#pragma once

// Cells copied in a spreadsheet (LibreOffice Calc, Excel, Google Sheets) reach the clipboard as
// text/plain: a tab between cells, a line break (LF or CRLF) between rows, and a cell that holds line
// breaks or quotes in double quotes. That is TSV as the engine reads it, so pasted cells become a
// TSV source held in memory; nothing here parses them.

#include "data/importoptions.h"

#include <cstddef>
#include <optional>
#include <string>

class QMimeData;

namespace pairtune::ui {

// The clipboard's text as UTF-8 when it holds cells (at least one tab); nothing otherwise.
std::optional<std::string> pastedCellText(const QMimeData *mime);

// The rows of pairs the engine reads from the pasted text (a header row not counted); when it cannot
// read them as pairs (the data check then says why), the rows of cells it holds.
std::size_t pastedRowCount(const std::string &bytes, const ImportOptions &options);

} // namespace pairtune::ui
