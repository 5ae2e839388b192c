#pragma once

#include <string>

namespace pairtune {

// Resolves a --base argument: "builtin" becomes the folder of the model that ships with Pairtune,
// wherever the program runs from (PAIRTUNE_BUILTIN_MODEL, the install prefix's share/pairtune,
// or the source tree); anything else must be an existing folder.
std::string resolveBaseModel(const std::string &base);

// The folder of Pairtune's shipped resources (sample data, built-in model), or "" when not found.
std::string resourcesFolder();

} // namespace pairtune
