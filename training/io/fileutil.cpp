#include "io/fileutil.h"

#include "core/error.h"
#include "io/atomicfile.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace pairtune {

namespace {

[[noreturn]] void throwRead(const std::string &path, const std::string &what)
{
    throw Error(locate(path, 0, 0, "cannot read: " + what), Error::Kind::Io);
}

} // namespace

std::string readFileBytes(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throwRead(path, std::strerror(errno));
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throwRead(path, std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throwRead(path, "it is a directory, not a file");
    }
    std::string out;
    // st_size is only a hint (pipes, /proc files report 0); keep reading until end of file.
    if (S_ISREG(st.st_mode) && st.st_size > 0)
        out.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[1 << 16];
    for (;;) {
        if (out.capacity() > out.size()) {
            // Read straight into the reserved space for large regular files.
            const std::size_t old = out.size();
            const std::size_t room = out.capacity() - old;
            out.resize(out.capacity());
            const ssize_t n = ::read(fd, out.data() + old, room);
            if (n < 0) {
                out.resize(old);
                if (errno == EINTR)
                    continue;
                const int err = errno;
                ::close(fd);
                throwRead(path, std::strerror(err));
            }
            out.resize(old + static_cast<std::size_t>(n));
            if (n == 0)
                break;
            continue;
        }
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            throwRead(path, std::strerror(err));
        }
        if (n == 0)
            break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

void writeFileAtomic(const std::string &path, std::string_view bytes)
{
    AtomicFile file(path);
    file.write(bytes);
    file.commit();
}

void syncDirectory(const std::string &dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw Error(
            locate(dir, 0, 0, std::string("cannot open the folder to sync it: ") + std::strerror(errno)),
            Error::Kind::Io);
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        // Some file systems cannot fsync directories at all; there is nothing more we can do there.
        if (err == EINVAL || err == ENOTSUP || err == EROFS)
            return;
        throw Error(
            locate(dir, 0, 0, std::string("cannot sync the folder: ") + std::strerror(err)), Error::Kind::Io);
    }
    ::close(fd);
}

std::string randomFileSuffix()
{
    // Seeded once from the OS; the counter keeps names distinct even if two threads race the engine.
    static std::atomic<std::uint64_t> counter { 0 };
    thread_local std::mt19937_64 engine { std::random_device {}()
        ^ static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) };
    const std::uint64_t value = engine() ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
    static const char digits[] = "0123456789abcdef";
    std::string out(12, '0');
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = digits[(value >> (4 * i)) & 0xF];
    return out;
}

void testPausePoint(const std::string &finalPath)
{
    static const char *const needle = std::getenv("PAIRTUNE_TEST_PAUSE_IN");
    if (needle == nullptr || *needle == '\0' || finalPath.find(needle) == std::string::npos)
        return;
    // PAIRTUNE_TEST_PAUSE_SKIP=N lets the first N matching writes through (e.g. to pause in the
    // second best/ export, which replaces the first).
    static std::atomic<long> skip { std::getenv("PAIRTUNE_TEST_PAUSE_SKIP") != nullptr
            ? std::strtol(std::getenv("PAIRTUNE_TEST_PAUSE_SKIP"), nullptr, 10)
            : 0 };
    if (skip.fetch_sub(1) > 0)
        return;
    static const char *const ms = std::getenv("PAIRTUNE_TEST_PAUSE_MS");
    const long millis = ms != nullptr ? std::strtol(ms, nullptr, 10) : 60000;
    std::fprintf(stderr, "pairtune: test pause before publishing %s\n", finalPath.c_str());
    std::fflush(stderr);
    std::this_thread::sleep_for(std::chrono::milliseconds(millis));
}

std::string parentDirectoryOf(const std::string &path)
{
    std::string p = path;
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    const auto slash = p.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return p.substr(0, slash);
}

} // namespace pairtune
