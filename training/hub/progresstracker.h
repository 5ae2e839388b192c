#pragma once

// Sums the progress of one snapshot download over its files and reports it through the caller's
// ProgressCallback at most every 100 ms (and at every file boundary), with the transfer rate over the
// last few seconds. Internal to training/hub.

#include "hub/hubclient.h"

#include <chrono>
#include <deque>
#include <utility>

namespace pairtune::hub::detail {

class ProgressTracker
{
public:
    ProgressTracker(ProgressCallback callback, std::string repoId);

    void setTotals(int filesTotal, std::int64_t bytesTotal);
    void startFile(const std::string &file);
    // Bytes now in the cache: `transferred` ones came over the network (they count into the rate),
    // the others were already there (a cached blob, the part of a resumed *.incomplete).
    void addBytes(std::int64_t bytes, bool transferred);
    // Bytes counted before that had to be thrown away (a server that ignored Range sends all again).
    void dropBytes(std::int64_t bytes);
    void finishFile();

private:
    void report(bool force);

    using Clock = std::chrono::steady_clock;
    ProgressCallback m_callback;
    DownloadProgress m_progress;
    std::deque<std::pair<Clock::time_point, std::int64_t>> m_samples; // (when, bytes transferred so far)
    std::int64_t m_transferred = 0;
    Clock::time_point m_lastReport {};
};

} // namespace pairtune::hub::detail
