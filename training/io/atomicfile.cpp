#include "io/atomicfile.h"

#include "core/error.h"
#include "io/fileutil.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace pairtune {

AtomicFile::AtomicFile(std::string path)
    : m_path(std::move(path))
{
    // O_EXCL: never clobber a file someone else is staging under the same (random) name.
    for (int attempt = 0; attempt < 8 && m_fd < 0; ++attempt) {
        m_tempPath = m_path + ".tmp-" + randomFileSuffix();
        m_fd = ::open(m_tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (m_fd < 0 && errno != EEXIST) {
            const int err = errno;
            m_tempPath.clear();
            fail("cannot create a temporary file in " + parentDirectoryOf(m_path), err);
        }
    }
    if (m_fd < 0) {
        m_tempPath.clear();
        fail("cannot create a temporary file", EEXIST);
    }
}

AtomicFile::~AtomicFile()
{
    if (!m_committed)
        discard();
}

void AtomicFile::discard() noexcept
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_tempPath.empty()) {
        ::unlink(m_tempPath.c_str());
        m_tempPath.clear();
    }
}

void AtomicFile::fail(const std::string &what, int err)
{
    discard();
    throw Error(locate(m_path, 0, 0, "cannot write: " + what + ": " + std::strerror(err)), Error::Kind::Io);
}

void AtomicFile::write(std::string_view bytes)
{
    if (m_fd < 0)
        throw Error(locate(m_path, 0, 0, "cannot write: the file was already committed or discarded"),
            Error::Kind::Io);
    const char *p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("write failed", errno);
        }
        if (n == 0)
            fail("write made no progress", EIO);
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AtomicFile::commit()
{
    if (m_fd < 0)
        throw Error(locate(m_path, 0, 0, "cannot write: the file was already committed or discarded"),
            Error::Kind::Io);
    testPausePoint(m_path);
    if (::fsync(m_fd) != 0)
        fail("fsync failed", errno);
    const int fd = m_fd;
    m_fd = -1;
    // close() can report delayed write errors (NFS, quotas); a file we cannot vouch for is not published.
    if (::close(fd) != 0)
        fail("close failed", errno);
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0)
        fail("cannot rename " + m_tempPath + " into place", errno);
    m_tempPath.clear();
    m_committed = true;
    syncDirectory(parentDirectoryOf(m_path));
}

void copyFileAtomic(const std::string &from, const std::string &to)
{
    const int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(locate(from, 0, 0, std::string("cannot read: ") + std::strerror(errno)), Error::Kind::Io);
    try {
        AtomicFile file(to);
        std::string buffer(1 << 20, '\0');
        for (;;) {
            const ssize_t n = ::read(fd, buffer.data(), buffer.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw Error(
                    locate(from, 0, 0, std::string("cannot read: ") + std::strerror(errno)), Error::Kind::Io);
            }
            if (n == 0)
                break;
            file.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        }
        file.commit();
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

} // namespace pairtune
