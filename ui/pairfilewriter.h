#pragma once

#include <string>

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

// Writes pairs as JSON Lines with the column names the importer recognises ("anchor", "positive",
// "negative_1", ..., "score"), so the trainer reads back exactly these records. Used when the user
// cleaned the data or mapped columns in the studio: the trainer takes file paths, so the cleaned pairs
// are trained from this file (which stays next to the run for reproducibility).
// Writes atomically (temporary name, then rename); throws pairtune::Error on I/O failure.
void writePairsJsonl(const PairDataset &dataset, const std::string &path);

} // namespace pairtune::ui
