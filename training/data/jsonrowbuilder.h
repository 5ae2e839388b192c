#pragma once

#include "data/rawtable.h"

#include <nlohmann/json.hpp>

#include <string>
#include <unordered_map>

namespace pairtune {

class SourceText;

// Turns parsed JSON rows (objects or arrays of texts) into a RawTable for the JSON and JSON Lines
// readers. Every row must have the kind of the first row; keys become columns in first-seen order.
class JsonRowBuilder
{
public:
    JsonRowBuilder(const SourceText &source, std::string format);

    // value parsed from the source text at offset (absolute, first character of the value).
    void add(const nlohmann::ordered_json &value, std::size_t offset);
    std::size_t rowCount() const { return m_table.rows.size(); }
    RawTable finish();

    static RawCell cellOf(const nlohmann::ordered_json &value, std::size_t offset);
    static std::string describeType(const nlohmann::ordered_json &value);
    // Rethrows a parse error of the JSON text text[begin, end) as a located pairtune::Error.
    [[noreturn]] static void failParse(const SourceText &source, const nlohmann::json::parse_error &error,
        std::size_t begin, std::size_t end, const std::string &truncatedMessage);

private:
    std::size_t columnFor(const std::string &key);

    const SourceText &m_source;
    RawTable m_table;
    std::unordered_map<std::string, std::size_t> m_columns;
    std::size_t m_firstRowOffset = 0;
};

} // namespace pairtune
