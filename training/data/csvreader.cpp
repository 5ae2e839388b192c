#include "data/csvreader.h"

#include "data/columnroles.h"
#include "data/sourcetext.h"

#include <algorithm>
#include <map>
#include <optional>

namespace pairtune {

namespace {

// A quoted field scanned leniently is abandoned after this many bytes: a quote that opens a TSV
// text like "Hi" she said must not swallow the rest of the file.
constexpr std::size_t kLenientQuoteScanLimit = std::size_t(1) << 20;

class Parser
{
public:
    Parser(const SourceText &source, char delimiter, CsvReader::Quoting quoting)
        : m_source(source)
        , m_text(source.text())
        , m_delimiter(delimiter)
        , m_strict(quoting == CsvReader::Quoting::Strict)
    { }

    bool atEnd() const { return m_pos >= m_text.size(); }

    // Skips lines that are empty or hold only spaces; returns false at the end of the text.
    bool skipBlankLines()
    {
        while (m_pos < m_text.size()) {
            std::size_t p = m_pos;
            while (p < m_text.size() && m_text[p] == ' ' && m_delimiter != ' ')
                ++p;
            if (p < m_text.size() && m_text[p] != '\n' && m_text[p] != '\r')
                return true;
            m_pos = p;
            if (!consumeLineEnd())
                return false;
        }
        return false;
    }

    RawRow readRecord()
    {
        RawRow row;
        row.offset = m_pos;
        while (true) {
            row.cells.push_back(readField());
            if (m_pos < m_text.size() && m_text[m_pos] == m_delimiter) {
                ++m_pos;
                continue;
            }
            consumeLineEnd();
            return row;
        }
    }

private:
    bool isLineEnd(std::size_t p) const
    {
        return p >= m_text.size() || m_text[p] == '\n' || m_text[p] == '\r';
    }
    bool isFieldEnd(std::size_t p) const { return isLineEnd(p) || m_text[p] == m_delimiter; }

    bool consumeLineEnd()
    {
        if (m_pos >= m_text.size())
            return false;
        if (m_text[m_pos] == '\r')
            ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '\n')
            ++m_pos;
        return true;
    }

    RawCell readField()
    {
        RawCell cell;
        cell.type = RawCell::Type::Text;
        cell.offset = m_pos;
        std::size_t p = m_pos;
        while (p < m_text.size() && m_text[p] == ' ' && m_delimiter != ' ')
            ++p;
        if (p < m_text.size() && m_text[p] == '"') {
            if (auto quoted = readQuoted(p)) {
                cell.text = std::move(*quoted);
                cell.offset = p;
                return cell;
            }
        }
        const std::size_t start = m_pos;
        while (!isFieldEnd(m_pos)) {
            if (m_strict && m_text[m_pos] == '"')
                m_source.failAt(m_pos,
                    "stray quote in an unquoted field; put the whole field in quotes and "
                    "double the quotes inside it (\"\")");
            ++m_pos;
        }
        cell.text.assign(m_text.substr(start, m_pos - start));
        return cell;
    }

    // Reads a quoted field whose opening quote is at p. Strict: returns the text or throws.
    // Lenient: returns nullopt (and leaves m_pos) when the field is not a complete quoted field.
    std::optional<std::string> readQuoted(std::size_t open)
    {
        std::string value;
        std::size_t p = open + 1;
        while (true) {
            const std::size_t quote = m_text.find('"', p);
            if (quote == std::string_view::npos || (!m_strict && quote - open > kLenientQuoteScanLimit)) {
                if (!m_strict)
                    return std::nullopt;
                m_source.failAt(open, "unterminated quoted field: the quote opened here is never closed");
            }
            value.append(m_text.substr(p, quote - p));
            if (quote + 1 < m_text.size() && m_text[quote + 1] == '"') {
                value += '"';
                p = quote + 2;
                continue;
            }
            std::size_t after = quote + 1;
            while (after < m_text.size() && m_text[after] == ' ' && m_delimiter != ' ')
                ++after;
            if (!isFieldEnd(after)) {
                if (!m_strict)
                    return std::nullopt;
                m_source.failAt(after,
                    "unexpected text after the closing quote of a quoted field; a quote "
                    "inside a quoted field must be doubled (\"\")");
            }
            m_pos = after;
            return value;
        }
    }

    const SourceText &m_source;
    std::string_view m_text;
    char m_delimiter;
    bool m_strict;
    std::size_t m_pos = 0;
};

} // namespace

RawTable CsvReader::read(const SourceText &source, char delimiter, Quoting quoting, std::size_t maxRows)
{
    RawTable table;
    table.format = delimiter == '\t' ? "tsv" : "csv";
    table.delimiter = delimiter;
    Parser parser(source, delimiter, quoting);
    while (table.rows.size() < maxRows && parser.skipBlankLines())
        table.rows.push_back(parser.readRecord());
    return table;
}

char CsvReader::sniffDelimiter(const SourceText &source)
{
    constexpr std::size_t kSampleRows = 50;
    const char candidates[] = { '\t', ',', ';' };
    std::map<char, RawTable> samples;
    for (char candidate : candidates)
        samples[candidate] = read(source, candidate, Quoting::Lenient, kSampleRows);

    auto fields = [](const RawRow &row) {
        std::vector<std::string> out;
        for (const RawCell &cell : row.cells)
            out.push_back(cell.text);
        return out;
    };
    for (char candidate : candidates) {
        const RawTable &sample = samples[candidate];
        if (!sample.rows.empty() && sample.rows.front().cells.size() >= 2
            && looksLikeHeader(fields(sample.rows.front())))
            return candidate;
    }

    char best = 0;
    double bestScore = 0;
    for (char candidate : candidates) {
        const RawTable &sample = samples[candidate];
        if (sample.rows.empty() || sample.rows.front().cells.size() < 2)
            continue;
        std::map<std::size_t, std::size_t> counts;
        for (const RawRow &row : sample.rows)
            ++counts[row.cells.size()];
        std::size_t modeCount = 0;
        std::size_t mode = 0;
        for (const auto &[fieldCount, rows] : counts) {
            if (rows > modeCount) {
                modeCount = rows;
                mode = fieldCount;
            }
        }
        if (mode < 2)
            continue;
        const double score = double(modeCount) / double(sample.rows.size());
        if (score > bestScore) {
            bestScore = score;
            best = candidate;
        }
    }
    return best;
}

} // namespace pairtune
