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
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error &e) {
        // e.byte is the 1-based index of the last character read, i.e. the offending one
        // (size+1 at end of input).
        std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
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
        throw Error(locate(pathForMessages, line, column, "invalid JSON: " + explanation(e.what())));
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
