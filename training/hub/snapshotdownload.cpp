// snapshotDownload: huggingface_hub's snapshot_download for model repos, with Pairtune's stricter rules:
// every file name is checked before anything is written, and refs/<revision> is written only once every
// file of the snapshot is in place, so a snapshot only looks complete when it is.

#include "core/error.h"
#include "core/log.h"
#include "hub/blobfetch.h"
#include "hub/cachelayout.h"
#include "hub/hubclient.h"
#include "hub/remotemetadata.h"
#include "io/fileutil.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace pairtune::hub {

namespace fs = std::filesystem;
using namespace detail;

namespace {

const char *kCacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache directory tag created by huggingface_hub.\n"
                           "# For information about cache directory tags, see:\n"
                           "#\thttps://bford.info/cachedir/\n";

// Refuses the repo when one of its file names could land outside the snapshot folder: by its text, or
// through a folder of the snapshot that is a symlink (a snapshot of an older download, tampered with).
void checkFileNames(const RepoContext &repo, const std::vector<std::string> &files, const fs::path &snapshot)
{
    for (const std::string &file : files) {
        if (const std::string reason = unsafeRelativePathReason(file); !reason.empty())
            throwUnsafeFileName(repo, file, reason);
        fs::path folder = snapshot;
        const fs::path relative(file);
        for (auto part = relative.begin(); part != relative.end() && std::next(part) != relative.end();
             ++part) {
            folder /= *part;
            std::error_code ec;
            const auto status = fs::symlink_status(folder, ec);
            if (!ec && fs::is_symlink(status))
                throwUnsafeFileName(repo, file, "its folder " + folder.string() + " is a symbolic link");
            if (!ec && fs::exists(status) && !fs::is_directory(status))
                throwUnsafeFileName(repo, file, folder.string() + " is not a folder");
        }
    }
}

std::vector<std::string> selectFiles(
    const RepoContext &repo, const RepoListing &listing, const FileFilter &filter)
{
    std::vector<std::string> selected = filter ? filter(listing.files) : listing.files;
    const std::set<std::string> known(listing.files.begin(), listing.files.end());
    std::set<std::string> seen;
    std::vector<std::string> unique;
    for (const std::string &file : selected) {
        if (!known.count(file))
            throw Error("Hugging Face repo '" + repo.repoId + "' has no file '" + file + "' (revision '"
                + repo.revision + "').");
        if (seen.insert(file).second)
            unique.push_back(file);
    }
    return unique;
}

// snapshots/<commit>/<file> -> ../../blobs/<etag>, replaced in one rename so a reader never sees it
// missing or half made.
void linkIntoSnapshot(const RepoContext &repo, const fs::path &snapshot, const RemoteFile &file)
{
    const fs::path pointer = snapshot / file.name;
    std::error_code ec;
    fs::create_directories(pointer.parent_path(), ec);
    if (ec)
        throwCacheWrite(repo, pointer.parent_path().string(), ec.value());
    const std::string target = blobLinkTarget(file.name, file.etag);
    const std::string temporary = pointer.string() + ".tmp-" + randomFileSuffix();
    if (::symlink(target.c_str(), temporary.c_str()) != 0)
        throwCacheWrite(repo, temporary, errno);
    if (::rename(temporary.c_str(), pointer.string().c_str()) != 0) {
        const int err = errno;
        ::unlink(temporary.c_str());
        throwCacheWrite(repo, pointer.string(), err);
    }
}

bool pointerIsComplete(const fs::path &snapshot, const RemoteFile &file)
{
    const fs::path pointer = snapshot / file.name;
    std::error_code ec;
    return fs::is_symlink(fs::symlink_status(pointer, ec))
        && fs::read_symlink(pointer, ec).string() == blobLinkTarget(file.name, file.etag)
        && fs::is_regular_file(pointer, ec);
}

void writeCacheDirTag(const std::string &cacheDir)
{
    const fs::path tag = fs::path(cacheDir) / "CACHEDIR.TAG";
    std::error_code ec;
    if (fs::exists(tag, ec))
        return;
    std::ofstream out(tag, std::ios::binary); // best effort, as huggingface_hub
    out << kCacheDirTag;
}

// Downloads what the listing names into the cache and returns the snapshot folder.
std::string downloadListed(const HttpClient &http, const HubSettings &settings, const RepoContext &repo,
    const RepoListing &listing, const FileFilter &filter, ProgressTracker &progress)
{
    const fs::path storage = storageFolder(settings.cacheDir, repo.repoId);
    const fs::path snapshot = storage / "snapshots" / listing.commit;
    checkFileNames(repo, listing.files, snapshot);
    const std::vector<std::string> selected = selectFiles(repo, listing, filter);

    std::vector<RemoteFile> files;
    std::int64_t totalBytes = 0;
    for (const std::string &file : selected) {
        files.push_back(fetchFileMetadata(http, settings, repo, listing.commit, file));
        totalBytes += files.back().size.value_or(0);
    }
    progress.setTotals(static_cast<int>(files.size()), totalBytes);

    std::error_code ec;
    fs::create_directories(snapshot, ec);
    if (ec)
        throwCacheWrite(repo, snapshot.string(), ec.value());
    writeCacheDirTag(settings.cacheDir);

    BlobStore store;
    store.storage = storage.string();
    store.lockFolder = (fs::path(settings.cacheDir) / ".locks" / repoFolderName(repo.repoId)).string();
    store.token = settings.token;
    store.maxRetries = std::max(0, settings.maxRetries);
    for (const RemoteFile &file : files) {
        progress.startFile(file.name);
        if (pointerIsComplete(snapshot, file)) {
            progress.addBytes(static_cast<std::int64_t>(fs::file_size(snapshot / file.name, ec)), false);
        } else {
            fetchBlob(http, store, repo, file, progress);
            linkIntoSnapshot(repo, snapshot, file);
        }
        progress.finishFile();
    }
    syncDirectory(snapshot.string());

    if (repo.revision != listing.commit) {
        const fs::path ref = storage / "refs" / repo.revision;
        fs::create_directories(ref.parent_path(), ec);
        if (ec)
            throwCacheWrite(repo, ref.parent_path().string(), ec.value());
        writeFileAtomic(ref.string(), listing.commit);
    }
    return snapshot.string();
}

} // namespace

