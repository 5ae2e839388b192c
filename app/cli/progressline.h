#pragma once

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

// Before/after table and output paths, for a person.
std::string describeResult(const TrainingResult &result);
std::string formatDuration(double seconds);

} // namespace pairtune::cli
