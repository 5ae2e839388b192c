#pragma once

#include "hub/hubclient.h"
#include "train/trainer.h"
#include "train/trainingevent.h"

#include <string>

namespace pairtune::cli {

// The CLI's view of training: a progress line rewritten in place on a terminal (stderr), plain
// lines for evaluations and checkpoints, nothing when quiet.
class ProgressLine
{
public:
    explicit ProgressLine(bool enabled);
    void show(const TrainingEvent &event);
    void finish();

private:
    bool m_enabled;
    bool m_terminal;
    bool m_lineOpen = false;
    double m_lastPrint = -1.0;
};

// A model download on stderr: on a terminal one bar rewritten in place (percent, bytes, bytes/s, ETA,
// the file now transferring); in a log one line when the file list is known, then one every 10 s at
// most. Nothing is printed before bytes arrive, so a refused request leaves one error line and a cached
// model no line at all.
class DownloadProgressLine
{
public:
    explicit DownloadProgressLine(bool enabled);
    ~DownloadProgressLine(); // ends an open line, so an error message starts on its own line
    void show(const hub::DownloadProgress &progress);
    void finish();

private:
    bool m_enabled;
    bool m_terminal;
    bool m_lineOpen = false;
    bool m_announced = false;
    double m_start;
    double m_lastPrint = -1.0;
};

// A long single job (an export) on stderr: on a terminal "[ 42%] writing onnx/model.onnx" rewritten in
// place ten times a second at most; in a log a line each time the phrase changes, one a second at most.
class StageProgressLine
{
public:
    explicit StageProgressLine(bool enabled);
    ~StageProgressLine(); // ends an open line, so an error message starts on its own line
    void show(double fraction, const std::string &what);
    void finish();

private:
    bool m_enabled;
    bool m_terminal;
    bool m_lineOpen = false;
    double m_start;
    double m_lastPrint = -1.0;
    std::string m_lastWhat;
};

std::string formatBytes(double bytes); // "512 B", "4.2 kB", "87.3 MB", "1.20 GB" (powers of 1000, as the Hub)

// Before/after table and output paths, for a person.
std::string describeResult(const TrainingResult &result);
std::string formatDuration(double seconds);

} // namespace pairtune::cli
