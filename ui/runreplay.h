#pragma once

#include "train/runrecord.h"
#include "train/trainer.h"
#include "train/trainingevent.h"

#include <vector>

namespace pairtune::ui {

// A run folder read back (runrecord.h) in the shapes the live studio works with, so an opened run is
// shown by the same code that shows a running one: metrics.jsonl's lines as the trainer's events (in
// file order: a resume's "started" at its checkpoint step drops what was drawn after it), and the
// outcome the trainer would have returned.

TrainingEvent trainingEventFromJson(const nlohmann::json &line);
std::vector<TrainingEvent> trainingEventsOf(const RunRecord &run);

// Finished: model/ and best/ when present. Stopped (or running elsewhere): cancelled, at the last step
// logged; Try & Export then offers the newest checkpoint.
TrainingResult trainingResultOf(const RunRecord &run);

} // namespace pairtune::ui
