#pragma once

// Names and checks of huggingface_hub's cache layout (file_download.py), shared by the downloader and
// the cache readers. Internal to training/hub.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pairtune::hub::detail {

// "models--owner--name" (repo_folder_name in huggingface_hub).
std::string repoFolderName(const std::string &repoId);
// The inverse for listCachedModels: "models--owner--name" -> "owner/name"; nullopt for other folders.
std::optional<std::string> repoIdFromFolderName(const std::string &folderName);

// CACHE/models--owner--name
std::string storageFolder(const std::string &cacheDir, const std::string &repoId);

// A full 40-hex lower-case commit hash (REGEX_COMMIT_HASH in huggingface_hub).
bool isCommitHash(const std::string &revision);

// Why `name` (a repo file name, or a revision used as refs/<revision>) is unsafe as a path relative to a
// folder of ours, or "" when it is safe: absolute, empty, a backslash, an empty, "." or ".." segment, a
// NUL byte. Checked before anything is written, as huggingface_hub's _validate_relative_filename does.
std::string unsafeRelativePathReason(const std::string &name);

// The ETag of a resolve answer made usable as a file name: W/"x" and "x" both become x
// (_normalize_etag in huggingface_hub).
std::string normalizeEtag(const std::string &etag);

// The symlink target from snapshots/<commit>/<file> to blobs/<etag>: "../../blobs/<etag>" plus one
// "../" per folder in file, the relative path huggingface_hub's _create_symlink makes.
std::string blobLinkTarget(const std::string &file, const std::string &etag);

// The commit a ref names (refs/<revision>, read as huggingface_hub does: the whole file), or nullopt when
// the ref is missing or does not hold a commit hash.
std::optional<std::string> readRef(const std::string &storage, const std::string &revision);

// False when huggingface_hub's listing of the commit (storage/trees/<commit>.json, written by its
// snapshot_download) shows that a file the filter picks is missing from the snapshot folder: a Python
// download that was interrupted leaves refs/<revision> and a partial snapshot behind. True when there is
// no such listing (nothing to check against), as _raise_if_incomplete_snapshot decides.
bool snapshotHasListedFiles(const std::string &storage, const std::string &commit,
    const std::function<std::vector<std::string>(const std::vector<std::string> &)> &filter);

} // namespace pairtune::hub::detail
