#include "data/jsonrowbuilder.h"

#include "data/jsonscanner.h"
#include "data/sourcetext.h"

#include <algorithm>

namespace pairtune {

JsonRowBuilder::JsonRowBuilder(const SourceText &source, std::string format)
    : m_source(source)
{
    m_table.format = std::move(format);
    m_table.typed = true;
}

std::string JsonRowBuilder::describeType(const nlohmann::ordered_json &value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
        return "a number";
    default:
        return "an unsupported value";
    }
}

RawCell JsonRowBuilder::cellOf(const nlohmann::ordered_json &value, std::size_t offset)
{
    RawCell cell;
    cell.offset = offset;
    if (value.is_string()) {
        cell.type = RawCell::Type::Text;
        cell.text = value.get<std::string>();
    } else if (value.is_number()) {
        cell.type = RawCell::Type::Number;
        cell.text = value.dump();
    } else if (value.is_null()) {
        cell.type = RawCell::Type::Null;
    } else if (value.is_array()
        && std::all_of(value.begin(), value.end(), [](const auto &item) { return item.is_string(); })) {
        cell.type = RawCell::Type::List;
        for (const auto &item : value)
            cell.list.push_back(item.get<std::string>());
    } else {
        cell.type = RawCell::Type::Other;
        cell.text = describeType(value);
    }
    return cell;
}

namespace {

// nlohmann reports the last character it read; for an unexpected string or number that is the end of
// the token, while a person looks for where it starts.
std::size_t tokenStart(std::string_view text, std::size_t begin, std::size_t last, const std::string &what)
{
    if (what.find("unexpected string literal") != std::string::npos && text[last] == '"') {
        for (std::size_t p = last; p > begin;) {
            --p;
            if (text[p] == '"' && (p == begin || text[p - 1] != '\\'))
                return p;
        }
    }
    if (what.find("unexpected number literal") != std::string::npos) {
        std::size_t p = last;
        while (p > begin && std::string_view("0123456789.eE+-").find(text[p - 1]) != std::string_view::npos)
            --p;
        return p;
    }
    return last;
}

} // namespace

void JsonRowBuilder::failParse(const SourceText &source, const nlohmann::json::parse_error &error,
    std::size_t begin, std::size_t end, const std::string &truncatedMessage)
{
    const std::string what = error.what();
    const std::size_t last = begin + (error.byte > 0 ? error.byte - 1 : 0);
    if (last >= end || what.find("unexpected end of input") != std::string::npos) {
        std::size_t at = jsonscanner::skipWhitespace(source.text(), begin);
        source.failAt(std::min(at, end), truncatedMessage);
    }
    // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 1, column 6: syntax
    // error while parsing ..."; keep the part after the position, which is ours to give.
    std::string reason = what;
    const std::size_t column = what.find("column ");
    if (column != std::string::npos) {
        const std::size_t colon = what.find(": ", column);
        if (colon != std::string::npos)
            reason = what.substr(colon + 2);
    }
    source.failAt(tokenStart(source.text(), begin, last, what), "invalid JSON: " + reason);
}

std::size_t JsonRowBuilder::columnFor(const std::string &key)
{
    const auto [it, inserted] = m_columns.emplace(key, m_table.names.size());
    if (inserted)
        m_table.names.push_back(key);
    return it->second;
}

void JsonRowBuilder::add(const nlohmann::ordered_json &value, std::size_t offset)
{
    const bool first = m_table.rows.empty();
    if (!value.is_object() && !value.is_array())
        m_source.failAt(offset,
            "expected a JSON object such as {\"anchor\": \"...\", \"positive\": \"...\"} or an "
            "array of texts, found "
                + describeType(value));
    if (first) {
        m_table.keyed = value.is_object();
        m_firstRowOffset = offset;
    } else if (m_table.keyed != value.is_object()) {
        m_source.failAt(offset,
            "expected " + std::string(m_table.keyed ? "an object" : "an array") + " like the first row (line "
                + std::to_string(m_source.lineOf(m_firstRowOffset)) + "), found " + describeType(value));
    }

    const std::string_view text = m_source.text();
    RawRow row;
    row.offset = offset;
    if (value.is_object()) {
        for (const auto &[key, valueOffset] : jsonscanner::objectMembers(text, offset)) {
            const std::size_t column = columnFor(key);
            if (row.cells.size() <= column)
                row.cells.resize(column + 1);
            row.cells[column] = cellOf(value.at(key), valueOffset);
        }
    } else {
        const std::vector<std::size_t> offsets = jsonscanner::arrayElements(text, offset);
        for (std::size_t i = 0; i < value.size(); ++i)
            row.cells.push_back(cellOf(value[i], i < offsets.size() ? offsets[i] : offset));
    }
    m_table.rows.push_back(std::move(row));
}

RawTable JsonRowBuilder::finish()
{
    if (m_table.keyed) {
        for (RawRow &row : m_table.rows) {
            for (RawCell &cell : row.cells) {
                if (cell.type == RawCell::Type::Missing)
                    cell.offset = row.offset;
            }
            while (row.cells.size() < m_table.names.size()) {
                RawCell missing;
                missing.offset = row.offset;
                row.cells.push_back(missing);
            }
        }
        m_table.hasHeader = true;
    }
    return std::move(m_table);
}

} // namespace pairtune
