#pragma once

#include "data/spreadsheetgrid.h"
#include "data/spreadsheetreader.h"

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune {

class SpreadsheetZip;

// An Office Open XML workbook (.xlsx, .xlsm): the package relationships lead to the workbook part,
// its sheets and their parts; shared strings and number formats (styles) are read with a sheet.
class XlsxWorkbook
{
public:
    // Throws "not a spreadsheet (the zip has no workbook)" when the package has no workbook part.
    explicit XlsxWorkbook(SpreadsheetZip &zip);
    static bool isXlsx(const SpreadsheetZip &zip);

    const std::vector<std::string> &sheetNames() const { return m_names; }
    // The cells of sheet `index` as Excel displays them; stops after maxRows non-empty rows.
    SheetGrid readSheet(std::size_t index, const SpreadsheetLimits &limits, std::size_t maxRows);

private:
    std::vector<std::string> readSharedStrings();
    std::vector<std::string> readCellFormats();

    SpreadsheetZip &m_zip;
    std::vector<std::string> m_names;
    std::vector<std::string> m_sheetParts;
    std::string m_sharedStringsPart;
    std::string m_stylesPart;
    bool m_date1904 = false;
};

} // namespace pairtune
