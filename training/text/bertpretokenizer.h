#pragma once

#include "text/utf8.h"

#include <array>
#include <string_view>
#include <vector>

namespace pairtune {

namespace bertpretokenizer {

enum class CharClass : unsigned char { Word, Space, Punctuation };

constexpr std::array<CharClass, 128> asciiClasses()
{
    std::array<CharClass, 128> classes {};
    for (char32_t c = 0; c < 128; ++c) {
        if (c == ' ' || (c >= 0x09 && c <= 0x0D))
            classes[c] = CharClass::Space;
        else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
            || (c >= 123 && c <= 126))
            classes[c] = CharClass::Punctuation;
    }
    return classes;
}

inline constexpr std::array<CharClass, 128> kAsciiClasses = asciiClasses();

} // namespace bertpretokenizer

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

private:
    using CharClass = bertpretokenizer::CharClass;

    static CharClass classify(char32_t c)
    {
        if (c < 128)
            return bertpretokenizer::kAsciiClasses[c];
        if (isUnicodeWhitespace(c))
            return CharClass::Space;
        return isPunctuation(c) ? CharClass::Punctuation : CharClass::Word;
    }
};

template <typename OnWord> void BertPreTokenizer::split(std::u32string_view text, OnWord &&onWord)
{
    std::size_t wordStart = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const CharClass cls = classify(text[i]);
        if (cls == CharClass::Word)
            continue;
        if (i > wordStart)
            onWord(text.substr(wordStart, i - wordStart));
        if (cls == CharClass::Punctuation)
            onWord(text.substr(i, 1));
        wordStart = i + 1;
    }
    if (text.size() > wordStart)
        onWord(text.substr(wordStart));
}

} // namespace pairtune
