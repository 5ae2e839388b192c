#pragma once

#include "recipe/trainingconfig.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// A run folder read back as plain data (docs/architecture.md "Runs"): what the studio's Runs view lists,
// what reopening a run replays into the charts, and what `pairtune-cli compare` prints. Reading never
// writes to the folder, so it is safe on a run that another process is training.

enum class RunStatus {
    Running, // metrics.jsonl was written recently and the run has not ended: trained elsewhere now
    Stopped, // cancelled or killed; resumable from `resumeStep` when a checkpoint exists
    Finished, // ended normally: model/ holds the exported model
};
const char *toString(RunStatus status);

struct RunDataFile
{
    std::string path;
    std::string sha256;
};

struct LossPoint
{
    std::int64_t step = 0;
    double loss = 0.0;
    double smoothedLoss = 0.0;
    double learningRate = 0.0;
};

struct EvaluationPoint
{
    std::int64_t step = 0;
    std::map<std::string, double> metrics; // accuracy@1, mrr@10, ..., eval_loss
};

struct RunRecord
{
    std::string path;
    std::string name; // the folder's name: how runs are told apart in tables and legends
    nlohmann::json config; // config.json as written when the run started

    std::string baseModel; // training.base_repo_id when the base came from the Hub, else base_path
    // Under torchrun (docs/distributed.md): how many processes trained it, and the pairs of one step over
    // all of them (training.batch_size is per process). A single-process run: 1 and batch_size.
    int processes = 1;
    std::int64_t globalBatchSize = 0;
    std::vector<RunDataFile> dataFiles;

    RunStatus status = RunStatus::Stopped;
    std::int64_t lastStep = 0; // the last optimizer step logged
    std::int64_t totalSteps = 0; // planned steps (0 when the run never logged its start)
    std::optional<std::int64_t> resumeStep; // the newest complete checkpoint

    std::vector<LossPoint> losses; // one per step, in step order
    std::vector<EvaluationPoint> evaluations; // step 0 = the baseline before training
    std::vector<nlohmann::json> events; // every metrics.jsonl event, for replaying into a log

    std::string bestMetric; // training.best_metric (mrr@10 unless set)
    std::optional<double> bestValue; // highest bestMetric over the evaluations after step 0
    std::int64_t bestStep = -1;

    std::int64_t startedUnix = 0; // config.json's modification time (seconds since the epoch)
    std::int64_t updatedUnix = 0; // metrics.jsonl's modification time (startedUnix when absent)

    const EvaluationPoint *baseline() const; // the step-0 evaluation, if logged
    const EvaluationPoint *finalEvaluation() const; // the last evaluation after step 0, if any
    // "lr 2e-05 · batch 32 · 8 epochs · mnrl/dot": the settings a person scans a list of runs by.
    std::string settingsSummary() const;
    // "batch 32", or under torchrun "2 processes × 16 = global batch 32".
    std::string batchSummary() const;
    // The run's settings for a new single-process run that trains the same batches: under torchrun the
    // batch size becomes the global batch (one process with batch B×N draws what N processes × B drew).
    TrainingConfig singleProcessConfig() const;
};

// Within this many seconds of the last metrics.jsonl write, a run that has not ended counts as running
// elsewhere: training logs every step and evaluations of the studio's sizes take well under this.
constexpr std::int64_t kRunningWindowSeconds = 120;

// Reads RUN. Throws pairtune::Error naming the folder when it is not a run folder (no config.json)
// or config.json is unreadable. `nowUnix` (0 = the clock) decides Running vs Stopped.
RunRecord readRunRecord(const std::string &path, std::int64_t nowUnix = 0);

// True when `path` looks like a run folder (holds config.json and metrics.jsonl or checkpoints/).
bool isRunFolder(const std::string &path);

// The run folders directly inside `parent`, newest first; unreadable ones are skipped.
std::vector<RunRecord> listRunRecords(const std::string &parent, std::int64_t nowUnix = 0);

} // namespace pairtune
