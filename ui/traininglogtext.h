#pragma once

#include "train/trainingevent.h"

#include <QString>

namespace pairtune::ui {

// The train page's log line for an engine event (live or replayed from metrics.jsonl); empty for
// events the log does not show (steps: they are the progress line and the charts).
QString trainingLogLine(const TrainingEvent &event);

} // namespace pairtune::ui
