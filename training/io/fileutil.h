#pragma once

#include <string>
#include <string_view>

namespace pairtune {

// Reads a whole file. Throws Error (Kind::Io) naming the file when it is missing, a directory or
// unreadable.
std::string readFileBytes(const std::string &path);

// Replaces `path` with `bytes` so that readers (and a crash) only ever see the old or the new
// content: writes `path.tmp-<random>` in the same folder, fsyncs it, renames it over `path` and
// fsyncs the folder. On failure the temporary file is removed and Error (Kind::Io) names the path
// and the system's reason ("No space left on device", "Read-only file system").
void writeFileAtomic(const std::string &path, std::string_view bytes);

// fsyncs a directory so that renames and creations inside it survive a crash. Throws Error (Kind::Io).
void syncDirectory(const std::string &dir);

// A short random lowercase hex string for temporary names; different on every call.
std::string randomFileSuffix();

// Test hook of the crash-safety suite (docs/reliability.md). When the environment variable
// PAIRTUNE_TEST_PAUSE_IN is set and `finalPath` contains its text, prints
// "pairtune: test pause before publishing <finalPath>" to stderr and sleeps PAIRTUNE_TEST_PAUSE_MS
// milliseconds (default 60000); PAIRTUNE_TEST_PAUSE_SKIP=N lets the first N matches pass. The atomic writers
// call it with everything staged but not yet renamed into place, so a test can SIGKILL the process in the
// middle of a write at a known moment.
void testPausePoint(const std::string &finalPath);

// The folder that holds `path` ("." for a bare file name), as used for temporary names and fsync.
std::string parentDirectoryOf(const std::string &path);

} // namespace pairtune
