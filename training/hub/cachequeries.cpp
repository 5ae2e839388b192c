// cachedSnapshot and listCachedModels: reading the cache without any network.

#include "hub/cachelayout.h"
#include "hub/hubclient.h"

#include <algorithm>
#include <filesystem>

namespace pairtune::hub {

namespace fs = std::filesystem;
using namespace detail;

std::optional<std::string> cachedSnapshot(const HubSettings &settings, const RepoRef &repo)
{
    if (!isValidRepoId(repo.repoId) || settings.cacheDir.empty())
        return std::nullopt;
    const std::string storage = storageFolder(settings.cacheDir, repo.repoId);
    const std::optional<std::string> commit
        = isCommitHash(repo.revision) ? std::optional(repo.revision) : readRef(storage, repo.revision);
    if (!commit)
        return std::nullopt;
    const fs::path snapshot = fs::path(storage) / "snapshots" / *commit;
    std::error_code ec;
    if (!fs::is_directory(snapshot, ec))
        return std::nullopt;
    return snapshot.string();
}

namespace {

// Every ref of a repo whose snapshot exists ("main", "refs/pr/1", ...), sorted.
std::vector<std::string> listRefs(const fs::path &storage)
{
    std::vector<std::string> refs;
    const fs::path refsFolder = storage / "refs";
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(refsFolder, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec))
            continue;
        const std::string name = fs::relative(it->path(), refsFolder, ec).string();
        const auto commit = readRef(storage.string(), name);
        if (commit && fs::is_directory(storage / "snapshots" / *commit, ec))
            refs.push_back(name);
    }
    std::sort(refs.begin(), refs.end());
    return refs;
}

std::optional<fs::path> newestSnapshot(const fs::path &storage)
{
    std::optional<fs::path> newest;
    fs::file_time_type newestTime {};
    std::error_code ec;
    for (auto it = fs::directory_iterator(storage / "snapshots", ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        if (!it->is_directory(ec))
            continue;
        const auto time = fs::last_write_time(it->path(), ec);
        if (!newest || time > newestTime) {
            newest = it->path();
            newestTime = time;
        }
    }
    return newest;
}

std::int64_t blobBytes(const fs::path &storage)
{
    std::int64_t bytes = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(storage / "blobs", ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() != ".incomplete")
            bytes += static_cast<std::int64_t>(it->file_size(ec));
    }
    return bytes;
}

} // namespace

std::vector<CachedModel> listCachedModels(const HubSettings &settings)
{
    std::vector<CachedModel> models;
    std::error_code ec;
    for (auto it = fs::directory_iterator(settings.cacheDir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const auto repoId = repoIdFromFolderName(it->path().filename().string());
        if (!repoId || !isValidRepoId(*repoId) || !it->is_directory(ec))
            continue;
        CachedModel model;
        model.repoId = *repoId;
        model.refs = listRefs(it->path());
        const auto main = readRef(it->path().string(), "main");
        if (main && fs::is_directory(it->path() / "snapshots" / *main, ec)) {
            model.snapshotFolder = (it->path() / "snapshots" / *main).string();
        } else if (const auto newest = newestSnapshot(it->path())) {
            model.snapshotFolder = newest->string();
        } else {
            continue; // no snapshot: nothing usable
        }
        model.bytes = blobBytes(it->path());
        models.push_back(std::move(model));
    }
    std::sort(models.begin(), models.end(),
        [](const CachedModel &a, const CachedModel &b) { return a.repoId < b.repoId; });
    return models;
}

} // namespace pairtune::hub
