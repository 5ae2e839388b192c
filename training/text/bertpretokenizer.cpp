#include "text/bertpretokenizer.h"

#include <utf8proc.h>

namespace pairtune {

bool BertPreTokenizer::isPunctuation(char32_t c)
{
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return true;
    default:
        return false;
    }
}

std::vector<std::u32string_view> BertPreTokenizer::split(std::u32string_view text)
{
    std::vector<std::u32string_view> words;
    split(text, [&](std::u32string_view word) { words.push_back(word); });
    return words;
}

} // namespace pairtune
