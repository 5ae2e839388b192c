// The .xlsx/.ods reader on arbitrary input. Mutating a real workbook mostly breaks the zip's CRCs, so
// the first byte also offers to fuzz the XML inside: the rest of the input is then packed (stored,
// with valid CRCs) into an otherwise fixed .xlsx or .ods before it is read.
//   byte 0, bits 0-1: 0 = the input is a whole workbook file; 1 = an .xlsx whose sheet XML, shared
//                     strings and styles are the input's three NUL-separated parts; 2 = an .ods whose
//                     content.xml is the input; 3 = an .xlsx whose workbook.xml is the input
//   byte 0, bits 2-3: the sheet asked for: the first, "Sheet2", "Pairs", "Merged cells"
#include "core/error.h"
#include "data/spreadsheetreader.h"
#include "fuzzsupport.h"

#include <array>
#include <cstdio>
#include <utility>
#include <zip.h>

using namespace pairtune;

namespace {

const char *const kContentTypes = R"(<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";
const char *const kPackageRels = R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
const char *const kWorkbook = R"(<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/><sheet name="Sheet2" sheetId="2" r:id="rId2"/></sheets></workbook>)";
const char *const kWorkbookRels = R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/../worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>)";
const char *const kSheet
    = R"(<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45356.5</v></c></row></sheetData></worksheet>)";
const char *const kStrings
    = R"(<sst><si><t>anchor</t></si><si><r><t>pos</t></r><r><t>itive</t></r></si></sst>)";
const char *const kStyles
    = R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs></styleSheet>)";

// A zip of the given parts, stored uncompressed, built in memory with libzip.
std::string zipOf(const std::vector<std::pair<std::string, std::string>> &parts)
{
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t *buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_source_keep(buffer);
    zip_t *archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
    for (const auto &[name, content] : parts) {
        zip_source_t *source = zip_source_buffer(archive, content.data(), content.size(), 0);
        const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
        zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_STORE, 0);
    }
    fuzz::check(zip_close(archive) == 0, "libzip writes the in-memory zip");
    std::string bytes;
    zip_source_open(buffer);
    char chunk[1 << 14];
    for (zip_int64_t got; (got = zip_source_read(buffer, chunk, sizeof chunk)) > 0;)
        bytes.append(chunk, std::size_t(got));
    zip_source_close(buffer);
    zip_source_free(buffer);
    zip_error_fini(&error);
    return bytes;
}

// The input split at NUL bytes into at most `count` parts; missing ones take the defaults.
std::vector<std::string> splitParts(std::string_view input, const std::vector<const char *> &defaults)
{
    std::vector<std::string> parts;
    while (parts.size() + 1 < defaults.size() && input.find('\0') != std::string_view::npos) {
        parts.emplace_back(input.substr(0, input.find('\0')));
        input.remove_prefix(input.find('\0') + 1);
    }
    parts.emplace_back(input);
    for (std::size_t i = parts.size(); i < defaults.size(); ++i)
        parts.emplace_back(defaults[i]);
    return parts;
}

std::string workbookFor(std::uint8_t mode, std::string_view input)
{
    switch (mode & 3) {
    case 1: {
        const auto parts = splitParts(input, { kSheet, kStrings, kStyles });
        return zipOf({ { "[Content_Types].xml", kContentTypes }, { "_rels/.rels", kPackageRels },
            { "xl/workbook.xml", kWorkbook }, { "xl/_rels/workbook.xml.rels", kWorkbookRels },
            { "xl/worksheets/sheet1.xml", parts[0] }, { "xl/sharedStrings.xml", parts[1] },
            { "xl/styles.xml", parts[2] } });
    }
    case 2:
        return zipOf({ { "mimetype", "application/vnd.oasis.opendocument.spreadsheet" },
            { "content.xml", std::string(input) } });
    case 3:
        return zipOf({ { "[Content_Types].xml", kContentTypes }, { "_rels/.rels", kPackageRels },
            { "xl/workbook.xml", std::string(input) }, { "xl/_rels/workbook.xml.rels", kWorkbookRels },
            { "xl/worksheets/sheet1.xml", kSheet }, { "xl/sharedStrings.xml", kStrings },
            { "xl/styles.xml", kStyles } });
    default:
        return std::string(input);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    if (size == 0)
        return 0;
    static const std::array<const char *, 4> sheets = { "", "Sheet2", "Pairs", "Merged cells" };
    const std::string sheet = sheets[(data[0] >> 2) & 3];
    // Bounds well inside run_fuzzer.sh's -malloc_limit_mb=1024 and -rss_limit_mb=2048.
    SpreadsheetLimits limits;
    limits.maxFileBytes = limits.maxPartBytes = std::uint64_t(16) << 20;
    limits.maxTotalBytes = std::uint64_t(48) << 20;
    limits.maxCells = 1'000'000;
    try {
        const std::string bytes = workbookFor(data[0], fuzz::asText(data + 1, size - 1));
        const std::vector<std::string> names = spreadsheetSheetNamesFromBytes("pairs.xlsx", bytes, limits);
        fuzz::check(!names.empty(), "a workbook that opens has a sheet");
        const SpreadsheetTable table = readSpreadsheetBytes("pairs.xlsx", bytes, sheet, limits, 1000);
        fuzz::check(!table.table.rows.empty(), "an empty sheet is an error, not an empty table");
        fuzz::check(table.table.rows.size() <= 1000, "maxRows stops the read");
        std::size_t previousRow = 0;
        for (const RawRow &row : table.table.rows) {
            const std::size_t number = table.source.lineOf(row.offset);
            fuzz::check(number > previousRow, "rows keep the sheet's ascending row numbers");
            previousRow = number;
            fuzz::check(row.cells.size() == table.table.rows.front().cells.size(), "every row is as wide");
            bool anyText = false;
            for (const RawCell &cell : row.cells) {
                fuzz::check(table.source.lineOf(cell.offset) == number, "a cell lies in its row");
                anyText = anyText || !cell.text.empty();
            }
            fuzz::check(anyText, "empty rows are skipped");
            (void)table.source.describeAt(row.cells.back().offset, "x");
        }
    } catch (const Error &) {
        // A readable message for a person: the expected answer to bad input.
    }
    return 0;
}
