#include "text/utf8.h"

#include <utf8proc.h>

namespace pairtune {

namespace {

// Length of the sequence a lead byte announces and the allowed range of its second byte
// (Unicode Table 3-7, "well-formed UTF-8 byte sequences"). length 0 = not a lead byte.
struct LeadInfo
{
    int length;
    unsigned char secondMin;
    unsigned char secondMax;
};

LeadInfo leadInfo(unsigned char b)
{
    if (b < 0x80)
        return { 1, 0, 0 };
    if (b >= 0xC2 && b <= 0xDF)
        return { 2, 0x80, 0xBF };
    if (b == 0xE0)
        return { 3, 0xA0, 0xBF };
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
        return { 3, 0x80, 0xBF };
    if (b == 0xED)
        return { 3, 0x80, 0x9F };
    if (b == 0xF0)
        return { 4, 0x90, 0xBF };
    if (b >= 0xF1 && b <= 0xF3)
        return { 4, 0x80, 0xBF };
    if (b == 0xF4)
        return { 4, 0x80, 0x8F };
    return { 0, 0, 0 };
}

// Decodes one code point at bytes[i]; returns the number of bytes consumed (>= 1) and sets ok to
// false (with the maximal ill-formed prefix consumed) when the sequence is broken.
std::size_t decodeOne(std::string_view bytes, std::size_t i, char32_t &cp, bool &ok)
{
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const LeadInfo info = leadInfo(b0);
    ok = false;
    if (info.length == 1) {
        cp = b0;
        ok = true;
        return 1;
    }
    if (info.length == 0)
        return 1;
    char32_t value = b0 & (0xFF >> (info.length + 1));
    for (int k = 1; k < info.length; ++k) {
        if (i + k >= bytes.size())
            return k;
        const auto b = static_cast<unsigned char>(bytes[i + k]);
        const unsigned char lo = k == 1 ? info.secondMin : 0x80;
        const unsigned char hi = k == 1 ? info.secondMax : 0xBF;
        if (b < lo || b > hi)
            return k;
        value = (value << 6) | (b & 0x3F);
    }
    cp = value;
    ok = true;
    return static_cast<std::size_t>(info.length);
}

} // namespace

bool isValidUtf8(std::string_view bytes)
{
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) < 0x80) {
            ++i;
            continue;
        }
        char32_t cp = 0;
        bool ok = false;
        i += decodeOne(bytes, i, cp, ok);
        if (!ok)
            return false;
    }
    return true;
}

void decodeUtf8(std::string_view bytes, std::u32string &out)
{
    // Never more code points than bytes: write through a pointer, trim at the end.
    const std::size_t begin = out.size();
    out.resize(begin + bytes.size());
    char32_t *write = out.data() + begin;
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b < 0x80) {
            *write++ = b;
            ++i;
            continue;
        }
        char32_t cp = 0;
        bool ok = false;
        i += decodeOne(bytes, i, cp, ok);
        *write++ = ok ? cp : U'\uFFFD';
    }
    out.resize(static_cast<std::size_t>(write - out.data()));
}

std::u32string decodeUtf8(std::string_view bytes)
{
    std::u32string out;
    decodeUtf8(bytes, out);
    return out;
}

std::string toValidUtf8(std::string_view text)
{
    return isValidUtf8(text) ? std::string(text) : encodeUtf8(decodeUtf8(text));
}

char32_t nextCodePoint(std::string_view text, std::size_t &pos)
{
    char32_t cp = 0;
    bool ok = false;
    pos += decodeOne(text, pos, cp, ok);
    return ok ? cp : U'\uFFFD';
}

char32_t previousCodePoint(std::string_view text, std::size_t end, std::size_t &start)
{
    start = end;
    while (start > 0) {
        --start;
        if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80)
            break; // a lead byte (or ASCII), not a continuation byte
    }
    std::size_t pos = start;
    return nextCodePoint(text, pos);
}

void appendUtf8(std::string &out, char32_t c)
{
    char buffer[4];
    out.append(buffer, writeUtf8(c, buffer));
}

std::string encodeUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char32_t c : text)
        appendUtf8(out, c);
    return out;
}

bool isUnicodeWhitespace(char32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    switch (c) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

bool isWordCharacter(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (c == 0x200C || c == 0x200D)
        return true;
    // Other_Alphabetic symbols (category So) that \w still counts as letters.
    if ((c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169)
        || (c >= 0x1F170 && c <= 0x1F189))
        return true;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return false;
    }
}

} // namespace pairtune
