#include "data/spreadsheetreader.h"

#include "core/error.h"
#include "data/sha256.h"
#include "data/spreadsheetods.h"
#include "data/spreadsheetxlsx.h"
#include "data/spreadsheetzip.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

namespace pairtune {

namespace {

constexpr std::string_view kZipMagic("PK\x03\x04", 4);
constexpr std::string_view kOleMagic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);

std::string lowerExtension(const std::filesystem::path &path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

std::string readBytes(const std::filesystem::path &path, const SpreadsheetLimits &limits)
{
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    std::ifstream in(path, std::ios::binary);
    if (error || !in)
        throw Error(locate(path.string(), 0, 0, "cannot open the file for reading"), Error::Kind::Io);
    if (size > limits.maxFileBytes)
        throw Error(locate(path.string(), 0, 0,
            "the workbook is larger than " + std::to_string(limits.maxFileBytes >> 20)
                + " MiB; save the pairs as a smaller workbook or as TSV"));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw Error(locate(path.string(), 0, 0, "reading the file failed"), Error::Kind::Io);
    return bytes;
}

// An OLE compound file is either an Excel 97-2003 workbook or, with an "EncryptedPackage" stream,
// an .xlsx that Excel encrypted with a password. Neither can be read.
[[noreturn]] void refuseOleFile(const std::string &path, const std::string &bytes)
{
    const std::string encryptedStream("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
    if (bytes.find(encryptedStream) != std::string::npos)
        throw Error(locate(path, 0, 0,
            "the workbook is password-protected (encrypted); open it in Excel, remove the password (File > "
            "Info > Protect Workbook > Encrypt with Password, empty) and save it again as .xlsx"));
    throw Error(locate(path, 0, 0,
        "an Excel 97-2003 workbook (.xls), an old binary format Pairtune does not read; open it in Excel "
        "or LibreOffice and save it as .xlsx (File > Save As > Excel Workbook)"));
}

// The zip and the parser for its format, kept together: the parser reads parts from the zip.
class Workbook
{
public:
    Workbook(const std::string &name, std::string bytes, const SpreadsheetLimits &limits)
    {
        if (bytes.size() > limits.maxFileBytes)
            throw Error(locate(name, 0, 0,
                "the workbook is larger than " + std::to_string(limits.maxFileBytes >> 20)
                    + " MiB; save the pairs as a smaller workbook or as TSV"));
        m_sha256 = Sha256::hex(bytes);
        if (std::string_view(bytes).starts_with(kOleMagic))
            refuseOleFile(name, bytes);
        if (!std::string_view(bytes).starts_with(kZipMagic))
            throw Error(locate(name, 0, 0,
                "not a spreadsheet (not a zip file, as .xlsx and .ods files are); save it from Excel or "
                "LibreOffice as .xlsx, or give it the extension of its real format (.csv, .tsv)"));
        m_zip = std::make_unique<SpreadsheetZip>(name, std::move(bytes), limits);
        if (OdsWorkbook::isOds(*m_zip))
            m_ods.emplace(*m_zip);
        else if (XlsxWorkbook::isXlsx(*m_zip))
            m_xlsx.emplace(*m_zip);
        else
            throw Error(locate(name, 0, 0, "not a spreadsheet (the zip has no workbook)"));
    }

    const std::vector<std::string> &sheetNames() const
    {
        return m_ods ? m_ods->sheetNames() : m_xlsx->sheetNames();
    }
    const char *format() const { return m_ods ? "ods" : "xlsx"; }
    const std::string &sha256() const { return m_sha256; }
    SheetGrid readSheet(std::size_t index, const SpreadsheetLimits &limits, std::size_t maxRows)
    {
        return m_ods ? m_ods->readSheet(index, limits, maxRows) : m_xlsx->readSheet(index, limits, maxRows);
    }

private:
    std::string m_sha256;
    std::unique_ptr<SpreadsheetZip> m_zip;
    std::optional<XlsxWorkbook> m_xlsx;
    std::optional<OdsWorkbook> m_ods;
};

std::size_t sheetIndex(
    const std::string &path, const std::vector<std::string> &names, const std::string &sheet)
{
    if (sheet.empty())
        return 0;
    const auto exact = std::find(names.begin(), names.end(), sheet);
    if (exact != names.end())
        return std::size_t(exact - names.begin());
    // Sheet names are unique regardless of case in Excel and LibreOffice, so "sheet2" means "Sheet2".
    const auto lower = [](std::string text) {
        std::transform(
            text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
        return text;
    };
    const auto folded = std::find_if(
        names.begin(), names.end(), [&](const std::string &name) { return lower(name) == lower(sheet); });
    if (folded != names.end())
        return std::size_t(folded - names.begin());
    std::string list;
    for (const std::string &name : names)
        list += (list.empty() ? "\"" : ", \"") + name + "\"";
    throw Error(locate(path, 0, 0, "no sheet named \"" + sheet + "\"; the workbook's sheets are " + list));
}

// Line N of the grid text is sheet row N; a kept row holds a tab between its cells (from the first
// used column on), so a cell's offset is its row's line start plus its column less the first, and
// SourceText names it as a cell.
SpreadsheetTable toTable(const std::string &path, const std::string &sheet, const Workbook &workbook,
    const SheetGrid &grid, const SpreadsheetLimits &limits)
{
    if (grid.rows.empty())
        throw Error(locate(path, 0, 0,
            "sheet \"" + sheet + "\" is empty; expected pairs of texts in its first columns"
                + (workbook.sheetNames().size() > 1 ? " (choose another sheet)" : "")));
    std::size_t first = limits.maxColumns, last = 0;
    for (const SheetGrid::Row &row : grid.rows) {
        for (const SheetGrid::Cell &cell : row.cells) {
            first = std::min(first, cell.column);
            last = std::max(last, cell.column);
        }
    }
    // Every row gets a cell for every used column: two far-apart cells must not make a huge table.
    const std::size_t width = last - first + 1;
    if (double(grid.rows.size()) * double(width) > double(limits.maxCells))
        throw Error(locate(path, 0, 0,
            "sheet \"" + sheet + "\" uses " + std::to_string(grid.rows.size()) + " rows by "
                + std::to_string(width) + " columns, more than the " + std::to_string(limits.maxCells)
                + " cells Pairtune imports; delete the cells outside the pairs"));
    std::string text;
    text.reserve(grid.rows.size() * width + grid.rows.back().number);
    RawTable table;
    table.format = workbook.format();
    std::size_t line = 1;
    for (const SheetGrid::Row &row : grid.rows) {
        text.append(row.number - line, '\n');
        line = row.number;
        const std::size_t start = text.size();
        text.append(width - 1, '\t');
        RawRow raw;
        raw.offset = start;
        for (std::size_t column = 0; column < width; ++column)
            raw.cells.push_back({ RawCell::Type::Text, {}, {}, start + column });
        for (const SheetGrid::Cell &cell : row.cells)
            raw.cells[cell.column - first].text = cell.text;
        table.rows.push_back(std::move(raw));
    }
    return { SourceText::forSheet(path, sheet, std::move(text), workbook.sha256(), first), std::move(table),
        sheet };
}

} // namespace

bool isSpreadsheetPath(const std::filesystem::path &path)
{
    const std::string ext = lowerExtension(path);
    return ext == ".xlsx" || ext == ".xlsm" || ext == ".ods" || ext == ".xls";
}

bool looksLikeSpreadsheet(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, sizeof head);
    const std::string_view start(head, std::size_t(in.gcount()));
    return start.starts_with(kZipMagic) || start.starts_with(kOleMagic);
}

std::vector<std::string> spreadsheetSheetNames(
    const std::filesystem::path &path, const SpreadsheetLimits &limits)
{
    return spreadsheetSheetNamesFromBytes(path.string(), readBytes(path, limits), limits);
}

SpreadsheetTable readSpreadsheet(const std::filesystem::path &path, const std::string &sheet,
    const SpreadsheetLimits &limits, std::size_t maxRows)
{
    return readSpreadsheetBytes(path.string(), readBytes(path, limits), sheet, limits, maxRows);
}

std::vector<std::string> spreadsheetSheetNamesFromBytes(
    const std::string &name, std::string bytes, const SpreadsheetLimits &limits)
{
    return Workbook(name, std::move(bytes), limits).sheetNames();
}

SpreadsheetTable readSpreadsheetBytes(const std::string &name, std::string bytes, const std::string &sheet,
    const SpreadsheetLimits &limits, std::size_t maxRows)
{
    Workbook workbook(name, std::move(bytes), limits);
    const std::size_t index = sheetIndex(name, workbook.sheetNames(), sheet);
    const std::string &sheetName = workbook.sheetNames()[index];
    const SheetGrid grid = workbook.readSheet(index, limits, maxRows);
    return toTable(name, sheetName, workbook, grid, limits);
}

} // namespace pairtune
