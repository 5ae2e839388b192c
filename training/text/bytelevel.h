#pragma once

// The ByteLevel pre-tokenizer of Hugging Face tokenizers (GPT-2, RoBERTa, ModernBERT): an optional space
// in front of each piece of text, the GPT-2 split regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// matched by hand (leftmost alternative first, with the backtracking of \s+(?!\S)), and every byte of a
// word written as the printable character GPT-2's bytes_to_unicode gives it ("Ġ" for a space).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pairtune {

// The byte-level character of one byte, as UTF-8 (bytes_to_unicode: printable Latin-1 stays itself, the
// other 68 bytes become U+0100 onwards).
std::string_view byteLevelCharacter(std::uint8_t byte);

// Every byte of bytes as its byte-level character, appended to out.
void appendByteLevel(std::string_view bytes, std::string &out);

// Calls onPiece(begin, end) for each match of the GPT-2 regex in text, in order; the matches cover text.
void splitGpt2(std::u32string_view text, const std::function<void(std::size_t, std::size_t)> &onPiece);

struct ByteLevelPreTokenizer
{
    bool addPrefixSpace = true;
    bool useRegex = true;

    // The byte-level words of one piece of normalized text (UTF-8), appended to words.
    void preTokenize(std::string_view text, const std::function<void(std::string &&)> &onWord) const;
};

} // namespace pairtune
