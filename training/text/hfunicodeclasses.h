#pragma once

// The character classes (and a few lowercase mappings) Hugging Face tokenizers' BERT normalizer and
// pre-tokenizer use, as the library itself draws them. It takes them from the Rust crate unicode_categories,
// whose tables predate Unicode 10, so characters Unicode added or re-categorised since (e.g. U+1ACA, a
// combining mark of Unicode 14, or U+166D, punctuation until Unicode 12) are treated as they were then. The
// tables are generated from the library's behaviour, dumped per code point
// (scripts/gen_hf_unicode_tables.py; tests/data/text_wordpiece/hf-bert-unicode.json), and
// tst_wordpieceunicode checks every code point against that dump.

#include <algorithm>
#include <array>

namespace pairtune::hfunicode {

struct CodePointRange
{
    char32_t first;
    char32_t last;
};

struct CodePointMapping
{
    char32_t from;
    char32_t to;
};

#include "text/hfunicodetables.inc"

template <std::size_t N> bool contains(const std::array<CodePointRange, N> &ranges, char32_t c)
{
    const auto after = std::upper_bound(ranges.begin(), ranges.end(), c,
        [](char32_t value, const CodePointRange &r) { return value < r.first; });
    return after != ranges.begin() && c <= std::prev(after)->last;
}

// clean_text drops it (Cc, Cf, Co of the old tables, except \t \n \r; also NUL).
inline bool isControl(char32_t c)
{
    return contains(kHfControl, c);
}

// strip_accents drops it after NFD (Mn of the old tables).
inline bool isAccentMark(char32_t c)
{
    return contains(kHfAccentMarks, c);
}

// The library's NFD leaves it whole (a decomposition newer than its tables).
inline bool isNotDecomposed(char32_t c)
{
    return contains(kHfNotDecomposed, c);
}

// BertPreTokenizer isolates it (P* of the old tables; ASCII punctuation is decided separately).
inline bool isPunctuation(char32_t c)
{
    return contains(kHfPunctuation, c);
}

} // namespace pairtune::hfunicode

namespace pairtune::hfunicode {

// The lowercase of characters newer than utf8proc's tables (Rust's to_lowercase follows a newer
// Unicode); 0 when the table has none.
inline char32_t newLowercase(char32_t c)
{
    const auto it = std::lower_bound(kHfNewLowercase.begin(), kHfNewLowercase.end(), c,
        [](const CodePointMapping &m, char32_t value) { return m.from < value; });
    return it != kHfNewLowercase.end() && it->from == c ? it->to : 0;
}

} // namespace pairtune::hfunicode
