#include "data/jsonreader.h"

#include "data/jsonrowbuilder.h"
#include "data/jsonscanner.h"
#include "data/sourcetext.h"

#include <algorithm>

namespace pairtune {

namespace {

const char *const kExpectedShape
    = "expected a JSON array of pairs such as [{\"anchor\": \"...\", \"positive\": \"...\"}, "
      "...] or [[\"anchor\", \"positive\"], ...]";

bool isScalar(const nlohmann::ordered_json &value)
{
    return !value.is_array() && !value.is_object();
}

RawTable readRows(const SourceText &source, const nlohmann::ordered_json &array, std::size_t arrayOffset,
    std::size_t maxRows)
{
    if (array.empty())
        source.failAt(arrayOffset, "the JSON array is empty; there are no pairs");
    const std::vector<std::size_t> offsets = jsonscanner::arrayElements(source.text(), arrayOffset);
    JsonRowBuilder builder(source, "json");
    for (std::size_t i = 0; i < array.size() && i < maxRows; ++i)
        builder.add(array[i], i < offsets.size() ? offsets[i] : arrayOffset);
    return builder.finish();
}

RawTable readColumns(const SourceText &source, const nlohmann::ordered_json &object,
    const std::vector<std::pair<std::string, std::size_t>> &columns, std::size_t maxRows)
{
    RawTable table;
    table.format = "json";
    table.keyed = true;
    table.typed = true;
    table.hasHeader = true;
    std::vector<std::vector<std::size_t>> offsets;
    for (const auto &[key, offset] : columns) {
        table.names.push_back(key);
        offsets.push_back(jsonscanner::arrayElements(source.text(), offset));
    }
    const std::size_t rows = std::min(object.at(columns.front().first).size(), maxRows);
    if (rows == 0)
        source.failAt(columns.front().second, "the JSON arrays are empty; there are no pairs");
    for (std::size_t i = 0; i < rows; ++i) {
        RawRow row;
        row.offset = offsets.front()[i];
        for (std::size_t c = 0; c < columns.size(); ++c)
            row.cells.push_back(JsonRowBuilder::cellOf(object.at(columns[c].first)[i], offsets[c][i]));
        table.rows.push_back(std::move(row));
    }
    return table;
}

} // namespace

RawTable JsonReader::read(const SourceText &source, std::size_t maxRows)
{
    const std::string_view text = source.text();
    nlohmann::ordered_json document;
    try {
        document = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::parse_error &error) {
        JsonRowBuilder::failParse(source, error, 0, text.size(),
            "truncated JSON: the file ends before the top-level value is closed");
    } catch (const nlohmann::json::out_of_range &) {
        // nlohmann's only out_of_range while parsing (found by fuzzing); it gives no position.
        source.failAtLine(0, "a number too large for a double");
    }
    const std::size_t start = jsonscanner::skipWhitespace(text, 0);
    if (document.is_array())
        return readRows(source, document, start, maxRows);
    if (!document.is_object())
        source.failAt(
            start, std::string(kExpectedShape) + ", found " + JsonRowBuilder::describeType(document));

    std::vector<std::pair<std::string, std::size_t>> arrays;
    for (const auto &[key, offset] : jsonscanner::objectMembers(text, start)) {
        if (document.at(key).is_array())
            arrays.emplace_back(key, offset);
    }
    if (arrays.size() == 1) {
        const auto &array = document.at(arrays.front().first);
        if (array.empty() || !isScalar(array.front()))
            return readRows(source, array, arrays.front().second, maxRows);
    }
    if (arrays.size() >= 2) {
        const std::size_t length = document.at(arrays.front().first).size();
        const bool columnar = std::all_of(arrays.begin(), arrays.end(), [&](const auto &member) {
            const auto &array = document.at(member.first);
            return array.size() == length && std::all_of(array.begin(), array.end(), isScalar);
        });
        if (columnar)
            return readColumns(source, document, arrays, maxRows);
    }
    std::string keys;
    for (const auto &[key, value] : document.items())
        keys += (keys.empty() ? "\"" : ", \"") + key + "\"";
    source.failAt(start,
        std::string(kExpectedShape) + ", found an object with keys " + (keys.empty() ? "(none)" : keys)
            + " (for one object per line, name the file .jsonl)");
}

} // namespace pairtune