std::string snapshotDownload(const HubSettings &settings, const RepoRef &repo, const FileFilter &filter,
    const ProgressCallback &progress, const CancelCallback &cancel)
{
    if (!isValidRepoId(repo.repoId))
        throw Error("'" + repo.repoId + "' is not a valid Hugging Face repo id: it must be 'name' or "
            + "'owner/name' with letters, digits, '-', '_' or '.', not starting or ending with '-' or '.', "
            + "without '--' or '..', at most 96 characters.");
    if (const std::string reason = unsafeRelativePathReason(repo.revision); !reason.empty())
        throw Error("Hugging Face repo '" + repo.repoId + "': the revision '" + repo.revision
            + "' is refused (" + reason + ").");
    if (settings.cacheDir.empty())
        throw Error("No Hugging Face cache folder: set HF_HUB_CACHE or HF_HOME.");

    // A cached snapshot usable without the Hub: the ref (or commit) names it and, where huggingface_hub
    // left its listing of the commit, every file the filter picks is there.
    const auto usableCachedSnapshot = [&]() -> std::optional<std::string> {
        auto cached = cachedSnapshot(settings, repo);
        if (cached
            && !snapshotHasListedFiles(
                storageFolder(settings.cacheDir, repo.repoId), fs::path(*cached).filename().string(), filter))
            return std::nullopt;
        return cached;
    };
    RepoContext context { settings.endpoint, settings.cacheDir, repo.repoId, repo.revision,
        settings.token.has_value() };
    if (settings.offline) {
        if (auto cached = usableCachedSnapshot())
            return *cached;
        throwNotCachedOffline(context);
    }

    // When the Hub cannot be reached or refuses, a complete cached snapshot is still good (snapshot_download
    // falls back to the cache the same way).
    const auto cachedFallback = [&](const std::string &why) -> std::optional<std::string> {
        auto cached = usableCachedSnapshot();
        if (cached)
            logWarning(usingCachedCopyWarning(context, why, *cached));
        return cached;
    };

    const HttpClient http(settings.timeoutSeconds, cancel);
    detail::ProgressTracker tracker(progress, repo.repoId);
    RepoListing listing;
    try {
        listing = fetchRepoListing(http, settings, context);
    } catch (const TransferFailed &e) {
        if (auto cached = cachedFallback(e.what()))
            return *cached;
        throwNoNetwork(context, e.what());
    } catch (const ApiStatusError &e) {
        const bool revisionMissing = e.status == 404 && e.errorCode && *e.errorCode == "RevisionNotFound";
        if (!revisionMissing)
            if (auto cached = cachedFallback("HTTP " + std::to_string(e.status)))
                return *cached;
        if (e.status >= 500 || e.status == 429 || e.status == 408)
            throwNoNetwork(context, "HTTP " + std::to_string(e.status));
        throwHttpStatus(context, "", e.status, e.errorCode);
    }

    try {
        return downloadListed(http, settings, context, listing, filter, tracker);
    } catch (const TransferFailed &e) {
        if (auto cached = cachedFallback(e.what()))
            return *cached;
        throwNoNetwork(context, e.what());
    }
}

} // namespace pairtune::hub
