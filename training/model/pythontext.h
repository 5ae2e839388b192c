#pragma once

// The string operations SentenceTransformer.encode() applies before tokenizing (docs/formats.md §3.4),
// with Python's exact semantics: len() counts code points, strip() removes str.isspace() characters,
// lower() is str.lower() (full case mapping, final sigma).

#include <cstddef>
#include <string>
#include <string_view>

namespace pairtune {

std::size_t pythonLength(std::string_view utf8);
std::string pythonStrip(std::string_view utf8);
std::string pythonLower(std::string_view utf8);

} // namespace pairtune
