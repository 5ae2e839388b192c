#pragma once

// Small UTF-8 / code point helpers shared by the WordPiece pipeline. Text inside the tokenizer is
// handled as UTF-32 (one char32_t per code point) so that the per-character rules of the Hugging
// Face normalizers can be applied without re-decoding; vocabulary lookups use UTF-8.

#include <string>
#include <string_view>

namespace pairtune {

// True when bytes is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view bytes);

// Decodes UTF-8, appending to out. Each maximal ill-formed subsequence becomes U+FFFD, like
// Python's errors="replace", so a tokenizer never sees half a character.
void decodeUtf8(std::string_view bytes, std::u32string &out);
std::u32string decodeUtf8(std::string_view bytes);

// text itself when it is valid UTF-8, else with each maximal ill-formed subsequence replaced by U+FFFD
// (as decodeUtf8 does): the text Python's decode(errors="replace") would have given the tokenizer.
std::string toValidUtf8(std::string_view text);

// Decodes the code point at text[pos] and advances pos past it; an ill-formed sequence is U+FFFD.
char32_t nextCodePoint(std::string_view text, std::size_t &pos);
// The code point that ends just before text[end] (valid UTF-8); start is set to its first byte.
char32_t previousCodePoint(std::string_view text, std::size_t end, std::size_t &start);

// Writes the UTF-8 encoding of one code point (assumed valid) to dst, which has room for 4 bytes;
// returns the number of bytes written.
inline std::size_t writeUtf8(char32_t c, char *dst)
{
    if (c < 0x80) {
        dst[0] = static_cast<char>(c);
        return 1;
    }
    if (c < 0x800) {
        dst[0] = static_cast<char>(0xC0 | (c >> 6));
        dst[1] = static_cast<char>(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        dst[0] = static_cast<char>(0xE0 | (c >> 12));
        dst[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        dst[2] = static_cast<char>(0x80 | (c & 0x3F));
        return 3;
    }
    dst[0] = static_cast<char>(0xF0 | (c >> 18));
    dst[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    dst[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    dst[3] = static_cast<char>(0x80 | (c & 0x3F));
    return 4;
}

// Appends the UTF-8 encoding of one code point (assumed valid).
void appendUtf8(std::string &out, char32_t codePoint);
std::string encodeUtf8(std::u32string_view text);

// Rust's char::is_whitespace (the Unicode White_Space property): what HF tokenizers use to split
// words and what regex \s means there. Python's str.isspace is the same set plus U+001C..U+001F.
bool isUnicodeWhitespace(char32_t c);

// Rust regex's Unicode \w: letters, marks, decimal digits, connector punctuation, join controls and
// the few Other_Alphabetic symbols (circled/squared letters). Used by added tokens' single_word.
bool isWordCharacter(char32_t c);

} // namespace pairtune
