// The engine's entry points for training (train/trainer.h) and the outline of a run: TrainingRun's
// phases live in trainingsetup.cpp, trainingloop.cpp and trainingresult.cpp (train/trainingrunimpl.h).

#include "train/trainer.h"

#include "core/error.h"
#include "core/log.h"
#include "data/sha256.h"
#include "dist/distributedcontext.h"
#include "train/runfolder.h"
#include "train/trainingrunimpl.h"

#include <filesystem>
#include <optional>

namespace pairtune {

TrainingResult TrainingRun::execute(std::optional<std::int64_t> resumeFrom)
{
    setUp(resumeFrom);
    const bool cancelled = runLoop(resumeFrom.has_value());
    return finish(cancelled);
}

void TrainingRun::emit(TrainingEvent event, bool record)
{
    event.totalEpochs = m_config.epochs;
    event.totalSteps = m_totalSteps;
    event.stepsPerEpoch = m_stepsPerEpoch;
    if (!writesRun())
        return; // distributed: rank 0 records and reports for every process
    if (record)
        m_run.appendMetric(toJson(event));
    if (m_callbacks.onEvent)
        m_callbacks.onEvent(event);
}

namespace {

// A resume must train on the very pairs the run started with: the split, the batches and the
// checkpoint's sampler position all depend on them.
void checkDataUnchanged(const nlohmann::json &stored, const std::string &configPath, bool allowChanged)
{
    if (!stored.contains("data") || !stored.at("data").is_array())
        throw Error(locate(configPath, 0, 0, "has no \"data\" list with the data files' sha256"));
    for (const nlohmann::json &entry : stored.at("data")) {
        const std::string path = entry.value("path", std::string());
        const std::string expected = entry.value("sha256", std::string());
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw Error(locate(path, 0, 0,
                "the run's data file is missing; put it back to resume (recorded in " + configPath + ")"));
        const std::string actual = sha256OfFile(path);
        if (actual == expected)
            continue;
        const std::string what = "has changed since the run started (sha256 " + expected.substr(0, 12)
            + "… in " + configPath + ", now " + actual.substr(0, 12) + "…)";
        if (!allowChanged)
            throw Error(locate(path, 0, 0,
                what
                    + "; resuming would continue on different pairs. Restore the file, start a new run, "
                      "or pass --allow-changed-data to resume anyway"));
        logWarning(locate(path, 0, 0, what + "; resuming anyway (--allow-changed-data)"));
    }
}

} // namespace

TrainingResult runTraining(const TrainingConfig &config, const TrainingCallbacks &callbacks)
{
    const std::vector<std::string> problems = validate(config);
    if (!problems.empty())
        throw Error(problems.front());
    for (const std::string &path : config.dataPaths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec))
            throw Error(locate(path, 0, 0, "is a folder; --data needs pair files (TSV, CSV, JSONL or JSON)"));
    }
    // Stored paths are absolute so that a resume works from any working directory.
    TrainingConfig stored = config;
    for (std::string &path : stored.dataPaths)
        path = std::filesystem::absolute(path).string();
    if (stored.basePath != "builtin")
        stored.basePath = std::filesystem::absolute(stored.basePath).string();
    const DistributedContext dist = DistributedContext::fromEnvironment();
    if (dist.distributed()) {
        const std::string under
            = "distributed training (WORLD_SIZE=" + std::to_string(dist.worldSize) + "): ";
        if (stored.device != "cpu" && stored.device != "cuda")
            throw Error(under + "--device " + stored.device
                + ": under torchrun use --device cpu (Gloo) or --device cuda (NCCL; LOCAL_RANK chooses each "
                  "process's GPU)");
        if (const std::string problem = ProcessGroup::unavailable(stored.device == "cuda"); !problem.empty())
            throw Error(under + "--device " + stored.device + " " + problem);
    }
    RunFolder run = dist.isMain() ? RunFolder::create(stored.outPath) : RunFolder::unwritten(stored.outPath);
    return TrainingRun(stored, std::move(run), callbacks, dist).execute(std::nullopt);
}

TrainingResult resumeTraining(
    const std::string &runPath, const TrainingCallbacks &callbacks, int threads, bool allowChangedData)
{
    // Under torchrun every rank reads the checkpoint; only rank 0 repairs and writes the folder, and the
    // others look at it only after that (the barrier).
    const DistributedContext dist = DistributedContext::fromEnvironment();
    std::unique_ptr<ProcessGroup> group;
    if (dist.distributed()) {
        // The backend follows the run's device (NCCL for cuda), read before joining: rank 0's repair
        // touches only checkpoints, never config.json.
        const nlohmann::json training
            = RunFolder::unwritten(runPath).readConfig().value("training", nlohmann::json::object());
        group = ProcessGroup::join(dist, training.value("device", std::string("cpu")) != "cpu");
    }
    RunFolder run = dist.isMain() ? RunFolder::open(runPath) : RunFolder::unwritten(runPath);
    if (dist.isMain())
        run.recoverAfterCrash();
    if (group)
        group->barrier();
    const nlohmann::json stored = run.readConfig();
    // --batch-size is per process: another process count would train on other global batches.
    if (const int processes = stored.value("processes", 1); processes != dist.worldSize)
        throw Error(runPath + ": the run was trained by " + std::to_string(processes) + " process"
            + (processes == 1 ? "" : "es") + " and is resumed with " + std::to_string(dist.worldSize)
            + "; its global batch (batch size × processes) would change, so it cannot continue exactly. "
            + (processes == 1 ? std::string("Resume it without torchrun")
                              : "Resume it under torchrun with --nproc_per_node × --nnodes = "
                        + std::to_string(processes))
            + " (docs/distributed.md)");
    TrainingConfig config = trainingConfigFromJson(stored.at("training"), run.configPath());
    checkDataUnchanged(stored, run.configPath(), allowChangedData);
    if (threads > 0)
        config.threads = threads;
    const std::optional<std::int64_t> latest = run.latestCheckpoint();
    if (!latest && dist.isMain()) {
        logWarning(runPath + ": no complete checkpoint yet; starting the run again from the beginning");
        run.truncateMetricsAfter(-1);
    }
    return TrainingRun(config, std::move(run), callbacks, dist, std::move(group)).execute(latest);
}

} // namespace pairtune
