#pragma once

#include <string>
#include <string_view>

namespace pairtune {

// Streams a file under a temporary name (`path.tmp-<random>`, same folder) and publishes it with one
// rename in commit(), so large outputs (safetensors of a whole model) need not be built in memory
// first. If commit() is never reached the destructor removes the temporary file.
// All failures throw Error (Kind::Io) naming the final path and the system's reason.
class AtomicFile
{
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    void write(std::string_view bytes);
    // fsync, close, rename over the final path, fsync the folder.
    void commit();

    const std::string &path() const { return m_path; }
    const std::string &temporaryPath() const { return m_tempPath; }

private:
    [[noreturn]] void fail(const std::string &what, int err);
    void discard() noexcept;

    std::string m_path;
    std::string m_tempPath;
    int m_fd = -1;
    bool m_committed = false;
};

// Copies a regular file to `to` through AtomicFile, streamed in chunks: the copy appears complete or
// not at all, and a failure names the path and the system's reason (std::filesystem::copy reports a
// full disk as "Input/output error"). Throws Error (Kind::Io).
void copyFileAtomic(const std::string &from, const std::string &to);

} // namespace pairtune
