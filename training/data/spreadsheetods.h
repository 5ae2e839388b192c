#pragma once

#include "data/spreadsheetgrid.h"
#include "data/spreadsheetreader.h"

#include <cstddef>
#include <pugixml.hpp>
#include <string>
#include <vector>

namespace pairtune {

class SpreadsheetZip;

// An OpenDocument spreadsheet (.ods): every sheet is a table:table in content.xml, and each cell's
// text:p paragraphs hold the text as the sheet displays it (numbers and dates already formatted,
// formulas as their last result), so no number format has to be applied here.
class OdsWorkbook
{
public:
    // Throws for a password-protected file (its content.xml is encrypted).
    explicit OdsWorkbook(SpreadsheetZip &zip);
    static bool isOds(SpreadsheetZip &zip);

    const std::vector<std::string> &sheetNames() const { return m_names; }
    SheetGrid readSheet(std::size_t index, const SpreadsheetLimits &limits, std::size_t maxRows);

private:
    SpreadsheetZip &m_zip;
    std::string m_content; // content.xml; the document parses it in place
    pugi::xml_document m_document;
    std::vector<pugi::xml_node> m_tables;
    std::vector<std::string> m_names;
};

} // namespace pairtune
