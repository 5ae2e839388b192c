#include "io/jsonfile.h"

#include "core/error.h"
#include "io/fileutil.h"

namespace pairtune {

namespace {

// nlohmann's messages look like "[json.exception.parse_error.101] parse error at line 1, column 5:
// syntax error ..."; its own line/column count bytes, so keep only the explanation and compute the
// position ourselves.
std::string explanation(const char *what)
{
    std::string s = what;
    const auto bracket = s.find("] ");
    if (bracket != std::string::npos)
        s.erase(0, bracket + 2);
    const auto colon = s.find(": ");
    if (s.rfind("parse error", 0) == 0 && colon != std::string::npos)
        s.erase(0, colon + 2);
    return s;
}

} // namespace

nlohmann::json parseJson(std::string_view text, const std::string &pathForMessages)
{
    // 1-based line and column (in characters, not UTF-8 continuation bytes) of a byte offset.
    const auto fail = [&](std::size_t offset, const std::string &message) -> Error {
        if (offset > text.size())
            offset = text.size();
        std::size_t line = 1;
        std::size_t column = 1;
        for (std::size_t i = 0; i < offset; ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c == '\n') {
                ++line;
                column = 1;
            } else if ((c & 0xC0) != 0x80) { // count characters, not UTF-8 continuation bytes
                ++column;
            }
        }
        return Error(locate(pathForMessages, line, column, "invalid JSON: " + message));
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error &e) {
        // e.byte is the 1-based index of the last character read, i.e. the offending one
        // (size+1 at end of input).
        throw fail(e.byte > 0 ? e.byte - 1 : 0, explanation(e.what()));
    } catch (const nlohmann::json::out_of_range &e) {
        // A number too large for a double ("number overflow parsing '1e400'", found by fuzzing):
        // nlohmann gives no position, so point at the first occurrence of the number it names.
        const std::string message = explanation(e.what());
        const auto open = message.find('\'');
        const auto close = message.rfind('\'');
        std::size_t offset = 0;
        if (open != std::string::npos && close > open + 1) {
            const auto at = text.find(std::string_view(message).substr(open + 1, close - open - 1));
            if (at != std::string_view::npos)
                offset = at;
        }
        throw fail(offset, message);
    }
}

nlohmann::json readJsonFile(const std::string &path)
{
    return parseJson(readFileBytes(path), path);
}

std::string dumpJson(const nlohmann::json &j, int indent)
{
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void writeJsonFile(const std::string &path, const nlohmann::json &j, int indent)
{
    std::string text = dumpJson(j, indent);
    text += '\n';
    writeFileAtomic(path, text);
}

} // namespace pairtune
