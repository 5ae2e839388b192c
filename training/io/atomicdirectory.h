#pragma once

#include <string>

namespace pairtune {

// Stages a whole folder (an exported model, a run folder) and publishes it with one rename, so a
// crash can never leave a half-written folder under the final name.
// The constructor creates `<parent>/.<name>.partial-<random>` (and missing parent folders); callers
// write everything into stagingPath(); commit() fsyncs every file and folder inside, then renames the
// staging folder to finalPath. With replaceExisting an existing finalPath is first renamed aside
// (`.<name>.old-<random>`), the new folder renamed in, and the old one removed. Without it, an
// existing finalPath is an error (reported by the constructor, so no work is wasted).
// If commit() is not reached (exception, cancel), the destructor removes the staging folder.
// Errors throw pairtune::Error (Kind::Io, or InvalidInput when finalPath already exists).
class AtomicDirectory
{
public:
    explicit AtomicDirectory(std::string finalPath, bool replaceExisting = false);
    ~AtomicDirectory();
    AtomicDirectory(const AtomicDirectory &) = delete;
    AtomicDirectory &operator=(const AtomicDirectory &) = delete;
    AtomicDirectory(AtomicDirectory &&other) noexcept;
    AtomicDirectory &operator=(AtomicDirectory &&) = delete;

    std::string stagingPath() const { return m_stagingPath; }
    const std::string &finalPath() const { return m_finalPath; }
    bool isCommitted() const { return m_committed; }

    void commit();

private:
    std::string m_finalPath;
    std::string m_parent;
    std::string m_name;
    std::string m_stagingPath;
    bool m_replaceExisting = false;
    bool m_committed = false;
};

} // namespace pairtune
