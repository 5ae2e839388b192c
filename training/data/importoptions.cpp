#include "data/importoptions.h"

#include "core/error.h"

#include <algorithm>
#include <cctype>

namespace pairtune {

std::string formatName(ImportOptions::Format format)
{
    switch (format) {
    case ImportOptions::Format::Auto:
        return "auto";
    case ImportOptions::Format::Tsv:
        return "tsv";
    case ImportOptions::Format::Csv:
        return "csv";
    case ImportOptions::Format::Jsonl:
        return "jsonl";
    case ImportOptions::Format::Json:
        return "json";
    }
    return "auto";
}

ImportOptions::Format formatFromName(const std::string &name)
{
    std::string lower = name;
    std::transform(
        lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (auto format : { ImportOptions::Format::Auto, ImportOptions::Format::Tsv, ImportOptions::Format::Csv,
             ImportOptions::Format::Jsonl, ImportOptions::Format::Json }) {
        if (formatName(format) == lower)
            return format;
    }
    if (lower == "ndjson")
        return ImportOptions::Format::Jsonl;
    throw Error("unknown data format \"" + name + "\"; expected auto, tsv, csv, jsonl or json");
}

} // namespace pairtune
