#include "text/bertpretokenizer.h"

#include "text/hfunicodeclasses.h"

namespace pairtune {

bool BertPreTokenizer::isPunctuation(char32_t c)
{
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    return hfunicode::isPunctuation(c);
}

std::vector<std::u32string_view> BertPreTokenizer::split(std::u32string_view text)
{
    std::vector<std::u32string_view> words;
    split(text, [&](std::u32string_view word) { words.push_back(word); });
    return words;
}

} // namespace pairtune
