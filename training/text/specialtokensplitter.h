#pragma once

// Splits text on the special (added) tokens of an XLM-R tokenizer before the model sees it, as both
// the Hugging Face fast tokenizer (AddedVocabulary) and the slow one (tokenize()'s trie) do: "<s>",
// "</s>", "<mask>" ... written in a text become that one token. Leftmost-longest matching on the raw
// text; lstrip/rstrip tokens (XLM-R's <mask> has lstrip) swallow the whitespace beside them.
// Also holds the small UTF-8 helpers the two XLM-R tokenizers share.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

struct SpecialToken
{
    std::string content;
    std::int64_t id = 0;
    bool lstrip = false;
    bool rstrip = false;
    bool singleWord = false;
    bool normalized = false; // matched on the normalized text in the fast tokenizer (see split())
    bool special = true; // a special token (skipped when decoding); non-special added tokens split too
};

// A piece of the input: ordinary text (tokenId < 0) or one special token.
struct TextSegment
{
    std::string_view text;
    std::int64_t tokenId = -1;
    std::size_t offset = 0; // byte offset in the input
};

class SpecialTokenSplitter
{
public:
    SpecialTokenSplitter() = default;
    explicit SpecialTokenSplitter(std::vector<SpecialToken> tokens);

    const std::vector<SpecialToken> &tokens() const { return m_tokens; }

    // Ordinary segments are never empty. text must be valid UTF-8. All tokens are matched on the raw
    // text; the fast tokenizer matches "normalized" added tokens on normalized text instead, which
    // only differs when normalization changes the token's own characters (never for XLM-R's).
    std::vector<TextSegment> split(std::string_view text) const;

    // Rust's char::is_whitespace (Unicode White_Space), which the fast tokenizer uses for lstrip,
    // rstrip and the Strip normalizer.
    static bool isWhitespace(char32_t c);

    // text with every invalid UTF-8 sequence replaced by U+FFFD, as Python's decode(errors="replace")
    // would have given the tokenizer (Python strings are always valid).
    static std::string toValidUtf8(std::string_view text);

    // Decodes the code point at pos (valid UTF-8) and advances pos.
    static char32_t nextCodepoint(std::string_view text, std::size_t &pos);
    // The code point ending just before pos (valid UTF-8), and its start.
    static char32_t previousCodepoint(std::string_view text, std::size_t end, std::size_t &start);

private:
    std::vector<SpecialToken> m_tokens;
};

} // namespace pairtune
