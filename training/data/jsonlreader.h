#pragma once

#include "data/rawtable.h"

#include <cstddef>
#include <limits>

namespace pairtune {

class SourceText;

// JSON Lines: one JSON object (or array of texts) per line; blank lines are skipped. A line that
// ends before its value is closed is reported as truncated (a cut-off download or export).
class JsonlReader
{
public:
    static RawTable read(
        const SourceText &source, std::size_t maxRows = std::numeric_limits<std::size_t>::max());
};

} // namespace pairtune
