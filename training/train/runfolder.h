#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// The folder of one training run (docs/architecture.md "Run folder"):
//   config.json        the TrainingConfig, data hashes, versions, threads
//   metrics.jsonl      one JSON event per line
//   checkpoints/step-N a sentence-transformers folder (model/) + optimizer.safetensors + trainer_state.json
//   best/              the model folder of the best evaluation so far
//   model/             the final exported model
//   summary.json       the result of the finished run
// Every file and folder is written atomically; metrics.jsonl is append-only and a torn last line
// (after a kill) is skipped when read.
class RunFolder
{
public:
    // Opens an existing run folder (for resume/export) or creates a new one. A new run refuses a
    // folder that already holds a run, so finished work is never overwritten.
    static RunFolder create(const std::string &path);
    static RunFolder open(const std::string &path);
    // The paths of a run folder another process writes, without touching the disk: the ranks other
    // than 0 of a distributed run (dist/distributedcontext.h), which write nothing there.
    static RunFolder unwritten(const std::string &path) { return RunFolder(path); }

    const std::string &path() const { return m_path; }
    std::string configPath() const;
    std::string metricsPath() const;
    std::string checkpointsPath() const;
    std::string checkpointPath(std::int64_t step) const;
    std::string bestModelPath() const;
    std::string finalModelPath() const;
    std::string summaryPath() const;

    void writeConfig(const nlohmann::json &config) const;
    nlohmann::json readConfig() const;
    void appendMetric(const nlohmann::json &event) const;
    std::vector<nlohmann::json> readMetrics() const;
    // Drops metric lines from steps after `step` (a resume replays them).
    void truncateMetricsAfter(std::int64_t step) const;

    // Complete checkpoints, oldest first (a folder counts once its trainer_state.json exists).
    std::vector<std::int64_t> checkpointSteps() const;
    std::optional<std::int64_t> latestCheckpoint() const;
    void pruneCheckpoints(int keep) const; // keep the newest `keep` (0 = all)

    // After a non-finite loss: checkpoints from `step` on hold weights that led to it. They are
    // renamed `step-N.nonfinite` (kept for inspection, never picked by resume or `export last`).
    void quarantineCheckpointsFrom(std::int64_t step) const;

    // Before a resume: a kill can leave staging leftovers of the atomic writers
    // (`.<name>.partial-*`, `.<name>.old-*`, `<file>.tmp-*`) and half-deleted pruned checkpoints
    // (`.step-N.deleting-*`) in the run folder and checkpoints/.
    // A `.<name>.old-*` whose `<name>` is missing (a kill between the two renames of a replace on a
    // file system without RENAME_EXCHANGE) is put back; everything else is removed.
    void recoverAfterCrash() const;

private:
    explicit RunFolder(std::string path);
    std::string m_path;
};

} // namespace pairtune
