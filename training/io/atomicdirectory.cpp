#include "io/atomicdirectory.h"

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pairtune {

namespace {

[[noreturn]] void throwIo(const std::string &path, const std::string &what)
{
    throw Error(locate(path, 0, 0, what), Error::Kind::Io);
}

void syncFile(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throwIo(path, std::string("cannot open to sync: ") + std::strerror(errno));
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        if (err != EINVAL && err != ENOTSUP)
            throwIo(path, std::string("cannot sync: ") + std::strerror(err));
        return;
    }
    ::close(fd);
}

// Every file's data and every folder's entries must be durable before the folder appears under its
// final name; otherwise a crash right after the rename could expose empty files.
void syncTree(const std::string &root)
{
    std::error_code ec;
    fs::recursive_directory_iterator it(root, ec), end;
    if (ec)
        throwIo(root, "cannot list the staged folder: " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            throwIo(root, "cannot list the staged folder: " + ec.message());
        const fs::file_status st = it->symlink_status(ec);
        if (ec)
            continue;
        if (fs::is_regular_file(st))
            syncFile(it->path().string());
        else if (fs::is_directory(st))
            syncDirectory(it->path().string());
    }
    syncDirectory(root);
}

bool pathExists(const std::string &path)
{
    struct stat st
    {
    };
    return ::lstat(path.c_str(), &st) == 0;
}

} // namespace

AtomicDirectory::AtomicDirectory(std::string finalPath, bool replaceExisting)
    : m_finalPath(std::move(finalPath))
    , m_replaceExisting(replaceExisting)
{
    while (m_finalPath.size() > 1 && m_finalPath.back() == '/')
        m_finalPath.pop_back();
    if (m_finalPath.empty() || m_finalPath == "/" || m_finalPath == "." || m_finalPath == "..")
        throw Error(locate(m_finalPath, 0, 0, "not a usable output folder name"));
    m_parent = parentDirectoryOf(m_finalPath);
    m_name = fs::path(m_finalPath).filename().string();
    if (m_name == "." || m_name == "..")
        throw Error(locate(m_finalPath, 0, 0, "not a usable output folder name"));

    if (!m_replaceExisting && pathExists(m_finalPath))
        throw Error(locate(m_finalPath, 0, 0, "already exists; choose another folder or allow replacing it"));

    std::error_code ec;
    fs::create_directories(m_parent, ec);
    if (ec)
        throwIo(m_parent, "cannot create the folder: " + ec.message());

    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::string candidate = m_parent + "/." + m_name + ".partial-" + randomFileSuffix();
        if (::mkdir(candidate.c_str(), 0777) == 0) {
            m_stagingPath = candidate;
            return;
        }
        if (errno != EEXIST)
            throwIo(m_finalPath,
                std::string("cannot create a staging folder in ") + m_parent + ": " + std::strerror(errno));
    }
    throwIo(m_finalPath, "cannot create a staging folder: too many name collisions");
}

AtomicDirectory::AtomicDirectory(AtomicDirectory &&other) noexcept
    : m_finalPath(std::move(other.m_finalPath))
    , m_parent(std::move(other.m_parent))
    , m_name(std::move(other.m_name))
    , m_stagingPath(std::move(other.m_stagingPath))
    , m_replaceExisting(other.m_replaceExisting)
    , m_committed(other.m_committed)
{
    other.m_stagingPath.clear();
    other.m_committed = true;
}

AtomicDirectory::~AtomicDirectory()
{
    if (m_committed || m_stagingPath.empty())
        return;
    std::error_code ec;
    fs::remove_all(m_stagingPath, ec);
}

void AtomicDirectory::commit()
{
    if (m_committed)
        throwIo(m_finalPath, "the folder was already committed");
    syncTree(m_stagingPath);
    testPausePoint(m_finalPath);

    std::string oldAside;
    if (pathExists(m_finalPath)) {
        if (!m_replaceExisting)
            throw Error(
                locate(m_finalPath, 0, 0, "already exists; choose another folder or allow replacing it"));
        // One atomic swap: the final name always holds a complete folder, the old or the new one, even
        // if the process dies right here. The staging name then holds the previous version.
        if (::renameat2(AT_FDCWD, m_stagingPath.c_str(), AT_FDCWD, m_finalPath.c_str(), RENAME_EXCHANGE)
            == 0) {
            m_committed = true;
            syncDirectory(m_parent);
            std::error_code ec;
            fs::remove_all(m_stagingPath, ec);
            if (ec)
                logWarning(
                    locate(m_stagingPath, 0, 0, "could not remove the previous version: " + ec.message()));
            return;
        }
        // ENOTSUP and EOPNOTSUPP are one value on Linux and two on other systems.
        // NOLINTNEXTLINE(misc-redundant-expression)
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP && errno != EOPNOTSUPP)
            throwIo(m_finalPath, std::string("cannot replace the existing folder: ") + std::strerror(errno));
        // File systems without RENAME_EXCHANGE: two renames; RunFolder::recoverAfterCrash() puts a
        // `.<name>.old-*` back if a crash falls between them.
        oldAside = m_parent + "/." + m_name + ".old-" + randomFileSuffix();
        if (::rename(m_finalPath.c_str(), oldAside.c_str()) != 0)
            throwIo(
                m_finalPath, std::string("cannot move the existing folder aside: ") + std::strerror(errno));
    }
    if (::rename(m_stagingPath.c_str(), m_finalPath.c_str()) != 0) {
        const int err = errno;
        if (!oldAside.empty())
            ::rename(oldAside.c_str(), m_finalPath.c_str()); // put the previous version back
        throwIo(
            m_finalPath, std::string("cannot move the finished folder into place: ") + std::strerror(err));
    }
    m_committed = true;
    syncDirectory(m_parent);
    if (!oldAside.empty()) {
        std::error_code ec;
        fs::remove_all(oldAside, ec);
        if (ec) // the new folder is already published; leftovers are only clutter
            logWarning(locate(oldAside, 0, 0, "could not remove the previous version: " + ec.message()));
    }
}

} // namespace pairtune
