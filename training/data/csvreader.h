#pragma once

#include "data/rawtable.h"

#include <cstddef>
#include <limits>

namespace pairtune {

class SourceText;

// Delimited text: RFC 4180 fields (quoted fields may hold delimiters, doubled quotes and line
// breaks), records ending at LF, CRLF or CR, blank lines skipped.
// Strict quoting (CSV): a quote inside an unquoted field, text after a closing quote and a quote
// that is never closed are errors. Lenient quoting (TSV): a field is quoted only when it starts
// with a quote and parses as a complete quoted field; otherwise quotes are ordinary text, as
// csv.QUOTE_NONE readers (the sentence-transformers examples) read TSV.
class CsvReader
{
public:
    enum class Quoting { Strict, Lenient };

    // The first maxRows records (all by default); no header handling here.
    static RawTable read(const SourceText &source, char delimiter, Quoting quoting,
        std::size_t maxRows = std::numeric_limits<std::size_t>::max());

    // Chooses among tab, ',' and ';' from the first records: a header of known names decides at
    // once; otherwise the delimiter that splits most records into the same number (>= 2) of fields
    // wins, ties going to tab, then ',', then ';'. Returns 0 when none splits the first record.
    static char sniffDelimiter(const SourceText &source);
};

} // namespace pairtune
