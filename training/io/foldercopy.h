#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pairtune {

// Called before each file is copied, with its source path and size: for progress, and to stop the copy
// by throwing (a cancel).
using BeforeFileCopy = std::function<void(const std::string &path, std::uintmax_t bytes)>;

// Copies everything inside the folder `from` into the folder `to` (created when missing), file by file
// through copyFileAtomic, so a full disk is reported as such and names the file (std::filesystem::copy
// says "Input/output error"). Throws Error (Kind::Io).
void copyFolderContents(
    const std::string &from, const std::string &to, const BeforeFileCopy &beforeFile = {});

// The bytes of every regular file under folder (for the progress of a copy).
std::uintmax_t folderBytes(const std::string &folder);

} // namespace pairtune
