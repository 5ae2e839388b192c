#pragma once

#include <string>
#include <vector>

namespace pairtune {

// Reads one UTF-8 text per line from a file, or from stdin when path is "-": a trailing "\r" and a
// leading byte order mark are dropped, empty lines are kept (line numbers stay the file's). Shared by
// the CLI (embed, tokenize, match, mine --corpus) and the studio's corpus file on the Hard negatives
// step. Throws Error (Kind::Io) naming the file when it cannot be opened.
std::vector<std::string> readLines(const std::string &path);

} // namespace pairtune
