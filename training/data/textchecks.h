#pragma once

#include <functional>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace pairtune {

// Whitespace as the tokenizers see it: ASCII space and control whitespace plus the Unicode spaces
// that turn up in exported data (no-break space, en/em spaces, ideographic space, zero-width space
// and a stray byte-order mark). A text made only of these tokenizes to nothing.
bool isBlankText(std::string_view text);

// The text without leading and trailing ASCII whitespace.
std::string_view trimAscii(std::string_view text);

// A set of (anchor, positive) views for duplicate checks; the texts must outlive it.
struct TextPairHash
{
    std::size_t operator()(const std::pair<std::string_view, std::string_view> &pair) const noexcept
    {
        const std::size_t first = std::hash<std::string_view>()(pair.first);
        return first
            ^ (std::hash<std::string_view>()(pair.second) + 0x9e3779b97f4a7c15ULL + (first << 6)
                + (first >> 2));
    }
};
using TextPairSet = std::unordered_set<std::pair<std::string_view, std::string_view>, TextPairHash>;

} // namespace pairtune
