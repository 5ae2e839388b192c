#include "data/jsonlreader.h"

#include "data/jsonrowbuilder.h"
#include "data/jsonscanner.h"
#include "data/sourcetext.h"

namespace pairtune {

RawTable JsonlReader::read(const SourceText &source, std::size_t maxRows)
{
    JsonRowBuilder builder(source, "jsonl");
    const std::string_view text = source.text();
    for (std::size_t line = 1; line <= source.lineCount() && builder.rowCount() < maxRows; ++line) {
        const std::size_t end = source.lineEnd(line);
        const std::size_t begin = jsonscanner::skipWhitespace(text.substr(0, end), source.lineStart(line));
        if (begin >= end)
            continue;
        const std::string_view slice = text.substr(begin, end - begin);
        nlohmann::ordered_json value;
        try {
            value = nlohmann::ordered_json::parse(slice);
        } catch (const nlohmann::json::parse_error &error) {
            const char *what = slice.front() == '{' ? "object" : slice.front() == '[' ? "array" : "value";
            JsonRowBuilder::failParse(source, error, begin, end,
                std::string("truncated JSON ") + what
                    + ": the line ends before it is closed (JSON Lines needs one complete "
                      "value per line)");
        } catch (const nlohmann::json::out_of_range &) {
            // nlohmann's only out_of_range while parsing (found by fuzzing).
            source.failAtLine(begin, "a number too large for a double");
        }
        builder.add(value, begin);
    }
    return builder.finish();
}

} // namespace pairtune
