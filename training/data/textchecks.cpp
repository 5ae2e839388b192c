#include "data/textchecks.h"

namespace pairtune {

namespace {

// Length of the Unicode space at the start of text, 0 when it is not one.
std::size_t spaceLength(std::string_view text)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const char c = text[0];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    if (text.size() >= 2 && byte(0) == 0xC2 && (byte(1) == 0xA0 || byte(1) == 0x85))
        return 2; // U+00A0, U+0085
    if (text.size() >= 3) {
        if (byte(0) == 0xE2 && byte(1) == 0x80
            && (byte(2) <= 0x8B || byte(2) == 0xA8 || byte(2) == 0xA9 || byte(2) == 0xAF))
            return 3; // U+2000..U+200B, U+2028, U+2029, U+202F
        if (byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F)
            return 3; // U+205F
        if (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80)
            return 3; // U+3000
        if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF)
            return 3; // U+FEFF
    }
    return 0;
}

} // namespace

bool isBlankText(std::string_view text)
{
    while (!text.empty()) {
        const std::size_t length = spaceLength(text);
        if (length == 0)
            return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string_view trimAscii(std::string_view text)
{
    const auto isSpace
        = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

} // namespace pairtune
