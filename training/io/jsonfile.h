#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace pairtune {

// Reads and parses a JSON file. Syntax errors become Error("path:line:column: message"), with the
// line and column (1-based, column counted in characters) of the offending character.
nlohmann::json readJsonFile(const std::string &path);

// Parses JSON text; errors name `pathForMessages` exactly as readJsonFile does.
nlohmann::json parseJson(std::string_view text, const std::string &pathForMessages);

// Writes `j` atomically (see writeFileAtomic) with a trailing newline. Non-ASCII text is written as
// UTF-8, never as \u escapes; invalid UTF-8 in strings is replaced by U+FFFD rather than failing.
// indent < 0 writes compact JSON.
void writeJsonFile(const std::string &path, const nlohmann::json &j, int indent);

// The text writeJsonFile would write, without the trailing newline.
std::string dumpJson(const nlohmann::json &j, int indent);

} // namespace pairtune
