#include "data/jsonscanner.h"

#include <nlohmann/json.hpp>

namespace pairtune::jsonscanner {

std::size_t skipWhitespace(std::string_view text, std::size_t pos)
{
    while (pos < text.size()
        && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r'))
        ++pos;
    return pos;
}

namespace {

std::size_t skipString(std::string_view text, std::size_t pos)
{
    ++pos; // opening quote
    while (pos < text.size()) {
        if (text[pos] == '\\')
            pos += 2;
        else if (text[pos] == '"')
            return pos + 1;
        else
            ++pos;
    }
    return text.size();
}

} // namespace

std::size_t skipValue(std::string_view text, std::size_t pos)
{
    if (pos >= text.size())
        return pos;
    if (text[pos] == '"')
        return skipString(text, pos);
    if (text[pos] == '[' || text[pos] == '{') {
        std::size_t depth = 0;
        while (pos < text.size()) {
            const char c = text[pos];
            if (c == '"') {
                pos = skipString(text, pos);
                continue;
            }
            if (c == '[' || c == '{')
                ++depth;
            else if (c == ']' || c == '}') {
                if (--depth == 0)
                    return pos + 1;
            }
            ++pos;
        }
        return pos;
    }
    while (pos < text.size() && text[pos] != ',' && text[pos] != ']' && text[pos] != '}' && text[pos] != ' '
        && text[pos] != '\t' && text[pos] != '\n' && text[pos] != '\r')
        ++pos;
    return pos;
}

std::vector<std::size_t> arrayElements(std::string_view text, std::size_t pos)
{
    std::vector<std::size_t> offsets;
    pos = skipWhitespace(text, pos + 1);
    while (pos < text.size() && text[pos] != ']') {
        offsets.push_back(pos);
        pos = skipWhitespace(text, skipValue(text, pos));
        if (pos < text.size() && text[pos] == ',')
            pos = skipWhitespace(text, pos + 1);
    }
    return offsets;
}

std::vector<std::pair<std::string, std::size_t>> objectMembers(std::string_view text, std::size_t pos)
{
    std::vector<std::pair<std::string, std::size_t>> members;
    pos = skipWhitespace(text, pos + 1);
    while (pos < text.size() && text[pos] == '"') {
        const std::size_t keyEnd = skipString(text, pos);
        std::string key = nlohmann::json::parse(text.substr(pos, keyEnd - pos)).get<std::string>();
        pos = skipWhitespace(text, keyEnd);
        pos = skipWhitespace(text, pos + 1); // ':'
        members.emplace_back(std::move(key), pos);
        pos = skipWhitespace(text, skipValue(text, pos));
        if (pos < text.size() && text[pos] == ',')
            pos = skipWhitespace(text, pos + 1);
    }
    return members;
}

} // namespace pairtune::jsonscanner
