#pragma once

// What a run writes besides checkpoints: its config.json, the exported model folders with a model
// card, and summary.json; and `pairtune-cli export`, which copies a model out of a run.

#include "recipe/trainingconfig.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace pairtune {

class RunFolder;
class SentenceModel;

// config.json of a run: {"training": TrainingConfig, "data": [{path, sha256}], "versions", "compute"}.
nlohmann::json describeRun(const TrainingConfig &config);

// Saves the model to destination (atomically) with a model card describing the run; verdictSection
// (eval/verdictcard.h, the final model's) follows the held-out metrics.
void exportRunModel(const SentenceModel &model, const RunFolder &run, const TrainingConfig &config,
    const std::map<std::string, double> &evalBefore, const std::map<std::string, double> &evalAfter,
    const std::string &destination, const std::string &verdictSection = {});

struct TrainingData;
// RUN/eval-pairs.tsv: the held-out pairs (anchor, positive, score), for `pairtune-cli eval` and the
// GUI's before/after search.
void writeEvalPairs(const RunFolder &run, const TrainingData &data);

void writeSummary(const RunFolder &run, const nlohmann::json &summary);

// Copies a model folder out of a run: which = "" / "final" (run/model), "best" (run/best),
// "last" (newest checkpoint) or "step-N". Returns the source folder it copied.
std::string modelFolderInRun(const std::string &runPath, const std::string &which);
std::string exportFromRun(
    const std::string &runPath, const std::string &which, const std::string &destination);

} // namespace pairtune
