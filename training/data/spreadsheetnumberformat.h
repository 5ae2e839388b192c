#pragma once

#include <string>

namespace pairtune {

// The format code of an .xlsx built-in number format (ECMA-376 18.8.30) as Excel shows it in an
// en-US locale; "" for ids without one (read as General).
std::string builtinNumberFormat(unsigned id);

// A number as a cell with this format code displays it (en-US separators: '.' and ','): General,
// digit placeholders (0 # ?), thousands separators, percent, scientific, literal text, sections for
// negative and zero values, and dates and times (y m d h s AM/PM, [h] elapsed) from the serial
// day number (1900 system, or 1904 when the workbook says so). Fractions read as General.
std::string formatSheetNumber(double value, const std::string &formatCode, bool date1904 = false);

} // namespace pairtune
