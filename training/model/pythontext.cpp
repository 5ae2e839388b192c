#include "model/pythontext.h"

#include "text/utf8.h"

#include <utf8proc.h>

namespace pairtune {
namespace {

// Python's Py_UNICODE_ISSPACE (bidirectional class WS, B or S, or category Zs): the Unicode White_Space
// property plus U+001C..U+001F, the information separators (bidi class B or S), which Python counts.
bool isPythonSpace(char32_t c)
{
    return (c >= 0x1C && c <= 0x1F) || isUnicodeWhitespace(c);
}

bool isCased(char32_t c)
{
    const auto cat = utf8proc_category(utf8proc_int32_t(c));
    if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT)
        return true;
    return utf8proc_tolower(utf8proc_int32_t(c)) != utf8proc_int32_t(c)
        || utf8proc_toupper(utf8proc_int32_t(c)) != utf8proc_int32_t(c);
}

// Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk and the Word_Break MidLetter / MidNumLet /
// Single_Quote characters.
bool isCaseIgnorable(char32_t c)
{
    switch (c) {
    case 0x27:
    case 0x2E:
    case 0x3A:
    case 0xB7:
    case 0x387:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
        return true;
    default:
        break;
    }
    const auto cat = utf8proc_category(utf8proc_int32_t(c));
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF
        || cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

// Python's handle_capital_sigma: Σ lowers to ς after a cased letter and not before one
// (case-ignorable characters are skipped both ways).
bool isFinalSigma(const std::u32string &s, std::size_t i)
{
    std::size_t j = i;
    bool casedBefore = false;
    while (j > 0) {
        const char32_t c = s[--j];
        if (isCaseIgnorable(c))
            continue;
        casedBefore = isCased(c);
        break;
    }
    if (!casedBefore)
        return false;
    for (j = i + 1; j < s.size(); ++j) {
        if (isCaseIgnorable(s[j]))
            continue;
        return !isCased(s[j]);
    }
    return true;
}

} // namespace

std::size_t pythonLength(std::string_view utf8)
{
    return decodeUtf8(utf8).size();
}

std::string pythonStrip(std::string_view utf8)
{
    const std::u32string s = decodeUtf8(utf8);
    std::size_t begin = 0, end = s.size();
    while (begin < end && isPythonSpace(s[begin]))
        ++begin;
    while (end > begin && isPythonSpace(s[end - 1]))
        --end;
    if (begin == 0 && end == s.size() && isValidUtf8(utf8))
        return std::string(utf8);
    return encodeUtf8(std::u32string_view(s).substr(begin, end - begin));
}

std::string pythonLower(std::string_view utf8)
{
    const std::u32string s = decodeUtf8(utf8);
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char32_t c = s[i];
        if (c < 0x80) {
            out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else if (c == 0x130) {
            out += U"i\u0307"; // the one unconditional multi-character lowercase mapping
        } else if (c == 0x3A3) {
            out.push_back(isFinalSigma(s, i) ? char32_t(0x3C2) : char32_t(0x3C3));
        } else {
            out.push_back(char32_t(utf8proc_tolower(utf8proc_int32_t(c))));
        }
    }
    return encodeUtf8(out);
}

} // namespace pairtune
