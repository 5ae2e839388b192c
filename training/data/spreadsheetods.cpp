#include "data/spreadsheetods.h"

#include "core/error.h"
#include "data/spreadsheetxml.h"
#include "data/spreadsheetzip.h"

#include <algorithm>
#include <cstdlib>

namespace pairtune {

namespace {

// Deeper nesting of spans or row groups than this is no real document; it only exhausts the stack.
constexpr int kMaxDepth = 64;
// A cell longer than this is no pair text (Excel stops at 32767 characters); it is refused before
// a text:s with a huge count can fill memory.
constexpr std::size_t kMaxCellBytes = std::size_t(16) << 20;

std::size_t repeatCount(const pugi::xml_node &node, const char *name)
{
    const std::string_view text = attributeValue(node, name);
    if (text.empty())
        return 1;
    const unsigned long long count = std::strtoull(text.data(), nullptr, 10);
    return count == 0 ? 1 : std::size_t(std::min<unsigned long long>(count, 1ULL << 40));
}

// The text of a paragraph: text:s is a run of spaces (c="3"), text:tab and text:line-break are
// characters, spans and links are read through; notes and annotations are not part of the text.
void appendParagraph(const pugi::xml_node &node, std::string &text, int depth, std::size_t maxBytes)
{
    if (depth > kMaxDepth)
        return;
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
            text += child.value();
            continue;
        }
        if (child.type() != pugi::node_element)
            continue;
        const std::string_view name = localName(child.name());
        if (name == "s")
            text.append(std::min(repeatCount(child, "c"), maxBytes), ' ');
        else if (name == "tab")
            text += '\t';
        else if (name == "line-break")
            text += '\n';
        else if (name != "annotation" && name != "note" && name != "ruby-text")
            appendParagraph(child, text, depth + 1, maxBytes);
        if (text.size() > maxBytes)
            return;
    }
}

std::string cellText(const pugi::xml_node &cell, std::size_t maxBytes)
{
    std::string text;
    bool first = true;
    for (pugi::xml_node child = cell.first_child(); child; child = child.next_sibling()) {
        const std::string_view name = localName(child.name());
        if (child.type() != pugi::node_element || (name != "p" && name != "h"))
            continue;
        if (!first)
            text += '\n';
        first = false;
        appendParagraph(child, text, 0, maxBytes);
    }
    return text;
}

class SheetWalker
{
public:
    SheetWalker(const std::string &path, const std::string &sheet, const SpreadsheetLimits &limits,
        std::size_t maxRows)
        : m_path(path)
        , m_sheet(sheet)
        , m_limits(limits)
        , m_maxRows(maxRows)
    { }

    // Rows directly in the table or in header-rows, row-groups and rows containers.
    void walk(const pugi::xml_node &parent, int depth)
    {
        if (depth > kMaxDepth)
            fail("row " + std::to_string(m_nextRow), "row groups nested too deeply");
        for (pugi::xml_node child = parent.first_child(); child && m_grid.rows.size() < m_maxRows;
             child = child.next_sibling()) {
            const std::string_view name = localName(child.name());
            if (name == "table-row")
                row(child);
            else if (name == "table-header-rows" || name == "table-row-group" || name == "table-rows")
                walk(child, depth + 1);
        }
    }

    SheetGrid take() { return std::move(m_grid); }

private:
    [[noreturn]] void fail(const std::string &where, const std::string &message) const
    {
        throw Error(locate(m_path, 0, 0, "sheet \"" + m_sheet + "\" " + where + ": " + message));
    }

