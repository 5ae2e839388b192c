#pragma once

#include "data/columnmapping.h"
#include "data/importoptions.h"
#include "data/rawtable.h"

#include <string>
#include <vector>

namespace pairtune {

class SourceText;

// Assigns roles to the columns of a RawTable.
// 1. Columns given in ImportOptions (name, or 0-based index as a string).
// 2. Named columns (header or JSON keys) by their known names: anchor/sentence1/text1/query/question,
//    positive/sentence2/text2/answer/document/passage, negative*, score/label/similarity.
// 3. Headed tables: anchor and positive still missing are filled from the first unknown, non-numeric
//    columns; other unknown columns are ignored (with a warning). JSON objects are never filled by
//    position: their keys must say what they hold.
// 4. Headerless tables: the first two free columns are anchor and positive, the first numeric
//    column after them is the score, the other non-empty columns are hard negatives.
class ColumnMapper
{
public:
    static ColumnMapping map(const SourceText &source, const RawTable &table, const ImportOptions &options,
        std::vector<std::string> &warnings);

    static std::size_t columnCount(const RawTable &table);
    // The column's name: header field or JSON key, else its 0-based index.
    static std::string columnName(const RawTable &table, std::size_t column);
    static bool isNumericColumn(const RawTable &table, std::size_t column);
    static bool isEmptyColumn(const RawTable &table, std::size_t column);
};

} // namespace pairtune
