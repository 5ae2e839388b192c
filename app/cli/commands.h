#pragma once

// Each pairtune-cli subcommand registers itself on the CLI11 app; its callback does the work and
// throws pairtune::Error for anything the user can fix. main() turns that into one line on stderr.

#include "io/textlines.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace pairtune::cli {

void addCreateCommand(CLI::App &app);
void addEmbedCommand(CLI::App &app);
void addTokenizeCommand(CLI::App &app);
void addTrainCommand(CLI::App &app);
void addEvalCommand(CLI::App &app);
void addInspectCommand(CLI::App &app);
void addExportCommand(CLI::App &app);
void addTrainSpmCommand(CLI::App &app);
void addCompareCommand(CLI::App &app);
void addMineCommand(CLI::App &app);
void addMatchCommand(CLI::App &app);

// Shared helpers (clihelpers.cpp).
// readLines (one text per line, file or "-"): io/textlines.h, shared with the studio.
using pairtune::readLines;
// Writes to a file, or stdout when path is empty or "-".
void writeText(const std::string &path, const std::string &text);
// Applies --threads (0 = the measured default for this machine).
void applyThreads(int threads);
// Ctrl-C / SIGTERM: the first asks the running work to stop cleanly (interruptRequested() turns true:
// a download cancels, training checkpoints and stops); a second ends the process at once.
void installInterruptHandler();
bool interruptRequested();

} // namespace pairtune::cli
