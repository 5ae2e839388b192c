#include "hub/progresstracker.h"

namespace pairtune::hub::detail {

namespace {
constexpr auto kRateWindow = std::chrono::seconds(3);
constexpr auto kReportInterval = std::chrono::milliseconds(100);
} // namespace

ProgressTracker::ProgressTracker(ProgressCallback callback, std::string repoId)
    : m_callback(std::move(callback))
{
    m_progress.repoId = std::move(repoId);
    m_samples.emplace_back(Clock::now(), 0);
}

void ProgressTracker::setTotals(int filesTotal, std::int64_t bytesTotal)
{
    m_progress.filesTotal = filesTotal;
    m_progress.bytesTotal = bytesTotal;
    report(true);
}

void ProgressTracker::startFile(const std::string &file)
{
    m_progress.file = file;
    report(true);
}

void ProgressTracker::addBytes(std::int64_t bytes, bool transferred)
{
    m_progress.bytesDone += bytes;
    if (transferred) {
        m_transferred += bytes;
        const auto now = Clock::now();
        m_samples.emplace_back(now, m_transferred);
        while (m_samples.size() > 2 && now - m_samples[1].first > kRateWindow)
            m_samples.pop_front();
    }
    report(false);
}

void ProgressTracker::dropBytes(std::int64_t bytes)
{
    m_progress.bytesDone -= bytes;
    report(true);
}

void ProgressTracker::finishFile()
{
    ++m_progress.filesDone;
    report(true);
}

void ProgressTracker::report(bool force)
{
    if (!m_callback)
        return;
    const auto now = Clock::now();
    if (!force && now - m_lastReport < kReportInterval)
        return;
    m_lastReport = now;
    const auto &[since, bytesThen] = m_samples.front();
    const double seconds = std::chrono::duration<double>(now - since).count();
    m_progress.bytesPerSecond = seconds > 0.05 ? double(m_transferred - bytesThen) / seconds : 0;
    m_progress.bytesTransferred = m_transferred;
    m_callback(m_progress);
}

} // namespace pairtune::hub::detail
