#pragma once

// Every error text of the Hub client, in one place so each says what happened and what to do. None of
// them ever contains the token. Internal to training/hub.

#include <optional>
#include <string>

namespace pairtune::hub::detail {

struct RepoContext
{
    std::string endpoint;
    std::string cacheDir;
    std::string repoId;
    std::string revision;
    bool tokenSent = false;
};

// An HTTP error status from the revision API (file "") or a file of the repo. Kind InvalidInput.
[[noreturn]] void throwHttpStatus(const RepoContext &repo, const std::string &file, long status,
    const std::optional<std::string> &errorCode);

// The Hub could not be reached (detail: libcurl's reason) and no complete snapshot is cached.
[[noreturn]] void throwNoNetwork(const RepoContext &repo, const std::string &detail);

// settings.offline and nothing cached for the revision.
[[noreturn]] void throwNotCachedOffline(const RepoContext &repo);

// Writing into the cache failed (errno err), e.g. a full disk. Kind Io.
[[noreturn]] void throwCacheWrite(const RepoContext &repo, const std::string &path, int err);

// The bytes of an LFS file do not hash to the sha256 the Hub announced.
[[noreturn]] void throwChecksumMismatch(
    const RepoContext &repo, const std::string &file, const std::string &expected, const std::string &actual);

// A file name of the repo that would land outside the snapshot folder (absolute, "..", backslash, ...).
[[noreturn]] void throwUnsafeFileName(
    const RepoContext &repo, const std::string &file, const std::string &reason);

// An answer that does not look like the Hub's (no commit hash, no ETag, bad JSON).
[[noreturn]] void throwNotAHub(const RepoContext &repo, const std::string &what);

// The warning when the Hub cannot be reached but a complete snapshot is cached.
std::string usingCachedCopyWarning(
    const RepoContext &repo, const std::string &why, const std::string &snapshot);

} // namespace pairtune::hub::detail
