#pragma once

#include <string_view>

namespace pairtune {

// Whitespace as the tokenizers see it: ASCII space and control whitespace plus the Unicode spaces
// that turn up in exported data (no-break space, en/em spaces, ideographic space, zero-width space
// and a stray byte-order mark). A text made only of these tokenizes to nothing.
bool isBlankText(std::string_view text);

// The text without leading and trailing ASCII whitespace.
std::string_view trimAscii(std::string_view text);

} // namespace pairtune
