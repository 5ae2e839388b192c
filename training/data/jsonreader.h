#pragma once

#include "data/rawtable.h"

#include <cstddef>
#include <limits>

namespace pairtune {

class SourceText;

// One JSON document holding the pairs as
//   [{"anchor": "...", "positive": "..."}, ...]        (pandas orient="records")
//   [["anchor text", "positive text", 0.8], ...]
//   {"data": [...]}                                      (one array member holding either of the above)
//   {"anchor": ["...", ...], "positive": ["...", ...]}   (columns of equal length, Dataset.to_dict())
class JsonReader
{
public:
    static RawTable read(
        const SourceText &source, std::size_t maxRows = std::numeric_limits<std::size_t>::max());
};

} // namespace pairtune
