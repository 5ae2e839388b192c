#include "hub/blobfetch.h"

#include "core/error.h"
#include "core/log.h"
#include "data/sha256.h"
#include "hub/filelock.h"
#include "io/fileutil.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace pairtune::hub::detail {

namespace fs = std::filesystem;

namespace {

// The *.incomplete file, open for appending; closed on every way out.
class PartialFile
{
public:
    PartialFile(const std::string &path, const RepoContext &repo)
        : m_path(path)
    {
        m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (m_fd < 0)
            throwCacheWrite(repo, path, errno);
    }
    ~PartialFile()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    PartialFile(const PartialFile &) = delete;
    PartialFile &operator=(const PartialFile &) = delete;

    std::int64_t size() const
    {
        struct stat st
        {
        };
        return ::fstat(m_fd, &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
    }
    // 0 or errno.
    int truncate() { return ::ftruncate(m_fd, 0) == 0 ? 0 : errno; }
    int append(std::string_view bytes)
    {
        while (!bytes.empty()) {
            const ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return errno;
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return 0;
    }
    // fsync and close; 0 or errno.
    int finish()
    {
        const int err = ::fsync(m_fd) == 0 ? 0 : errno;
        ::close(m_fd);
        m_fd = -1;
        return err;
    }

private:
    std::string m_path;
    int m_fd = -1;
};

bool isRetryableStatus(long status)
{
    return status == 408 || status == 429 || status >= 500;
}

// Waits before attempt n (1, 2, ...): 0.5 s, 1 s, 2 s, ... at most 8 s, watching for cancel.
void backOff(const HttpClient &http, int attempt)
{
    const auto wait = std::chrono::milliseconds(std::min(8000, 500 << std::min(attempt - 1, 4)));
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        http.checkCancel();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// Feeds the bytes a resumed download already holds to the digest, so the hash is ready when the last
// byte arrives (no second pass over the file, during which cancel could not be polled).
void hashExisting(const HttpClient &http, const std::string &path, std::int64_t bytes, Sha256 &digest)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chunk(1 << 20);
    while (bytes > 0) {
        http.checkCancel();
        in.read(chunk.data(),
            static_cast<std::streamsize>(std::min<std::int64_t>(bytes, std::int64_t(chunk.size()))));
        if (in.gcount() <= 0)
            throw Error(path + ": cannot read the partial download back", Error::Kind::Io);
        digest.update(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
        bytes -= in.gcount();
    }
}

// Downloads into `partial` until it holds the whole file (or, with no known size, one complete answer).
// `digest` (LFS files only, else null) always holds the sha256 state of exactly the bytes in `partial`.
void transfer(const HttpClient &http, const BlobStore &store, const RepoContext &repo, const RemoteFile &file,
    const std::string &partialPath, PartialFile &partial, Sha256 *digest, ProgressTracker &progress)
{
    std::int64_t offset = partial.size();
    if (file.size && offset > *file.size) {
        if (const int err = partial.truncate())
            throwCacheWrite(repo, partialPath, err);
        offset = 0;
    }
    if (digest)
        hashExisting(http, partialPath, offset, *digest);
    progress.addBytes(offset, false);

    int failures = 0;
    while (!(file.size && offset == *file.size)) {
        HttpRequest request;
        request.url = file.downloadUrl;
        request.followRedirects = true;
        if (file.sendToken)
            request.bearerToken = store.token;
        request.rangeFrom = offset;

        const std::int64_t offsetBefore = offset;
        int writeError = 0;
        bool firstChunk = true;
        const BodySink sink = [&](long status, std::string_view chunk) {
            if (firstChunk && status == 200 && offset > 0) {
                // The server ignored Range and sends everything again: start the file over.
                if ((writeError = partial.truncate()) != 0)
                    return false;
                if (digest)
                    *digest = Sha256();
                progress.dropBytes(offset);
                offset = 0;
            }
            firstChunk = false;
            if ((writeError = partial.append(chunk)) != 0)
                return false;
            if (digest)
                digest->update(chunk);
            offset += static_cast<std::int64_t>(chunk.size());
            progress.addBytes(static_cast<std::int64_t>(chunk.size()), true);
            return true;
        };

        std::string failure;
        try {
            const HttpResponse response = http.perform(request, sink);
            if (writeError)
                throwCacheWrite(repo, partialPath, writeError);
            if (response.status == 416) {
                // What we hold does not fit the file any more: start over.
                if (const int err = partial.truncate())
                    throwCacheWrite(repo, partialPath, err);
                if (digest)
                    *digest = Sha256();
                progress.dropBytes(offset);
                offset = 0;
                failure = "HTTP 416";
            } else if (isRetryableStatus(response.status)) {
                failure = "HTTP " + std::to_string(response.status);
            } else if (response.status < 200 || response.status >= 300) {
                throwHttpStatus(repo, file.name, response.status, response.header("x-error-code"));
            } else if (!file.size) {
                return; // a complete answer of unknown length
            } else if (offset > *file.size) {
                break; // longer than announced: the checks below reject it
            } else if (offset < *file.size) {
                failure = "the answer ended early";
            }
        } catch (const TransferFailed &e) {
            failure = e.what();
        }
        if (failure.empty())
            continue;
        if (offset > offsetBefore)
            failures = 0; // progress was made: a fresh set of attempts, as huggingface_hub's http_get
        if (++failures > store.maxRetries) {
            throw TransferFailed(failure + " while downloading '" + file.name + "', after "
                + std::to_string(store.maxRetries) + " retries");
        }
        logWarning("Hugging Face repo '" + repo.repoId + "', file '" + file.name + "': " + failure
            + " at byte " + std::to_string(offset) + "; resuming (attempt " + std::to_string(failures + 1)
            + ")");
        backOff(http, failures);
    }
}

} // namespace

void fetchBlob(const HttpClient &http, const BlobStore &store, const RepoContext &repo,
    const RemoteFile &file, ProgressTracker &progress)
{
    const fs::path blobs = fs::path(store.storage) / "blobs";
    const std::string blobPath = (blobs / file.etag).string();
    std::error_code ec;
    fs::create_directories(blobs, ec);
    if (ec)
        throwCacheWrite(repo, blobs.string(), ec.value());

    const auto alreadyThere = [&] {
        if (!fs::is_regular_file(blobPath))
            return false;
        progress.addBytes(static_cast<std::int64_t>(fs::file_size(blobPath, ec)), false);
        return true;
    };
    if (alreadyThere())
        return;
    FileLock lock((fs::path(store.lockFolder) / (file.etag + ".lock")).string(), [&] { http.checkCancel(); });
    if (alreadyThere()) // another process or thread fetched it while we waited for the lock
        return;

    const std::string partialPath = blobPath + ".incomplete";
    std::optional<Sha256> digest;
    if (file.lfs)
        digest.emplace();
    {
        PartialFile partial(partialPath, repo);
        transfer(http, store, repo, file, partialPath, partial, digest ? &*digest : nullptr, progress);
        if (const int err = partial.finish())
            throwCacheWrite(repo, partialPath, err);
    }

    const auto discard = [&] { fs::remove(partialPath, ec); };
    if (file.size) {
        const auto actual = static_cast<std::int64_t>(fs::file_size(partialPath, ec));
        if (actual != *file.size) {
            discard();
            throw Error("Hugging Face repo '" + repo.repoId + "', file '" + file.name + "': the download has "
                    + std::to_string(actual) + " bytes but the Hub announced " + std::to_string(*file.size)
                    + ". It was deleted; try again.",
                Error::Kind::Io);
        }
    }
    if (file.lfs) {
        const std::string actual = digest->finishHex();
        if (actual != file.etag) {
            discard();
            throwChecksumMismatch(repo, file.name, file.etag, actual);
        }
    }
    if (::rename(partialPath.c_str(), blobPath.c_str()) != 0)
        throwCacheWrite(repo, blobPath, errno);
    syncDirectory(blobs.string());
}

} // namespace pairtune::hub::detail
