#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// One piece of a number format code section ("#,##0.00", "yyyy\\-mm\\-dd", "[Red]0.0%").
struct FormatToken
{
    enum Kind { Literal, Digit, Dot, Comma, Percent, Exponent, Date, Elapsed, AmPm, General, Fraction, Text };
    Kind kind;
    std::string
        text; // Literal: the text; Digit: "0", "#" or "?"; Date/Elapsed: "yyyy", "h", ...; AmPm: as written
};

// Splits "pos;neg;zero;text" at the semicolons that are not quoted, escaped or bracketed.
std::vector<std::string> splitFormatSections(const std::string &code);

// The tokens of one section: quoted text, escapes, _x spacers and *x fills become literals,
// [$€-407] its currency symbol; colours, conditions and locale tags are dropped.
std::vector<FormatToken> tokenizeFormatSection(std::string_view section);

} // namespace pairtune
