#pragma once

// What a configuration means in numbers before anything runs: split sizes, steps, and a time
// estimate. Pure functions (no widgets) so the settings page stays thin and the numbers are testable.

#include "recipe/trainingconfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {
class PairDataset;
struct ModelSummary;
struct StepTiming;
} // namespace pairtune

namespace pairtune::ui {

struct RunEstimate
{
    std::size_t pairs = 0;
    std::size_t trainPairs = 0;
    std::size_t evalPairs = 0;
    std::int64_t stepsPerEpoch = 0;
    std::int64_t totalSteps = 0; // after max_steps
    bool exactSteps = false; // counted with the real batch sampler (no-duplicates can add batches)
    std::int64_t evaluations = 0; // including the step-0 baseline
    // Pairs the evaluations in between score (TrainingConfig::evalSample, at most evalPairs); the
    // baseline and the last evaluation score all evalPairs, and the last the sample again (the best
    // checkpoint compares sample values).
    std::size_t evalSamplePairs = 0;
    std::int64_t evalPairsScored = 0; // summed over every evaluation of the run
    double seconds = 0.0; // training + evaluation time, 0 when unknown
    double evaluationSeconds = 0.0; // the part of seconds spent evaluating
    bool measured = false; // seconds from a measured speed (else a guess from the model size)
    bool fromMeasuredSteps = false; // measured: from StepTiming (else from an earlier run's speed)
    std::string problem; // why nothing could be computed (e.g. too few pairs)
};

struct EstimateInputs
{
    const PairDataset *dataset = nullptr;
    const ModelSummary *model = nullptr; // null: no time estimate
    double meanTokensPerText = 0; // 0: a guess from max_seq_length
    double measuredPairsPerSecond = 0; // from an earlier run with this model on this computer
    // Training steps of this model at these settings timed on this computer (train/steptiming.h);
    // preferred over measuredPairsPerSecond, which may come from another batch size or length.
    const StepTiming *stepTiming = nullptr;
};

RunEstimate estimateRun(const TrainingConfig &config, const EstimateInputs &inputs);

// How many evaluations the trainer runs (training/train/trainer.cpp's schedule): the step-0 baseline,
// one every evalEvery steps, one at each epoch end it reaches unless that step was just evaluated, and
// one at the last step. stepsPerEpoch: batches per epoch; totalSteps: after max_steps. The settings
// summary and the presets' descriptions both count with this.
std::int64_t plannedEvaluations(
    std::int64_t stepsPerEpoch, int epochs, std::int64_t totalSteps, std::int64_t evalEvery);

// Held-out pairs scored over a whole run (see RunEstimate::evalSamplePairs): evaluations of
// evaluations (plannedEvaluations), evalPairs held out, evalSample as TrainingConfig::evalSample
// (0 = all).
std::int64_t scoredEvalPairs(std::int64_t evaluations, std::size_t evalPairs, std::int64_t evalSample);

// "45 s", "12 min", "3 h 20 min".
std::string formatDuration(double seconds);

} // namespace pairtune::ui
