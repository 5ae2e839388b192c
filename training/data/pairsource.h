#pragma once

#include "data/importoptions.h"
#include "data/tableimporter.h"

#include <limits>
#include <optional>
#include <string>

namespace pairtune {

// Where one part of the pair data comes from: a file, or text held in memory (cells pasted into the
// studio) under a name that messages use as they use a file name ("pasted-1.tsv:3: empty text").
// The name's extension picks the format as a file's would, so the same text saved under that name
// reads back to the same pairs.
struct PairSource
{
    std::string path; // the file, or the in-memory text's name
    std::optional<std::string> bytes; // set: read these bytes, never the file system
    std::string sheet; // a workbook's sheet for this source alone; empty: ImportOptions::sheet

    static PairSource file(std::string path) { return { std::move(path), std::nullopt, {} }; }
    static PairSource inMemory(std::string name, std::string bytes)
    {
        return { std::move(name), std::move(bytes), {} };
    }
    bool isInMemory() const { return bytes.has_value(); }
};

// TableImporter::read for either kind of source.
ImportedTable importSource(const PairSource &source, const ImportOptions &options,
    std::size_t maxRows = std::numeric_limits<std::size_t>::max());

} // namespace pairtune
