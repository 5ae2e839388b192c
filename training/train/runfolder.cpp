#include "train/runfolder.h"

#include "core/error.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pairtune {

RunFolder::RunFolder(std::string path)
    : m_path(std::move(path))
{ }

RunFolder RunFolder::create(const std::string &path)
{
    std::error_code ec;
    if (fs::exists(fs::path(path) / "config.json", ec))
        throw Error(locate(path, 0, 0,
            "already holds a training run; choose another --out folder or continue it with --resume"));
    fs::create_directories(fs::path(path) / "checkpoints", ec);
    if (ec)
        throw Error(locate(path, 0, 0, "cannot create the run folder: " + ec.message()), Error::Kind::Io);
    RunFolder run(path);
    run.recoverAfterCrash(); // a start that was killed before config.json may have left staged files
    return run;
}

RunFolder RunFolder::open(const std::string &path)
{
    if (!fs::exists(fs::path(path) / "config.json"))
        throw Error(locate(path, 0, 0, "is not a Pairtune run folder (no config.json)"));
    std::error_code ec;
    fs::create_directories(fs::path(path) / "checkpoints", ec);
    return RunFolder(path);
}

std::string RunFolder::configPath() const
{
    return (fs::path(m_path) / "config.json").string();
}
std::string RunFolder::metricsPath() const
{
    return (fs::path(m_path) / "metrics.jsonl").string();
}
std::string RunFolder::checkpointsPath() const
{
    return (fs::path(m_path) / "checkpoints").string();
}
std::string RunFolder::checkpointPath(std::int64_t step) const
{
    return (fs::path(checkpointsPath()) / ("step-" + std::to_string(step))).string();
}
std::string RunFolder::bestModelPath() const
{
    return (fs::path(m_path) / "best").string();
}
std::string RunFolder::finalModelPath() const
{
    return (fs::path(m_path) / "model").string();
}
std::string RunFolder::summaryPath() const
{
    return (fs::path(m_path) / "summary.json").string();
}

void RunFolder::writeConfig(const nlohmann::json &config) const
{
    writeJsonFile(configPath(), config, 2);
}
nlohmann::json RunFolder::readConfig() const
{
    return readJsonFile(configPath());
}

void RunFolder::appendMetric(const nlohmann::json &event) const
{
    // One write() of a whole line with O_APPEND: a kill leaves at most one torn last line.
    const std::string line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const int fd = ::open(metricsPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(locate(metricsPath(), 0, 0, std::string("cannot open: ") + std::strerror(errno)),
            Error::Kind::Io);
    const ssize_t written = ::write(fd, line.data(), line.size());
    const int writeErrno = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(line.size()))
        throw Error(locate(metricsPath(), 0, 0, std::string("write failed: ") + std::strerror(writeErrno)),
            Error::Kind::Io);
}

std::vector<nlohmann::json> RunFolder::readMetrics() const
{
    std::vector<nlohmann::json> events;
    std::ifstream in(metricsPath(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
        if (!event.is_discarded())
            events.push_back(std::move(event));
    }
    return events;
}

void RunFolder::truncateMetricsAfter(std::int64_t step) const
{
    if (!fs::exists(metricsPath()))
        return;
    std::string kept;
    for (const nlohmann::json &event : readMetrics()) {
        if (event.value("step", std::int64_t { 0 }) <= step)
            kept += event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    writeFileAtomic(metricsPath(), kept);
}

std::vector<std::int64_t> RunFolder::checkpointSteps() const
{
    std::vector<std::int64_t> steps;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(checkpointsPath(), ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_directory() || name.rfind("step-", 0) != 0)
            continue;
        if (!fs::exists(entry.path() / "trainer_state.json"))
            continue;
        try {
            std::size_t used = 0;
            const std::int64_t step = std::stoll(name.substr(5), &used);
            if (used == name.size() - 5)
                steps.push_back(step);
        } catch (const std::exception &) { }
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

std::optional<std::int64_t> RunFolder::latestCheckpoint() const
{
    const auto steps = checkpointSteps();
    if (steps.empty())
        return std::nullopt;
    return steps.back();
}

namespace {

// Deleting a folder file by file is not atomic: a crash half-way leaves `step-N/` with
// trainer_state.json but no weights, which a resume would pick as the newest checkpoint. So the
// folder first moves (atomically) to a hidden `.step-N.deleting-*` name that no reader looks at and
// that recoverAfterCrash() clears, and only then is deleted.
void discardFolder(const std::string &path)
{
    const fs::path from(path);
    const fs::path aside
        = from.parent_path() / ("." + from.filename().string() + ".deleting-" + randomFileSuffix());
    std::error_code ec;
    fs::rename(from, aside, ec);
    if (ec) {
        fs::remove_all(from, ec);
        return;
    }
    syncDirectory(from.parent_path().string());
    fs::remove_all(aside, ec);
}

} // namespace

void RunFolder::pruneCheckpoints(int keep) const
{
    if (keep <= 0)
        return;
    auto steps = checkpointSteps();
    while (static_cast<int>(steps.size()) > keep) {
        discardFolder(checkpointPath(steps.front()));
        steps.erase(steps.begin());
    }
}

void RunFolder::quarantineCheckpointsFrom(std::int64_t step) const
{
    for (const std::int64_t bad : checkpointSteps()) {
        if (bad < step)
            continue;
        const std::string from = checkpointPath(bad);
        const std::string to = from + ".nonfinite";
        std::error_code ec;
        fs::remove_all(to, ec); // from an earlier attempt that failed the same way
        fs::rename(from, to, ec);
        if (ec) // a bad checkpoint that cannot be moved must not be picked up later
            discardFolder(from);
    }
}

void RunFolder::recoverAfterCrash() const
{
    for (const std::string &dir : { m_path, checkpointsPath() }) {
        std::error_code ec;
        std::vector<fs::path> leftovers;
        for (const auto &entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            const bool staged = name.size() > 1 && name[0] == '.'
                && (name.find(".partial-") != std::string::npos || name.find(".old-") != std::string::npos
                    || name.find(".deleting-") != std::string::npos);
            if (staged || name.find(".tmp-") != std::string::npos)
                leftovers.push_back(entry.path());
        }
        for (const fs::path &leftover : leftovers) {
            const std::string name = leftover.filename().string();
            const auto old = name.find(".old-");
            if (name[0] == '.' && old != std::string::npos) {
                const fs::path original = leftover.parent_path() / name.substr(1, old - 1);
                if (!fs::exists(original, ec)) {
                    fs::rename(leftover, original, ec);
                    if (!ec)
                        continue;
                }
            }
            fs::remove_all(leftover, ec);
        }
    }
}

} // namespace pairtune
