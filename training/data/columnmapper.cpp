#include "data/columnmapper.h"

#include "core/error.h"
#include "data/columnroles.h"
#include "data/sourcetext.h"

#include <algorithm>

namespace pairtune {

namespace {

constexpr std::size_t none = ColumnMapping::none;

bool isIndex(const std::string &text)
{
    return !text.empty() && text.size() < 10
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Mapper
{
public:
    Mapper(const SourceText &source, const RawTable &table, const ImportOptions &options,
        std::vector<std::string> &warnings)
        : m_source(source)
        , m_table(table)
        , m_options(options)
        , m_warnings(warnings)
        , m_columns(ColumnMapper::columnCount(table))
        , m_used(m_columns, false)
    { }

    ColumnMapping run()
    {
        applyExplicit();
        const bool named = m_table.hasHeader || m_table.keyed;
        if (named)
            applyNames();
        if (!m_table.keyed)
            fillByPosition(named);
        if (m_mapping.anchor == none || m_mapping.positive == none)
            failMissingTexts();
        if (!named && m_options.scoreColumn.empty())
            fillHeaderlessScore();
        if (!named && !m_explicitTexts && m_options.negativeColumns.empty())
            fillHeaderlessNegatives();
        collectIgnored();
        return m_mapping;
    }

private:
    std::string name(std::size_t column) const { return ColumnMapper::columnName(m_table, column); }

    std::string columnList() const
    {
        std::string out;
        for (std::size_t c = 0; c < m_columns; ++c)
            out += (c ? ", \"" : "\"") + name(c) + "\"";
        return out;
    }

    std::size_t resolve(const std::string &spec, const char *role)
    {
        std::size_t found = none;
        if (!m_table.names.empty()) {
            for (std::size_t c = 0; c < m_table.names.size() && found == none; ++c) {
                if (m_table.names[c] == spec)
                    found = c;
            }
            for (std::size_t c = 0; c < m_table.names.size() && found == none; ++c) {
                if (normalizeColumnName(m_table.names[c]) == normalizeColumnName(spec))
                    found = c;
            }
        }
        if (found == none && isIndex(spec) && std::stoul(spec) < m_columns)
            found = std::stoul(spec);
        if (found == none)
            throw Error(locate(m_source.path(), 0, 0,
                std::string("the ") + role + " column \"" + spec + "\" does not exist; the columns are "
                    + columnList()));
        if (m_used[found])
            throw Error(locate(m_source.path(), 0, 0,
                std::string("column \"") + name(found) + "\" is chosen for two roles"));
        m_used[found] = true;
        return found;
    }

    void applyExplicit()
    {
        if (!m_options.anchorColumn.empty())
            m_mapping.anchor = resolve(m_options.anchorColumn, "anchor");
        if (!m_options.positiveColumn.empty())
            m_mapping.positive = resolve(m_options.positiveColumn, "positive");
        if (!m_options.scoreColumn.empty())
            m_mapping.score = resolve(m_options.scoreColumn, "score");
        for (const std::string &spec : m_options.negativeColumns)
            m_mapping.negatives.push_back(resolve(spec, "negative"));
        m_explicitTexts = !m_options.anchorColumn.empty() || !m_options.positiveColumn.empty();
    }

    void take(std::size_t &slot, std::size_t column)
    {
        if (slot == none && !m_used[column]) {
            slot = column;
            m_used[column] = true;
        }
    }

    void applyNames()
    {
        for (std::size_t c = 0; c < m_columns; ++c) {
            if (m_used[c])
                continue;
            switch (roleOfColumnName(m_table.names[c])) {
            case ColumnRole::Anchor:
                take(m_mapping.anchor, c);
                break;
            case ColumnRole::Positive:
                take(m_mapping.positive, c);
                break;
            case ColumnRole::Score:
                if (m_options.scoreColumn.empty())
                    take(m_mapping.score, c);
                break;
            case ColumnRole::Negative:
                if (m_options.negativeColumns.empty()) {
                    m_mapping.negatives.push_back(c);
                    m_used[c] = true;
                }
                break;
            case ColumnRole::Unknown:
                break;
            }
        }
    }

    // Anchor and positive from the first free columns: any column without a header, only columns of
    // unknown name that hold text with one.
    void fillByPosition(bool named)
    {
        for (std::size_t c = 0; c < m_columns; ++c) {
            if (m_used[c])
                continue;
            if (named
                && (roleOfColumnName(m_table.names[c]) != ColumnRole::Unknown
                    || ColumnMapper::isNumericColumn(m_table, c)))
                continue;
            if (m_mapping.anchor == none)
                take(m_mapping.anchor, c);
            else
                take(m_mapping.positive, c);
        }
    }

    void fillHeaderlessScore()
    {
        for (std::size_t c = 0; c < m_columns; ++c) {
            if (!m_used[c] && ColumnMapper::isNumericColumn(m_table, c)) {
                take(m_mapping.score, c);
                return;
            }
        }
    }

    void fillHeaderlessNegatives()
    {
        for (std::size_t c = 0; c < m_columns; ++c) {
            if (!m_used[c] && !ColumnMapper::isEmptyColumn(m_table, c)) {
                m_mapping.negatives.push_back(c);
                m_used[c] = true;
            }
        }
    }

    void collectIgnored()
    {
        for (std::size_t c = 0; c < m_columns; ++c) {
            if (m_used[c])
                continue;
            m_mapping.ignored.push_back(c);
            if (ColumnMapper::isEmptyColumn(m_table, c)) {
                m_warnings.push_back(locate(m_source.path(), 0, 0,
                    "column \"" + name(c) + "\" is empty in every row and is not used"));
                continue;
            }
            const char *kind = m_table.keyed ? "key" : "column";
            std::string message = std::string(kind) + " \"" + name(c) + "\" is not used";
            if (!ColumnMapper::isNumericColumn(m_table, c))
                message
                    += "; to train with it as a hard negative, name it negative (or choose it as a negative "
                       "column)";
            m_warnings.push_back(locate(m_source.path(), 0, 0, message));
        }
    }

    [[noreturn]] void failMissingTexts()
    {
        const std::size_t at = m_table.rows.empty() ? m_table.headerOffset : m_table.rows.front().offset;
        const bool anyKnown = std::any_of(m_table.names.begin(), m_table.names.end(),
            [](const std::string &n) { return roleOfColumnName(n) != ColumnRole::Unknown; });
        if (m_table.keyed && !anyKnown && !m_explicitTexts) {
            std::string keys;
            for (const std::string &key : m_table.names)
                keys += (keys.empty() ? "\"" : ", \"") + key + "\"";
            m_source.failAtLine(at,
                (m_table.names.size() == 1 ? "unknown key " : "unknown keys ") + keys + "; expected "
                    + knownPairNames());
        }
        if (m_columns < 2)
            m_source.failAtLine(
                at, "expected at least 2 columns (anchor and positive), found " + std::to_string(m_columns));
        const char *missing = m_mapping.anchor == none ? "anchor" : "positive";
        const char *names = m_mapping.anchor == none
            ? "anchor, sentence1, text1, query or question"
            : "positive, sentence2, text2, answer, document or passage";
        m_source.failAtLine(m_table.hasHeader && !m_table.keyed ? m_table.headerOffset : at,
            std::string("no ") + (m_table.keyed ? "key" : "column") + " holds the " + missing + " text among "
                + columnList() + "; name it " + names + ", or choose it with the " + missing
                + " column option");
    }

    const SourceText &m_source;
    const RawTable &m_table;
    const ImportOptions &m_options;
    std::vector<std::string> &m_warnings;
    std::size_t m_columns;
    std::vector<bool> m_used;
    ColumnMapping m_mapping;
    bool m_explicitTexts = false;
};

} // namespace

ColumnMapping ColumnMapper::map(const SourceText &source, const RawTable &table, const ImportOptions &options,
    std::vector<std::string> &warnings)
{
    return Mapper(source, table, options, warnings).run();
}

std::size_t ColumnMapper::columnCount(const RawTable &table)
{
    if (table.keyed || table.hasHeader)
        return table.names.size();
    return table.rows.empty() ? 0 : table.rows.front().cells.size();
}

std::string ColumnMapper::columnName(const RawTable &table, std::size_t column)
{
    if (column < table.names.size())
        return table.names[column];
    return std::to_string(column);
}

bool ColumnMapper::isNumericColumn(const RawTable &table, std::size_t column)
{
    bool any = false;
    for (const RawRow &row : table.rows) {
        if (column >= row.cells.size())
            continue;
        const RawCell &cell = row.cells[column];
        if (cell.type == RawCell::Type::Number) {
            any = true;
            continue;
        }
        if (cell.type == RawCell::Type::Missing || cell.type == RawCell::Type::Null)
            continue;
        if (cell.type != RawCell::Type::Text || table.typed)
            return false;
        if (cell.text.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (!parseNumber(cell.text))
            return false;
        any = true;
    }
    return any;
}

bool ColumnMapper::isEmptyColumn(const RawTable &table, std::size_t column)
{
    for (const RawRow &row : table.rows) {
        if (column >= row.cells.size())
            continue;
        const RawCell &cell = row.cells[column];
        if (cell.type == RawCell::Type::Missing || cell.type == RawCell::Type::Null)
            continue;
        if (cell.type != RawCell::Type::Text || cell.text.find_first_not_of(" \t") != std::string::npos)
            return false;
    }
    return true;
}

} // namespace pairtune
