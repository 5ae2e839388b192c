#include "data/spreadsheetxlsx.h"

#include "core/error.h"
#include "data/columnroles.h"
#include "data/spreadsheetnumberformat.h"
#include "data/spreadsheetxml.h"
#include "data/spreadsheetzip.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>

namespace pairtune {

namespace {

// One XML part read from the zip and parsed in place (the document points into content).
struct XmlPart
{
    XmlPart(SpreadsheetZip &zip, const std::string &name)
        : content(zip.read(name))
    {
        parseWorkbookXml(document, content, zip.path(), name);
    }
    std::string content;
    pugi::xml_document document;
};

const char *const kDamaged = "; the file is damaged: open it in Excel or LibreOffice and save it again";

bool endsWith(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A relationship target relative to the part that names it ("worksheets/sheet1.xml" from
// "xl/workbook.xml"), or absolute in the package ("/xl/worksheets/sheet1.xml").
std::string resolvePart(const std::string &fromPart, const std::string &target)
{
    std::string joined = !target.empty() && target[0] == '/'
        ? target.substr(1)
        : fromPart.substr(0, fromPart.find_last_of('/') + 1) + target;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= joined.size()) {
        const std::size_t end = std::min(joined.find('/', start), joined.size());
        const std::string piece = joined.substr(start, end - start);
        if (piece == ".." && !parts.empty())
            parts.pop_back();
        else if (!piece.empty() && piece != "." && piece != "..")
            parts.push_back(piece);
        start = end + 1;
    }
    std::string path;
    for (const std::string &piece : parts)
        path += (path.empty() ? "" : "/") + piece;
    return path;
}

std::string relationshipsPart(const std::string &part)
{
    const std::size_t slash = part.find_last_of('/');
    const std::size_t cut = slash == std::string::npos ? 0 : slash + 1;
    return part.substr(0, cut) + "_rels/" + part.substr(cut) + ".rels";
}

struct Relationship
{
    std::string type;
    std::string target; // resolved to a package path
};

std::map<std::string, Relationship> readRelationships(SpreadsheetZip &zip, const std::string &part)
{
    std::map<std::string, Relationship> relationships;
    const std::string relsPart = relationshipsPart(part);
    if (!zip.has(relsPart))
        return relationships;
    const XmlPart xml(zip, relsPart);
    const pugi::xml_document &document = xml.document;
    forEachChild(firstChild(document, "Relationships"), "Relationship", [&](const pugi::xml_node &node) {
        if (std::string_view(attributeValue(node, "TargetMode")) == "External")
            return;
        relationships[attributeValue(node, "Id")]
            = { attributeValue(node, "Type"), resolvePart(part, attributeValue(node, "Target")) };
    });
    return relationships;
}

std::string workbookPart(SpreadsheetZip &zip)
{
    for (const auto &[id, relationship] : readRelationships(zip, ""))
        if (endsWith(relationship.type, "/officeDocument") && zip.has(relationship.target))
            return relationship.target;
    return zip.has("xl/workbook.xml") ? "xl/workbook.xml" : "";
}

// OOXML escapes characters XML cannot hold as _xHHHH_ (e.g. _x000D_ for a carriage return).
std::string decodeEscapes(std::string text)
{
    std::size_t at = text.find("_x");
    if (at == std::string::npos)
        return text;
    std::string out;
    std::size_t copied = 0;
    for (; at != std::string::npos; at = text.find("_x", at + 1)) {
        unsigned code = 0;
        const char *first = text.data() + at + 2;
        if (at + 7 > text.size() || text[at + 6] != '_'
            || std::from_chars(first, first + 4, code, 16).ptr != first + 4)
            continue;
        out.append(text, copied, at - copied);
        if (code < 0x80) {
            out += char(code);
        } else if (code < 0x800) {
            out += char(0xC0 | (code >> 6));
            out += char(0x80 | (code & 0x3F));
        } else {
            out += char(0xE0 | (code >> 12));
            out += char(0x80 | ((code >> 6) & 0x3F));
            out += char(0x80 | (code & 0x3F));
        }
        copied = at + 7;
        at += 6;
    }
    return out + text.substr(copied);
}

// The text of a shared string or inline string: one <t>, or rich text runs <r><t>, without the
// phonetic guides (<rPh>) that East Asian files add.
std::string richText(const pugi::xml_node &node)
{
    std::string text;
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
        const std::string_view name = localName(child.name());
        if (name == "t")
            text += child.child_value();
        else if (name == "r")
            text += firstChild(child, "t").child_value();
    }
    return decodeEscapes(std::move(text));
}

// "B17" -> column 1 (0-based) and row 17; false when it is not a cell reference.
bool parseCellReference(std::string_view reference, std::size_t &column, std::size_t &row)
{
    std::size_t i = 0;
    column = 0;
    while (i < reference.size() && i < 4 && reference[i] >= 'A' && reference[i] <= 'Z')
        column = column * 26 + std::size_t(reference[i++] - 'A' + 1);
    if (i == 0 || i == reference.size())
        return false;
    --column;
    const auto [end, error] = std::from_chars(reference.data() + i, reference.data() + reference.size(), row);
    return error == std::errc() && end == reference.data() + reference.size() && row > 0;
}

} // namespace

bool XlsxWorkbook::isXlsx(const SpreadsheetZip &zip)
{
    return zip.has("[Content_Types].xml") || zip.has("_rels/.rels") || zip.has("xl/workbook.xml");
}

XlsxWorkbook::XlsxWorkbook(SpreadsheetZip &zip)
    : m_zip(zip)
{
    const std::string part = workbookPart(zip);
    if (part.empty())
        throw Error(locate(zip.path(), 0, 0, "not a spreadsheet (the zip has no workbook)"));
    const XmlPart xml(zip, part);
    const pugi::xml_document &document = xml.document;
    const pugi::xml_node workbook = firstChild(document, "workbook");
    const std::string_view date1904 = attributeValue(firstChild(workbook, "workbookPr"), "date1904");
    m_date1904 = date1904 == "1" || date1904 == "true";
    const auto relationships = readRelationships(zip, part);
    for (const auto &[id, relationship] : relationships) {
        if (endsWith(relationship.type, "/sharedStrings"))
            m_sharedStringsPart = relationship.target;
        else if (endsWith(relationship.type, "/styles"))
            m_stylesPart = relationship.target;
    }
    forEachChild(firstChild(workbook, "sheets"), "sheet", [&](const pugi::xml_node &sheet) {
        const auto found = relationships.find(attributeValue(sheet, "id"));
        // Chart sheets and dialog sheets hold no cells; only worksheets are offered.
        if (found == relationships.end() || !endsWith(found->second.type, "/worksheet"))
            return;
        m_names.push_back(attributeValue(sheet, "name"));
        m_sheetParts.push_back(found->second.target);
    });
    if (m_names.empty())
        throw Error(locate(zip.path(), 0, 0, "the workbook has no worksheet" + std::string(kDamaged)));
}

std::vector<std::string> XlsxWorkbook::readSharedStrings()
{
    std::vector<std::string> strings;
    if (m_sharedStringsPart.empty() || !m_zip.has(m_sharedStringsPart))
        return strings;
    const XmlPart xml(m_zip, m_sharedStringsPart);
    const pugi::xml_document &document = xml.document;
    forEachChild(firstChild(document, "sst"), "si",
        [&](const pugi::xml_node &item) { strings.push_back(richText(item)); });
    return strings;
}

// The format code of each cell style (cellXfs, indexed by a cell's s attribute).
std::vector<std::string> XlsxWorkbook::readCellFormats()
{
    std::vector<std::string> formats;
    if (m_stylesPart.empty() || !m_zip.has(m_stylesPart))
        return formats;
    const XmlPart xml(m_zip, m_stylesPart);
    const pugi::xml_document &document = xml.document;
    const pugi::xml_node styleSheet = firstChild(document, "styleSheet");
    std::map<unsigned, std::string> custom;
    forEachChild(firstChild(styleSheet, "numFmts"), "numFmt", [&](const pugi::xml_node &format) {
        custom[unsigned(std::strtoul(attributeValue(format, "numFmtId"), nullptr, 10))]
            = attributeValue(format, "formatCode");
    });
    forEachChild(firstChild(styleSheet, "cellXfs"), "xf", [&](const pugi::xml_node &xf) {
        const unsigned id = unsigned(std::strtoul(attributeValue(xf, "numFmtId"), nullptr, 10));
        const auto found = custom.find(id);
        formats.push_back(found != custom.end() ? found->second : builtinNumberFormat(id));
    });
    return formats;
}

SheetGrid XlsxWorkbook::readSheet(std::size_t index, const SpreadsheetLimits &limits, std::size_t maxRows)
{
    const std::vector<std::string> strings = readSharedStrings();
    const std::vector<std::string> formats = readCellFormats();
    const std::string &part = m_sheetParts.at(index);
    const std::string &sheetName = m_names.at(index);
    const XmlPart xml(m_zip, part);
    const pugi::xml_document &document = xml.document;
    const pugi::xml_node worksheet = firstChild(document, "worksheet");
    const auto fail = [&](const std::string &where, const std::string &message) {
        throw Error(locate(m_zip.path(), 0, 0, "sheet \"" + sheetName + "\" " + where + ": " + message));
    };

    SheetGrid grid;
    std::size_t previousRow = 0;
    for (pugi::xml_node row = firstChild(worksheet, "sheetData").first_child(); row;
         row = row.next_sibling()) {
        if (row.type() != pugi::node_element || localName(row.name()) != "row")
            continue;
        if (grid.rows.size() >= maxRows)
            break;
        std::size_t number = previousRow + 1;
        if (*attributeValue(row, "r")) {
            const std::string_view r = attributeValue(row, "r");
            if (std::from_chars(r.data(), r.data() + r.size(), number).ptr != r.data() + r.size()
                || number == 0)
                fail("row " + std::string(r), "not a row number" + std::string(kDamaged));
        }
        if (number > limits.maxRows)
            fail("row " + std::to_string(number),
                "beyond the " + std::to_string(limits.maxRows) + " rows a sheet can hold");
        if (number <= previousRow)
            fail("row " + std::to_string(number), "rows are out of order" + std::string(kDamaged));
        previousRow = number;
        SheetGrid::Row out { number, {} };
        std::size_t nextColumn = 0;
        forEachChild(row, "c", [&](const pugi::xml_node &cell) {
            std::size_t column = nextColumn, cellRow = number;
            const std::string_view reference = attributeValue(cell, "r");
            if (!reference.empty() && (!parseCellReference(reference, column, cellRow) || cellRow != number))
                fail("cell " + std::string(reference),
                    "not a cell of row " + std::to_string(number) + kDamaged);
            if (column >= limits.maxColumns)
                fail("row " + std::to_string(number),
                    "more than " + std::to_string(limits.maxColumns) + " columns");
            nextColumn = column + 1;
            const std::string_view type = attributeValue(cell, "t");
            const char *value = firstChild(cell, "v").child_value();
            std::string text;
            if (type == "s") {
                std::size_t at = 0;
                const std::string_view v = value;
                if (std::from_chars(v.data(), v.data() + v.size(), at).ptr != v.data() + v.size()
                    || at >= strings.size())
                    fail("cell " + std::string(reference),
                        "shared string " + std::string(v) + " does not exist" + kDamaged);
                text = strings[at];
            } else if (type == "inlineStr") {
                text = richText(firstChild(cell, "is"));
            } else if (type == "b") {
                text = *value == '\0' ? "" : std::string_view(value) == "1" ? "TRUE" : "FALSE";
            } else if (type == "str" || type == "e" || type == "d") {
                text = decodeEscapes(value); // formula text, an error such as #N/A, an ISO date
            } else if (*value) {
                const auto number = parseNumber(value);
                if (!number)
                    fail("cell " + std::string(reference),
                        "\"" + std::string(value) + "\" is not a number" + kDamaged);
                const std::size_t style = std::strtoul(attributeValue(cell, "s"), nullptr, 10);
                text = formatSheetNumber(
                    *number, style < formats.size() ? formats[style] : std::string(), m_date1904);
            }
            if (text.empty())
                return;
            grid.textBytes += text.size(); // shared strings are copied into every cell that shows them
            if (grid.textBytes > limits.maxTotalBytes)
                fail("row " + std::to_string(number),
                    "the sheet's text exceeds " + std::to_string(limits.maxTotalBytes >> 20) + " MiB");
            if (++grid.cellCount > limits.maxCells)
                fail("row " + std::to_string(number),
                    "more than " + std::to_string(limits.maxCells) + " cells to import");
            out.cells.push_back({ column, std::move(text) });
        });
        if (!out.cells.empty())
            grid.rows.push_back(std::move(out));
    }

    // A merged range shows its top-left value; stale values under the rest are not shown by Excel.
    forEachChild(firstChild(worksheet, "mergeCells"), "mergeCell", [&](const pugi::xml_node &merge) {
        const std::string_view range = attributeValue(merge, "ref");
        const std::size_t colon = range.find(':');
        std::size_t c1 = 0, r1 = 0, c2 = 0, r2 = 0;
        if (colon == std::string_view::npos || !parseCellReference(range.substr(0, colon), c1, r1)
            || !parseCellReference(range.substr(colon + 1), c2, r2))
            return;
        auto row = std::lower_bound(grid.rows.begin(), grid.rows.end(), r1,
            [](const SheetGrid::Row &row, std::size_t number) { return row.number < number; });
        for (; row != grid.rows.end() && row->number <= r2; ++row)
            std::erase_if(row->cells, [&](const SheetGrid::Cell &cell) {
                return cell.column >= c1 && cell.column <= c2 && !(row->number == r1 && cell.column == c1);
            });
    });
    std::erase_if(grid.rows, [](const SheetGrid::Row &row) { return row.cells.empty(); });
    return grid;
}

} // namespace pairtune
