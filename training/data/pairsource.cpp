#include "data/pairsource.h"

namespace pairtune {

ImportedTable importSource(const PairSource &source, const ImportOptions &options, std::size_t maxRows)
{
    if (source.bytes)
        return TableImporter::read(SourceText::fromBytes(source.path, *source.bytes), options, maxRows);
    if (source.sheet.empty())
        return TableImporter::read(source.path, options, maxRows);
    ImportOptions forSheet = options;
    forSheet.sheet = source.sheet;
    return TableImporter::read(source.path, forSheet, maxRows);
}

} // namespace pairtune
