#include "hub/filelock.h"

#include "core/error.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace pairtune::hub::detail {

FileLock::FileLock(const std::string &path, const std::function<void()> &poll)
{
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec)
        throw Error(path + ": cannot create the lock folder: " + ec.message(), Error::Kind::Io);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw Error(path + ": cannot open the lock file: " + std::strerror(errno), Error::Kind::Io);
    // Non-blocking attempts so a cancel request is honoured while another download holds the blob.
    while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err != EWOULDBLOCK && err != EINTR) {
            ::close(m_fd);
            throw Error(path + ": cannot lock: " + std::strerror(err), Error::Kind::Io);
        }
        try {
            if (poll)
                poll();
        } catch (...) {
            ::close(m_fd);
            throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

FileLock::~FileLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // closing the descriptor releases the lock
}

} // namespace pairtune::hub::detail
