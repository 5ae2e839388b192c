#include "cli/progressline.h"

#include "train/runverdict.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unistd.h>

namespace pairtune::cli {

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const long total = std::lround(seconds);
    char buffer[32];
    if (total >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", total / 3600, (total / 60) % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%ldm%02lds", total / 60, total % 60);
    return buffer;
}

namespace {
double secondsNow()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

std::string formatBytes(double bytes)
{
    char buffer[32];
    if (bytes < 1000)
        std::snprintf(buffer, sizeof buffer, "%.0f B", bytes);
    else if (bytes < 1e6)
        std::snprintf(buffer, sizeof buffer, "%.1f kB", bytes / 1e3);
    else if (bytes < 1e9)
        std::snprintf(buffer, sizeof buffer, "%.1f MB", bytes / 1e6);
    else
        std::snprintf(buffer, sizeof buffer, "%.2f GB", bytes / 1e9);
    return buffer;
}

DownloadProgressLine::DownloadProgressLine(bool enabled)
    : m_enabled(enabled)
    , m_terminal(isatty(STDERR_FILENO) != 0)
    , m_start(secondsNow())
{ }

DownloadProgressLine::~DownloadProgressLine()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
}

void DownloadProgressLine::show(const hub::DownloadProgress &p)
{
    // Quiet until bytes actually come over the network: a model already in the cache prints nothing.
    // (Not the rate: a small download on a fast link can end before a rate is measured.)
    if (!m_enabled || p.filesTotal == 0 || (!m_announced && p.bytesTransferred <= 0))
        return;
    const double now = secondsNow() - m_start;
    if (!m_announced) {
        m_announced = true;
        if (!m_terminal)
            std::fprintf(stderr, "downloading %s: %d files%s%s\n", p.repoId.c_str(), p.filesTotal,
                p.bytesTotal > 0 ? ", " : "",
                p.bytesTotal > 0 ? formatBytes(double(p.bytesTotal)).c_str() : "");
    }
    if (!m_terminal && now - m_lastPrint < 10.0)
        return;
    if (m_terminal && m_lastPrint >= 0 && now - m_lastPrint < 0.1 && p.filesDone < p.filesTotal)
        return; // a terminal repaints at most ten times a second
    m_lastPrint = now;
    const double remaining = double(p.bytesTotal - p.bytesDone);
    const double eta = p.bytesPerSecond > 0 && p.bytesTotal > 0 ? remaining / p.bytesPerSecond : NAN;
    char percent[16] = "";
    if (p.bytesTotal > 0)
        std::snprintf(
            percent, sizeof percent, "%3.0f%% ", 100.0 * double(p.bytesDone) / double(p.bytesTotal));
    std::fprintf(stderr, "%s%s %s%s/%s %s/s eta %s, file %d/%d %s%s", m_terminal ? "\r\033[K" : "",
        p.repoId.c_str(), percent, formatBytes(double(p.bytesDone)).c_str(),
        p.bytesTotal > 0 ? formatBytes(double(p.bytesTotal)).c_str() : "?",
        formatBytes(p.bytesPerSecond).c_str(), formatDuration(eta).c_str(),
        std::min(p.filesDone + 1, p.filesTotal), p.filesTotal, p.file.c_str(), m_terminal ? "" : "\n");
    m_lineOpen = m_terminal;
    std::fflush(stderr);
}

StageProgressLine::StageProgressLine(bool enabled)
    : m_enabled(enabled)
    , m_terminal(isatty(STDERR_FILENO) != 0)
    , m_start(secondsNow())
{ }

StageProgressLine::~StageProgressLine()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
}

void StageProgressLine::show(double fraction, const std::string &what)
{
    if (!m_enabled)
        return;
    const double now = secondsNow() - m_start;
    const bool newPhrase = what != m_lastWhat;
    if (m_lastPrint >= 0 && now - m_lastPrint < (m_terminal ? 0.1 : 1.0) && !(m_terminal && fraction >= 1.0))
        return;
    if (!m_terminal && !newPhrase)
        return;
    m_lastPrint = now;
    m_lastWhat = what;
    const int percent = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 100));
    if (m_terminal) {
        std::fprintf(stderr, "\r\033[K[%3d%%] %s", percent, what.c_str());
        m_lineOpen = true;
    } else {
        std::fprintf(stderr, "[%3d%%] %s\n", percent, what.c_str());
    }
    std::fflush(stderr);
}

void StageProgressLine::finish()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
    m_lineOpen = false;
}

void DownloadProgressLine::finish()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
    m_lineOpen = false;
}

ProgressLine::ProgressLine(bool enabled)
    : m_enabled(enabled)
    , m_terminal(isatty(STDERR_FILENO) != 0)
{ }

