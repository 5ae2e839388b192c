#pragma once

// The Hugging Face Hub, the way huggingface_hub does it: the same environment variables, the same cache
// layout (so Python and Pairtune share downloads), resumable verified downloads. The Hub knows files, not
// models: which files to fetch is decided by a FileFilter the caller gives. Torch-free and Qt-free.
//
// Cache layout (huggingface_hub's file_download.py):
//   CACHE/models--owner--name/blobs/<etag>              the bytes (etag = sha256 for LFS files,
//                                                       git blob sha1 otherwise)
//   CACHE/models--owner--name/snapshots/<commit>/<file> relative symlink to ../../blobs/<etag>
//   CACHE/models--owner--name/refs/<revision>           the commit hash (no newline)
//   CACHE/.locks/models--owner--name/<etag>.lock        one lock per blob

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pairtune::hub {

// Where and how to reach the Hub, from the environment as huggingface_hub reads it.
struct HubSettings
{
    std::string endpoint = "https://huggingface.co"; // HF_ENDPOINT (no trailing slash)
    std::string cacheDir; // HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub
    std::optional<std::string> token; // HF_TOKEN, else the file HF_TOKEN_PATH / HF_HOME/token
    bool offline = false; // HF_HUB_OFFLINE=1 (also accepts true/yes/on): cache only
    double timeoutSeconds = 10; // connect / stalled-transfer timeout (HF_HUB_DOWNLOAD_TIMEOUT)
    int maxRetries = 5; // per file, with back-off, for dropped connections and 5xx answers

    static HubSettings fromEnvironment();
};

// owner/name at a branch, tag or commit.
struct RepoRef
{
    std::string repoId; // "owner/name"
    std::string revision = "main";
};

// Given every file name in the repo (paths relative to its root), returns those to download.
using FileFilter = std::function<std::vector<std::string>(const std::vector<std::string> &repoFiles)>;

struct DownloadProgress
{
    std::string repoId;
    std::string file; // the file now transferring ("" before the first, e.g. while asking the API)
    int filesDone = 0;
    int filesTotal = 0;
    std::int64_t bytesDone = 0; // over all files of the snapshot, including bytes already cached
    std::int64_t bytesTotal = 0; // 0 while unknown
    double bytesPerSecond = 0; // over the last few seconds of this download
    // Came over the network in this download so far (bytesDone less what the cache held): a download
    // that finishes before its rate can be measured still transferred something.
    std::int64_t bytesTransferred = 0;
};
using ProgressCallback = std::function<void(const DownloadProgress &)>;
// Polled often (at least every 100 ms while a transfer runs); true stops the download with
// pairtune::Error of kind Cancelled. Partial blobs stay as *.incomplete and are resumed next time.
using CancelCallback = std::function<bool()>;

// Makes sure every file the filter picks from repo@revision is in the cache and returns the snapshot
// folder (CACHE/models--owner--name/snapshots/<commit>). Uses the cache without any network when
// settings.offline, or when the network fails and a complete cached snapshot exists (with a warning).
// Throws pairtune::Error with a message a person can act on: unknown repo, private/gated repo without a
// token (names HF_TOKEN), no network (says whether a cached copy exists), disk full, checksum mismatch,
// a file list naming paths outside the snapshot.
// Every file name the repo lists is checked, not only those the filter picks: one name that could land
// outside the snapshot refuses the whole repo before anything is downloaded. Without the Hub (offline or
// fallback), where huggingface_hub left its listing of the commit (trees/<commit>.json), a snapshot that
// lacks a file the filter picks from that listing counts as not cached (a Python download cut short).
std::string snapshotDownload(const HubSettings &settings, const RepoRef &repo, const FileFilter &filter,
    const ProgressCallback &progress = {}, const CancelCallback &cancel = {});

// The snapshot folder a previous download left for repo@revision, found without network (refs/<revision>,
// or the revision itself when it is a commit hash), or nullopt.
std::optional<std::string> cachedSnapshot(const HubSettings &settings, const RepoRef &repo);

struct CachedModel
{
    std::string repoId;
    std::vector<std::string> refs; // revisions pointing at a snapshot ("main", ...)
    std::string snapshotFolder; // the one refs/main names, else the newest snapshot
    std::int64_t bytes = 0; // size of its blobs
};
// Every models--*--* repo in the cache with at least one snapshot, sorted by repo id. No network.
std::vector<CachedModel> listCachedModels(const HubSettings &settings);

// True when name is a valid Hub repo id ("owner/name" or "name": letters, digits, '-', '_', '.', no "--"
// or ".." and at most 96 characters, as huggingface_hub's validate_repo_id checks).
bool isValidRepoId(const std::string &name);

} // namespace pairtune::hub
