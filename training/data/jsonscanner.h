#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pairtune {

// Finds where values start inside JSON text that has already parsed successfully, so errors about
// a row or a value can name its line and column (nlohmann::json keeps no positions).
// All offsets are absolute offsets into the text given.
namespace jsonscanner {

std::size_t skipWhitespace(std::string_view text, std::size_t pos);
// The offset just past the value starting at pos.
std::size_t skipValue(std::string_view text, std::size_t pos);
// Offsets of the elements of the array whose '[' is at pos.
std::vector<std::size_t> arrayElements(std::string_view text, std::size_t pos);
// Decoded keys and value offsets of the object whose '{' is at pos.
std::vector<std::pair<std::string, std::size_t>> objectMembers(std::string_view text, std::size_t pos);

} // namespace jsonscanner

} // namespace pairtune
