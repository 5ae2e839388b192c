#pragma once

#include "text/utf8.h"

#include <string_view>
#include <vector>

namespace pairtune {

// HF tokenizers' BertPreTokenizer: split on White_Space (the delimiter is dropped), then isolate
// every punctuation character (ASCII punctuation, which includes symbols such as $ + < = > ^ ` | ~,
// or Unicode category P*) as a word of its own.
class BertPreTokenizer
{
public:
    static bool isPunctuation(char32_t c);

    // Calls onWord(std::u32string_view) for every word of text, in order. Never yields empty words.
    template <typename OnWord> static void split(std::u32string_view text, OnWord &&onWord);

    static std::vector<std::u32string_view> split(std::u32string_view text);
};

template <typename OnWord> void BertPreTokenizer::split(std::u32string_view text, OnWord &&onWord)
{
    std::size_t wordStart = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (isUnicodeWhitespace(c)) {
            if (i > wordStart)
                onWord(text.substr(wordStart, i - wordStart));
            wordStart = i + 1;
        } else if (isPunctuation(c)) {
            if (i > wordStart)
                onWord(text.substr(wordStart, i - wordStart));
            onWord(text.substr(i, 1));
            wordStart = i + 1;
        }
    }
    if (text.size() > wordStart)
        onWord(text.substr(wordStart));
}

} // namespace pairtune
