#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune {

// One cell as a reader found it, before any role is assigned. Offsets point into the SourceText so
// that later checks (score not a number, text too long) can still name line and column.
struct RawCell
{
    enum class Type {
        Missing, // a JSON object without this key
        Text, // a CSV/TSV field or a JSON string
        Number, // a JSON number (text holds its spelling)
        Null, // JSON null
        List, // a JSON array of strings (e.g. "negatives": [...]); items in list
        Other, // any other JSON value (bool, object, mixed array); text holds a short description
    };
    Type type = Type::Missing;
    std::string text;
    std::vector<std::string> list;
    std::size_t offset = 0;
};

struct RawRow
{
    std::size_t offset = 0; // where the row starts
    std::vector<RawCell> cells;
};

// What a reader produced: rows of cells with optional column names. TSV/CSV and JSON arrays give
// positional rows (names empty until a header is taken from the first row); JSON objects give keyed
// rows whose cells line up with names (the union of keys in first-seen order).
struct RawTable
{
    std::string format; // "tsv", "csv", "jsonl", "json"
    char delimiter = 0; // TSV/CSV only
    bool keyed = false; // rows were JSON objects
    bool typed = false; // JSON: Number and Text are told apart by the file
    bool hasHeader = false;
    std::size_t headerOffset = 0;
    std::vector<std::string> names;
    std::vector<RawRow> rows;
};

} // namespace pairtune
