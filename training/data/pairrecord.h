#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// One training example: an anchor text, its positive, optional hard negatives and an optional score.
// All texts are valid UTF-8 (checked at import). Every record of a dataset has the same number of
// negatives and either all records have a score or none does.
struct PairRecord
{
    std::string anchor;
    std::string positive;
    std::vector<std::string> negatives;
    std::optional<float> score;
    std::size_t sourceLine = 0; // 1-based line where the record starts in its file
    std::size_t sourceFile = 0; // index into PairDataset::sourcePaths()
};

} // namespace pairtune
