#include "data/spreadsheetformatcode.h"

#include <algorithm>
#include <cctype>

namespace pairtune {

namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i])
            return false;
    }
    return true;
}

} // namespace

std::vector<std::string> splitFormatSections(const std::string &code)
{
    std::vector<std::string> sections(1);
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c == ';') {
            sections.emplace_back();
            continue;
        }
        sections.back() += c;
        const char close = c == '"' ? '"' : c == '[' ? ']' : c == '\\' ? '\0' : 0;
        if (c == '\\' && i + 1 < code.size()) {
            sections.back() += code[++i];
        } else if (close) {
            while (++i < code.size() && code[i] != close)
                sections.back() += code[i];
            if (i < code.size())
                sections.back() += code[i];
        }
    }
    return sections;
}

std::vector<FormatToken> tokenizeFormatSection(std::string_view section)
{
    std::vector<FormatToken> tokens;
    const auto literal = [&](std::string text) {
        if (!tokens.empty() && tokens.back().kind == FormatToken::Literal)
            tokens.back().text += text;
        else
            tokens.push_back({ FormatToken::Literal, std::move(text) });
    };
    for (std::size_t i = 0; i < section.size(); ++i) {
        const char c = section[i];
        const char lower = char(std::tolower(static_cast<unsigned char>(c)));
        const std::string_view rest = section.substr(i);
        if (c == '"') {
            const std::size_t end = section.find('"', i + 1);
            literal(std::string(section.substr(i + 1, end == std::string_view::npos ? end : end - i - 1)));
            i = end == std::string_view::npos ? section.size() : end;
        } else if (c == '\\' || c == '_' || c == '*') {
            if (i + 1 < section.size())
                literal(c == '\\' ? std::string(1, section[i + 1]) : c == '_' ? " " : "");
            ++i;
        } else if (c == '[') {
            const std::size_t end = std::min(section.find(']', i), section.size());
            const std::string_view inside = section.substr(i + 1, end - i - 1);
            if (!inside.empty() && inside[0] == '$') // [$€-407]: a currency symbol, then a locale
                literal(std::string(inside.substr(
                    1, inside.find('-') == std::string_view::npos ? inside.npos : inside.find('-') - 1)));
            else if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos)
                tokens.push_back({ FormatToken::Elapsed, std::string(1, char(std::tolower(inside[0]))) });
            i = end; // colours and conditions change nothing in text
        } else if (startsWithNoCase(rest, "general")) {
            tokens.push_back({ FormatToken::General, {} });
            i += 6;
        } else if (startsWithNoCase(rest, "am/pm") || startsWithNoCase(rest, "a/p")) {
            const std::size_t length = startsWithNoCase(rest, "am/pm") ? 5 : 3;
            tokens.push_back({ FormatToken::AmPm, std::string(rest.substr(0, length)) });
            i += length - 1;
        } else if (lower == 'y' || lower == 'm' || lower == 'd' || lower == 'h' || lower == 's') {
            std::string run(1, lower);
            while (
                i + 1 < section.size() && std::tolower(static_cast<unsigned char>(section[i + 1])) == lower)
                run += lower, ++i;
            tokens.push_back({ FormatToken::Date, run });
        } else if (lower == 'e' && i + 1 < section.size()
            && (section[i + 1] == '+' || section[i + 1] == '-')) {
            tokens.push_back({ FormatToken::Exponent, std::string(1, section[++i]) });
        } else if (c == '0' || c == '#' || c == '?') {
            tokens.push_back({ FormatToken::Digit, std::string(1, c) });
        } else if (c == '.' || c == ',' || c == '%' || c == '@' || c == '/') {
            const FormatToken::Kind kind = c == '.' ? FormatToken::Dot
                : c == ','                          ? FormatToken::Comma
                : c == '%'                          ? FormatToken::Percent
                : c == '@'                          ? FormatToken::Text
                                                    : FormatToken::Fraction;
            tokens.push_back({ kind, std::string(1, c) });
        } else {
            literal(std::string(1, c));
        }
    }
    return tokens;
}

} // namespace pairtune
