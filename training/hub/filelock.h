#pragma once

// An exclusive flock(2) on a lock file, held for the object's lifetime: the per-blob lock huggingface_hub
// takes (WeakFileLock on .locks/models--owner--name/<etag>.lock), so two processes or two threads fetching
// the same blob take turns. Each FileLock opens its own descriptor, so threads of one process exclude
// each other too. Internal to training/hub.

#include <functional>
#include <string>

namespace pairtune::hub::detail {

class FileLock
{
public:
    // Creates the lock file (and its folder) if needed and waits for the lock, calling `poll` about every
    // 100 ms while another holder has it (poll may throw, e.g. on cancel). Throws Error (Kind::Io).
    FileLock(const std::string &path, const std::function<void()> &poll);
    ~FileLock();
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;

private:
    int m_fd = -1;
};

} // namespace pairtune::hub::detail
