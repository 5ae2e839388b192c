#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// The bytes of one data file, checked and indexed so every parser can report "path:line:column".
// Construction strips a UTF-8 byte-order mark and rejects what no parser should see: UTF-16 text,
// invalid UTF-8 and NUL bytes, each with its location. Lines end at LF, CRLF or a lone CR; columns
// are 1-based and count Unicode code points, as editors show them.
class SourceText
{
public:
    static SourceText fromFile(const std::string &path);
    static SourceText fromBytes(std::string path, std::string bytes);
    // A sheet of a workbook (spreadsheetreader.h): `grid` holds no data, only one line per sheet row
    // with a tab between cells, so line N is row N and column C is cell firstColumn + C (0-based).
    // Messages then name cells as spreadsheets do: "pairs.xlsx: Sheet1!B17: message" ("Sheet1 row 17"
    // for a whole row).
    static SourceText forSheet(
        std::string path, std::string sheet, std::string grid, std::string sha256, std::size_t firstColumn);

    const std::string &path() const { return m_path; }
    std::string_view text() const { return m_text; }
    bool hadByteOrderMark() const { return m_hadBom; }
    // The raw file bytes' SHA-256 (BOM included), hex; computed once at load.
    const std::string &sha256() const { return m_sha256; }

    std::size_t lineCount() const { return m_lineStarts.size(); }
    std::size_t lineOf(std::size_t offset) const; // 1-based
    std::size_t columnOf(std::size_t offset) const; // 1-based, in code points
    std::size_t lineStart(std::size_t line) const; // offset of a 1-based line
    std::size_t lineEnd(std::size_t line) const; // offset of its terminator (or end of text)

    // "path:line:column: message" / "path:line: message" as a pairtune::Error.
    [[noreturn]] void failAt(std::size_t offset, const std::string &message) const;
    [[noreturn]] void failAtLine(std::size_t offset, const std::string &message) const;
    std::string describeAt(std::size_t offset, const std::string &message) const;
    std::string describeAtLine(std::size_t offset, const std::string &message) const;

private:
    SourceText() = default;
    void index();
    void validate() const;

    std::string m_path;
    std::string m_text;
    std::string m_sha256;
    std::string m_sheet; // set: offsets are cells of this sheet
    std::size_t m_firstColumn = 0; // the sheet column of a line's first cell
    bool m_hadBom = false;
    std::vector<std::size_t> m_lineStarts;
};

} // namespace pairtune
