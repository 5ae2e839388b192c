#include "data/sourcetext.h"

#include "core/error.h"
#include "data/sha256.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace pairtune {

namespace {

std::string hexByte(unsigned char byte)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", byte);
    return buffer;
}

bool isContinuation(unsigned char byte)
{
    return (byte & 0xC0) == 0x80;
}

// Latin-1 and Windows-1252 files are the usual source of invalid UTF-8: an accented letter (0xC0-0xFF)
// followed by an ASCII byte, or a lone high byte.
const char *const kEncodingHint = "; the file is probably Latin-1 or Windows-1252: save it as UTF-8";

// A sheet name as a formula writes it: quoted when it is more than letters, digits and '_'.
std::string sheetReference(const std::string &sheet)
{
    if (std::all_of(sheet.begin(), sheet.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; }))
        return sheet;
    std::string quoted = "'";
    for (char c : sheet)
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
}

// "B17" for row 17, column 2 (both 1-based).
std::string cellName(std::size_t row, std::size_t column)
{
    std::string letters;
    for (; column > 0; column = (column - 1) / 26)
        letters.insert(letters.begin(), char('A' + (column - 1) % 26));
    return letters + std::to_string(row);
}

} // namespace

SourceText SourceText::fromFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(locate(path, 0, 0, "cannot open the file for reading"), Error::Kind::Io);
    // One read into a buffer of the file's size: a string grown from a stream iterator doubles and
    // copies, and a 330 MB file briefly held its last two buffers (issue 18). Whatever the size did not
    // cover (a file that grew, a pipe without a size) is appended after.
    std::string bytes;
    std::error_code sizeError;
    const std::uintmax_t size = std::filesystem::file_size(path, sizeError);
    if (!sizeError && size > 0) {
        bytes.resize(static_cast<std::size_t>(size));
        in.read(bytes.data(), static_cast<std::streamsize>(size));
        bytes.resize(static_cast<std::size_t>(in.gcount()));
    }
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad())
        throw Error(locate(path, 0, 0, "reading the file failed"), Error::Kind::Io);
    return fromBytes(path, std::move(bytes));
}

SourceText SourceText::fromBytes(std::string path, std::string bytes)
{
    SourceText source;
    source.m_path = std::move(path);
    source.m_sha256 = Sha256::hex(bytes);
    const auto startsWith
        = [&](std::string_view prefix) { return std::string_view(bytes).starts_with(prefix); };
    if (startsWith("\xFF\xFE") || startsWith("\xFE\xFF"))
        throw Error(locate(source.m_path, 1, 1, "the file is UTF-16 encoded; save it as UTF-8"));
    if (startsWith("\xEF\xBB\xBF")) {
        source.m_hadBom = true;
        bytes.erase(0, 3);
    }
    source.m_text = std::move(bytes);
    source.index();
    source.validate();
    return source;
}

SourceText SourceText::forSheet(
    std::string path, std::string sheet, std::string grid, std::string sha256, std::size_t firstColumn)
{
    SourceText source;
    source.m_path = std::move(path);
    source.m_sheet = std::move(sheet);
    source.m_firstColumn = firstColumn;
    source.m_text = std::move(grid);
    source.m_sha256 = std::move(sha256);
    source.index();
    return source;
}

void SourceText::index()
{
    m_lineStarts.clear();
    m_lineStarts.push_back(0);
    const std::size_t size = m_text.size();
    for (std::size_t i = 0; i < size; ++i) {
        const char c = m_text[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= size || m_text[i + 1] != '\n')))
            m_lineStarts.push_back(i + 1);
    }
}

void SourceText::validate() const
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(m_text.data());
    const std::size_t size = m_text.size();
    std::size_t i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        if (lead >= 0x01 && lead < 0x80) {
            ++i;
            continue;
        }
        if (lead == 0)
            failAt(i, "NUL byte (0x00); this is a binary or UTF-16 file, not UTF-8 text");
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte (Unicode table 3-7)
        if (isContinuation(lead))
            failAt(i, "invalid UTF-8: unexpected continuation byte " + hexByte(lead) + kEncodingHint);
        if (lead == 0xC0 || lead == 0xC1)
            failAt(i, "invalid UTF-8: overlong encoding (" + hexByte(lead) + ")" + kEncodingHint);
        if (lead <= 0xDF)
            length = 2;
        else if (lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0;
            else if (lead == 0xED)
                high = 0x9F;
        } else if (lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F;
        } else {
            failAt(i, "invalid UTF-8: byte " + hexByte(lead) + " never occurs in UTF-8" + kEncodingHint);
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= size || !isContinuation(bytes[i + k]))
                failAt(i,
                    "invalid UTF-8: truncated sequence (" + hexByte(lead) + " needs "
                        + std::to_string(length - 1) + " continuation bytes)" + kEncodingHint);
        }
        const unsigned char second = bytes[i + 1];
        if (second < low || second > high) {
            if (lead == 0xED)
                failAt(i,
                    "invalid UTF-8: encoded UTF-16 surrogate (" + hexByte(lead) + " " + hexByte(second)
                        + ")");
            if (lead == 0xF4)
                failAt(i, "invalid UTF-8: code point above U+10FFFF");
            failAt(i, "invalid UTF-8: overlong encoding (" + hexByte(lead) + " " + hexByte(second) + ")");
        }
        i += length;
    }
}

std::size_t SourceText::lineOf(std::size_t offset) const
{
    const auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset);
    return std::size_t(it - m_lineStarts.begin());
}

std::size_t SourceText::columnOf(std::size_t offset) const
{
    offset = std::min(offset, m_text.size());
    const std::size_t start = m_lineStarts[lineOf(offset) - 1];
    std::size_t column = 1;
    for (std::size_t i = start; i < offset; ++i) {
        if (!isContinuation(static_cast<unsigned char>(m_text[i])))
            ++column;
    }
    return column;
}

std::size_t SourceText::lineStart(std::size_t line) const
{
    return m_lineStarts.at(line - 1);
}

std::size_t SourceText::lineEnd(std::size_t line) const
{
    std::size_t end = line < m_lineStarts.size() ? m_lineStarts[line] : m_text.size();
    if (end > lineStart(line) && end <= m_text.size() && line < m_lineStarts.size()) {
        --end; // the '\n' or lone '\r'
        if (m_text[end] == '\n' && end > lineStart(line) && m_text[end - 1] == '\r')
            --end;
    }
    return end;
}

std::string SourceText::describeAt(std::size_t offset, const std::string &message) const
{
    if (!m_sheet.empty())
        return locate(m_path, 0, 0,
            sheetReference(m_sheet) + "!" + cellName(lineOf(offset), m_firstColumn + columnOf(offset)) + ": "
                + message);
    return locate(m_path, lineOf(offset), columnOf(offset), message);
}

std::string SourceText::describeAtLine(std::size_t offset, const std::string &message) const
{
    if (!m_sheet.empty())
        return locate(m_path, 0, 0,
            sheetReference(m_sheet) + " row " + std::to_string(lineOf(offset)) + ": " + message);
    return locate(m_path, lineOf(offset), 0, message);
}

void SourceText::failAt(std::size_t offset, const std::string &message) const
{
    throw Error(describeAt(offset, message));
}

void SourceText::failAtLine(std::size_t offset, const std::string &message) const
{
    throw Error(describeAtLine(offset, message));
}

} // namespace pairtune
