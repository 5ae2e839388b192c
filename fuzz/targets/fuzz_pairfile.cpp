// Pair-file import on arbitrary bytes: encoding checks, format sniffing (by extension and by content),
// TSV/CSV/JSONL/JSON readers, header and column-role detection, record building, the dataset's fixes
// and the data report. The first byte picks the import options, the rest is the file.

#include "core/error.h"
#include "data/datareport.h"
#include "data/pairdataset.h"
#include "data/recordbuilder.h"
#include "data/sourcetext.h"
#include "data/tableimporter.h"
#include "fuzzsupport.h"

#include <array>

using namespace pairtune;

namespace {

// The file name decides Auto's guess: no extension sends it to content sniffing.
constexpr std::array<const char *, 6> kNames
    = { "pairs", "pairs.tsv", "pairs.csv", "pairs.jsonl", "pairs.json", "pairs.txt" };
constexpr std::array<ImportOptions::Format, 5> kFormats
    = { ImportOptions::Format::Auto, ImportOptions::Format::Tsv, ImportOptions::Format::Csv,
          ImportOptions::Format::Jsonl, ImportOptions::Format::Json };

ImportOptions optionsFrom(std::uint8_t selector)
{
    ImportOptions options;
    // Auto most of the time: that is what users get, and it exercises the sniffing.
    options.format
        = (selector & 0x80) ? kFormats[(selector >> 4) % kFormats.size()] : ImportOptions::Format::Auto;
    options.header = static_cast<ImportOptions::Header>((selector >> 2) % 3);
    if ((selector & 0x3) == 1)
        options.delimiter = ';';
    else if ((selector & 0x3) == 2)
        options.delimiter = ',';
    if (selector == 0x7f) {
        // Named columns that may or may not exist.
        options.anchorColumn = "query";
        options.positiveColumn = "1";
        options.scoreColumn = "score";
        options.negativeColumns = { "2", "negative" };
    }
    // Small limit so the "text too long" path is reachable with small inputs.
    if (selector & 0x40)
        options.maxTextBytes = 64;
    return options;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    if (size == 0)
        return 0;
    const ImportOptions options = optionsFrom(data[0]);
    const std::string name = kNames[(data[0] >> 1) % kNames.size()];
    try {
        const ImportedTable imported = TableImporter::read(
            SourceText::fromBytes(name, std::string(fuzz::asText(data + 1, size - 1))), options);
        std::vector<PairRecord> records = RecordBuilder::build(imported, options.maxTextBytes, 0);
        PairDataset dataset = PairDataset::fromRecords(std::move(records));
        const auto wordCount = [](std::string_view text) { return text.size() / 4 + 2; };
        const DataReport report = buildReport(dataset, wordCount, 16);
        (void)toJson(report).dump();
        (void)formatReport(report);
        const std::size_t before = dataset.size();
        const std::size_t removed
            = dataset.dropEmpty() + dataset.dropDuplicates() + dataset.dropIdenticalSides();
        fuzz::check(dataset.size() + removed == before, "the drop* fixes account for every removed record");
    } catch (const Error &) {
        // A readable message for a person: the expected answer to bad input.
    }
    return 0;
}
