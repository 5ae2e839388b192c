#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pairtune {

// The options of HF tokenizers' BertNormalizer, as tokenizer.json stores them.
struct BertNormalizerOptions
{
    bool cleanText = true;
    bool handleChineseChars = true;
    std::optional<bool> stripAccents; // unset = follow lowercase (tokenizer.json null)
    bool lowercase = true;

    // HF tokenizers' Lowercase normalizer (Rust char::to_lowercase per code point) is BertNormalizer's
    // last step alone.
    static BertNormalizerOptions lowercaseOnly() { return { false, false, false, true }; }
};

// BertNormalizer with the *fast* tokenizer's semantics (docs/formats.md §4.2), applied per code point in
// this order: clean_text (drop NUL, U+FFFD and category Cc/Cf/Co except \t\n\r; map White_Space to a
// space), handle_chinese_chars (spaces around the fast CJK ranges), strip_accents (NFD, then drop
// category Mn), lowercase (Rust char::to_lowercase, no context rules). Stripping runs *before*
// lowercasing, which is what makes 'İ' come out as a plain 'i'. The categories are the library's own,
// older ones (hfunicodeclasses.h), so every code point comes out as it does in Python.
class BertNormalizer
{
public:
    explicit BertNormalizer(const BertNormalizerOptions &options = {});

    const BertNormalizerOptions &options() const { return m_options; }
    bool stripsAccents() const { return m_stripAccents; }

    // Appends the normalized form of text to out (out may already hold text; it is kept).
    void normalize(std::u32string_view text, std::u32string &out) const;
    std::u32string normalize(std::u32string_view text) const;

    // The character classes of normalizers/bert.rs.
    static bool isControl(char32_t c); // "Other" (Cc, Cf, Co of the library's tables) but not \t \n \r
    static bool isWhitespace(char32_t c); // \t \n \r or White_Space
    static bool isChineseChar(char32_t c); // CJK ideograph ranges, Extension E from U+2B920

private:
    void finishNonAscii(std::u32string &out, std::size_t begin, bool needsReorder) const;

    BertNormalizerOptions m_options;
    bool m_stripAccents;
    std::array<std::int32_t, 128> m_ascii; // each ASCII character's normalized form, -1 = dropped
};

} // namespace pairtune
