#pragma once

#include "recipe/trainingconfig.h"
#include "train/trainingevent.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace pairtune {

// How the trainer talks to whoever runs it. Both are called on the training thread.
struct TrainingCallbacks
{
    std::function<void(const TrainingEvent &)> onEvent; // may be empty
    std::function<bool()> stopRequested; // polled before every step; may be empty
    // For exact comparisons with a reference implementation: after the first optimizer step, write
    // the batch's token ids, the loss and the gradients (before and after clipping) to this folder.
    std::string debugDumpFolder;
};

struct TrainingResult
{
    bool cancelled = false;
    std::int64_t steps = 0;
    std::int64_t totalSteps = 0;
    std::size_t trainPairs = 0;
    std::size_t evalPairs = 0;
    double trainSeconds = 0.0; // time spent in training steps only
    double pairsPerSecond = 0.0;
    bool bf16 = false; // the matrix products ran in bfloat16 (TrainingConfig::bf16, Auto resolved)
    double firstLoss = 0.0;
    double lastLoss = 0.0;
    std::map<std::string, double> evalBefore;
    std::map<std::string, double> evalAfter;
    std::int64_t bestStep = -1;
    double bestValue = 0.0;
    std::string runPath;
    std::string modelPath; // the exported final model (empty when cancelled)
    std::string bestModelPath;
    // The verdict of the base against the final model on the held-out pairs (train/runverdict.h):
    // its one line (empty without held-out pairs or when cancelled), and the model card's section.
    std::string verdict;
    std::string verdictCard; // with the general check's section when it ran
    // The do-no-harm check's line (train/generalcheck.h); empty when it did not run.
    std::string generalCheck;
};

// The summary object of the CLI's `train --json` (docs/architecture.md contract).
nlohmann::json toJson(const TrainingResult &result);

// Runs the recipe: a new run in config.outPath. Throws pairtune::Error for problems a person can fix
// (bad data, bad model, invalid settings, non-finite loss: the last good checkpoint is kept).
TrainingResult runTraining(const TrainingConfig &config, const TrainingCallbacks &callbacks);

// Continues the run in runPath from its newest complete checkpoint, to the same result as an
// uninterrupted run with the same thread count. threads > 0 overrides the stored setting.
// Refuses (Error naming the file) when a data file is missing or its sha256 differs from the one in
// config.json, unless allowChangedData.
TrainingResult resumeTraining(const std::string &runPath, const TrainingCallbacks &callbacks, int threads = 0,
    bool allowChangedData = false);

} // namespace pairtune