    void row(const pugi::xml_node &node)
    {
        const std::size_t repeat = repeatCount(node, "number-rows-repeated");
        SheetGrid::Row out { m_nextRow, {} };
        std::size_t column = 0;
        for (pugi::xml_node cell = node.first_child(); cell; cell = cell.next_sibling()) {
            const std::string_view name = localName(cell.name());
            if (name != "table-cell" && name != "covered-table-cell")
                continue;
            const std::size_t columns = repeatCount(cell, "number-columns-repeated");
            // A covered cell lies under a merged range: the range's value is in its first cell.
            const std::string text = name == "table-cell" ? cellText(cell, kMaxCellBytes) : "";
            if (text.size() > kMaxCellBytes)
                fail("row " + std::to_string(m_nextRow),
                    "a cell holds more than " + std::to_string(kMaxCellBytes >> 20) + " MiB of text");
            if (!text.empty()) {
                if (column + columns > m_limits.maxColumns)
                    fail("row " + std::to_string(m_nextRow),
                        "more than " + std::to_string(m_limits.maxColumns) + " columns");
                m_grid.textBytes += text.size() * columns;
                for (std::size_t c = 0; c < columns; ++c)
                    out.cells.push_back({ column + c, text });
            }
            column += std::min(columns, m_limits.maxColumns + 1);
        }
        if (out.cells.empty()) { // LibreOffice writes the empty rest of a sheet as one repeated row
            m_nextRow += std::min(repeat, m_limits.maxRows + 1);
            return;
        }
        if (m_nextRow + repeat - 1 > m_limits.maxRows)
            fail("row " + std::to_string(m_nextRow),
                "beyond the " + std::to_string(m_limits.maxRows) + " rows a sheet can hold");
        for (std::size_t r = 0; r < repeat && m_grid.rows.size() < m_maxRows; ++r) {
            m_grid.cellCount += out.cells.size();
            if (r > 0)
                m_grid.textBytes += m_grid.rows.back().textBytes();
            if (m_grid.cellCount > m_limits.maxCells)
                fail("row " + std::to_string(m_nextRow),
                    "more than " + std::to_string(m_limits.maxCells) + " cells to import");
            if (m_grid.textBytes > m_limits.maxTotalBytes)
                fail("row " + std::to_string(m_nextRow),
                    "the sheet's text exceeds " + std::to_string(m_limits.maxTotalBytes >> 20) + " MiB");
            out.number = m_nextRow++;
            m_grid.rows.push_back(out);
        }
    }

    const std::string &m_path;
    const std::string &m_sheet;
    const SpreadsheetLimits &m_limits;
    std::size_t m_maxRows;
    std::size_t m_nextRow = 1;
    SheetGrid m_grid;
};

} // namespace

bool OdsWorkbook::isOds(SpreadsheetZip &zip)
{
    if (!zip.has("content.xml"))
        return false;
    return !zip.has("mimetype") || zip.read("mimetype").find("opendocument.spreadsheet") != std::string::npos;
}

OdsWorkbook::OdsWorkbook(SpreadsheetZip &zip)
    : m_zip(zip)
{
    if (zip.has("META-INF/manifest.xml")
        && zip.read("META-INF/manifest.xml").find("encryption-data") != std::string::npos)
        throw Error(locate(zip.path(), 0, 0,
            "the file is password-protected; open it in LibreOffice, remove the password (File > Properties "
            "> "
            "Security) and save it again, or save it as .xlsx without a password"));
    m_content = zip.read("content.xml");
    parseWorkbookXml(m_document, m_content, zip.path(), "content.xml");
    const pugi::xml_node spreadsheet
        = firstChild(firstChild(firstChild(m_document, "document-content"), "body"), "spreadsheet");
    forEachChild(spreadsheet, "table", [&](const pugi::xml_node &table) {
        m_tables.push_back(table);
        m_names.push_back(attributeValue(table, "name"));
    });
    if (m_names.empty())
        throw Error(locate(zip.path(), 0, 0, "not a spreadsheet (the OpenDocument file has no sheet)"));
}

SheetGrid OdsWorkbook::readSheet(std::size_t index, const SpreadsheetLimits &limits, std::size_t maxRows)
{
    SheetWalker walker(m_zip.path(), m_names.at(index), limits, maxRows);
    walker.walk(m_tables.at(index), 0);
    return walker.take();
}

} // namespace pairtune
