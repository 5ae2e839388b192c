#pragma once

// The model argument every command shares (train --base, embed/eval/tokenize/inspect --model): a
// folder, "builtin", or a Hugging Face Hub id resolved as SentenceTransformer(name) does, downloaded
// with a progress bar on stderr and cancelled cleanly by Ctrl-C.

#include "train/basemodel.h"

#include <CLI/CLI.hpp>

#include <string>

namespace pairtune::cli {

// Adds --revision (branch, tag or commit of a Hub model; ignored for folders).
void addRevisionOption(CLI::App *cmd, std::string &revision);

// Resolves the model argument; a download shows progress unless quiet. Ctrl-C during the download ends
// it with Error::Kind::Cancelled (partial files are kept and resumed next time).
ResolvedModel resolveModelArgument(
    const std::string &nameOrFolder, const std::string &revision, bool quiet = false);

} // namespace pairtune::cli