void ProgressLine::show(const TrainingEvent &e)
{
    if (!m_enabled)
        return;
    auto closeLine = [this] {
        if (m_lineOpen)
            std::fputc('\n', stderr);
        m_lineOpen = false;
    };
    switch (e.type) {
    case TrainingEvent::Type::Started:
        closeLine();
        std::fprintf(stderr,
            "training on %zu pairs, evaluating on %zu; %lld steps (%lld per epoch, %d epochs)%s%s\n",
            e.trainPairs, e.evalPairs, static_cast<long long>(e.totalSteps),
            static_cast<long long>(e.stepsPerEpoch), e.totalEpochs, e.message.empty() ? "" : "; ",
            e.message.c_str());
        break;
    case TrainingEvent::Type::Step: {
        // On a terminal: rewrite one line. In a log: one line every 10 seconds at most.
        if (!m_terminal && e.step != e.totalSteps && e.elapsedSeconds - m_lastPrint < 10.0)
            return;
        m_lastPrint = e.elapsedSeconds;
        std::fprintf(stderr,
            "%sepoch %d/%d step %lld/%lld loss %.4f (avg %.4f) lr %.2e %.1f pairs/s elapsed %s eta %s%s",
            m_terminal ? "\r\033[K" : "", e.epoch + 1, e.totalEpochs, static_cast<long long>(e.step),
            static_cast<long long>(e.totalSteps), e.loss, e.smoothedLoss, e.learningRate, e.pairsPerSecond,
            formatDuration(e.elapsedSeconds).c_str(), formatDuration(e.etaSeconds).c_str(),
            m_terminal ? "" : "\n");
        m_lineOpen = m_terminal;
        break;
    }
    case TrainingEvent::Type::Evaluation: {
        closeLine();
        auto metric = [&e](const char *key) {
            const auto it = e.metrics.find(key);
            return it == e.metrics.end() ? NAN : it->second;
        };
        std::fprintf(stderr,
            "eval at step %lld: mrr@10 %.4f accuracy@1 %.4f ndcg@10 %.4f cos pos %.3f neg %.3f%s%s\n",
            static_cast<long long>(e.step), metric("mrr@10"), metric("accuracy@1"), metric("ndcg@10"),
            metric("mean_cos_pos"), metric("mean_cos_neg"), e.message.empty() ? "" : " — ",
            e.message.c_str());
        break;
    }
    case TrainingEvent::Type::Message:
        // The verdict comes once, in the closing summary with its file (describeResult).
        if (e.message.rfind(kVerdictMessagePrefix, 0) == 0)
            break;
        closeLine();
        std::fprintf(stderr, "%s\n", e.message.c_str());
        break;
    case TrainingEvent::Type::Checkpoint:
    case TrainingEvent::Type::Finished:
        break;
    }
    std::fflush(stderr);
}

void ProgressLine::finish()
{
    if (m_lineOpen)
        std::fputc('\n', stderr);
    m_lineOpen = false;
}

std::string describeResult(const TrainingResult &r)
{
    std::ostringstream out;
    char line[160];
    out << (r.cancelled ? "cancelled" : "finished") << " after " << r.steps << " steps ("
        << formatDuration(r.trainSeconds) << " training, ";
    std::snprintf(
        line, sizeof line, "%.1f pairs/s, %s)\n\n", r.pairsPerSecond, r.bf16 ? "bfloat16" : "float32");
    out << line;
    out << "held-out metric      before    after\n";
    for (const char *key :
        { "accuracy@1", "accuracy@10", "mrr@10", "ndcg@10", "mean_cos_pos", "mean_cos_neg" }) {
        const auto before = r.evalBefore.find(key);
        const auto after = r.evalAfter.find(key);
        if (before == r.evalBefore.end() && after == r.evalAfter.end())
            continue;
        std::snprintf(line, sizeof line, "%-18s %8.4f %8.4f\n", key,
            before == r.evalBefore.end() ? NAN : before->second,
            after == r.evalAfter.end() ? NAN : after->second);
        out << line;
    }
    if (!r.verdict.empty())
        out << "\nverdict: " << r.verdict << " (" << r.runPath << "/verdict.json)\n";
    if (!r.generalCheck.empty())
        out << "do-no-harm check: " << r.generalCheck << "\n";
    out << "\nrun folder: " << r.runPath << "\n";
    if (!r.modelPath.empty())
        out << "model:      " << r.modelPath << "\n";
    if (!r.bestModelPath.empty())
        out << "best model: " << r.bestModelPath << " (step " << r.bestStep << ")\n";
    return out.str();
}

} // namespace pairtune::cli
