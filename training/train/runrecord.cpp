#include "train/runrecord.h"

#include "core/error.h"
#include "io/jsonfile.h"
#include "train/runfolder.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

std::int64_t modifiedUnix(const fs::path &path)
{
    std::error_code ec;
    const auto time = fs::last_write_time(path, ec);
    if (ec)
        return 0;
    const auto system = std::chrono::file_clock::to_sys(time); // GCC 12 lacks clock_cast
    return std::chrono::duration_cast<std::chrono::seconds>(system.time_since_epoch()).count();
}

std::string formatNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// Replaces the entries at or after `step` (a resume re-logs the steps after its checkpoint).
template <typename Point> void appendAtStep(std::vector<Point> &series, Point point)
{
    while (!series.empty() && series.back().step >= point.step)
        series.pop_back();
    series.push_back(std::move(point));
}

void replayEvents(RunRecord &record)
{
    bool ended = false; // the last "finished" event came after every other step of the run
    bool cancelled = false;
    for (const nlohmann::json &event : record.events) {
        const std::string type = event.value("type", std::string());
        const std::int64_t step = event.value("step", std::int64_t { 0 });
        if (type == "started") {
            record.totalSteps = event.value("total_steps", std::int64_t { 0 });
            ended = false;
        } else if (type == "step") {
            appendAtStep(record.losses,
                LossPoint { step, event.value("loss", 0.0), event.value("smoothed_loss", 0.0),
                    event.value("lr", 0.0) });
            record.lastStep = std::max(record.lastStep, step);
            ended = false;
        } else if (type == "evaluation" && event.contains("metrics") && event["metrics"].is_object()) {
            EvaluationPoint point { step, {} };
            for (const auto &[name, value] : event["metrics"].items()) {
                if (value.is_number())
                    point.metrics[name] = value.get<double>();
            }
            appendAtStep(record.evaluations, std::move(point));
        } else if (type == "finished") {
            ended = true;
            cancelled = event.value("message", std::string()) != "finished";
        }
    }
    if (ended)
        record.status = cancelled ? RunStatus::Stopped : RunStatus::Finished;
}

void findBest(RunRecord &record)
{
    for (const EvaluationPoint &point : record.evaluations) {
        const auto found = point.metrics.find(record.bestMetric);
        if (point.step == 0 || found == point.metrics.end())
            continue;
        // eval_loss is the one metric where lower is better (the trainer's best/ follows the same rule).
        const bool lowerIsBetter = record.bestMetric == "eval_loss";
        if (!record.bestValue
            || (lowerIsBetter ? found->second < *record.bestValue : found->second > *record.bestValue)) {
            record.bestValue = found->second;
            record.bestStep = point.step;
        }
    }
}

} // namespace

const char *toString(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return "running";
    case RunStatus::Stopped:
        return "stopped";
    case RunStatus::Finished:
        return "finished";
    }
    return "unknown";
}

const EvaluationPoint *RunRecord::baseline() const
{
    return !evaluations.empty() && evaluations.front().step == 0 ? &evaluations.front() : nullptr;
}

const EvaluationPoint *RunRecord::finalEvaluation() const
{
    return !evaluations.empty() && evaluations.back().step > 0 ? &evaluations.back() : nullptr;
}

std::string RunRecord::settingsSummary() const
{
    const nlohmann::json training = config.value("training", nlohmann::json::object());
    std::string text = "lr " + formatNumber(training.value("lr", 0.0)) + " · " + batchSummary() + " · "
        + std::to_string(training.value("epochs", 0)) + " epochs";
    if (training.value("max_steps", 0) > 0)
        text += " (max " + std::to_string(training.value("max_steps", 0)) + " steps)";
    return text + " · " + training.value("loss", std::string("?")) + "/"
        + training.value("similarity", std::string("?"));
}

std::string RunRecord::batchSummary() const
{
    const int batch = config.value("training", nlohmann::json::object()).value("batch_size", 0);
    if (processes <= 1)
        return "batch " + std::to_string(batch);
    return std::to_string(processes) + " processes × " + std::to_string(batch) + " = global batch "
        + std::to_string(globalBatchSize);
}

TrainingConfig RunRecord::singleProcessConfig() const
{
    TrainingConfig training = trainingConfigFromJson(config.at("training"), path + "/config.json");
    if (processes > 1)
        training.batchSize = static_cast<int>(globalBatchSize);
    return training;
}

bool isRunFolder(const std::string &path)
{
    std::error_code ec;
    const fs::path folder(path);
    return fs::is_regular_file(folder / "config.json", ec)
        && (fs::exists(folder / "metrics.jsonl", ec) || fs::is_directory(folder / "checkpoints", ec));
}

RunRecord readRunRecord(const std::string &path, std::int64_t nowUnix)
{
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        throw Error(locate(path, 0, 0, "is not a folder; give the folder of a training run (its --out)"));
    if (!isRunFolder(path))
        throw Error(locate(path, 0, 0,
            "is not a Pairtune run folder (no config.json with metrics.jsonl or checkpoints/); give the "
            "folder a training run wrote (its --out)"));
    // Constructed only after the check above: RunFolder::open would create checkpoints/ otherwise.
    const RunFolder folder = RunFolder::open(path);
    RunRecord record;
    record.path = path;
    record.name = fs::path(path).lexically_normal().filename().string();
    if (record.name.empty()) // "runs/a/" has an empty filename
        record.name = fs::path(path).lexically_normal().parent_path().filename().string();
    record.config = folder.readConfig();
    if (!record.config.is_object() || !record.config.contains("training"))
        throw Error(locate(
            folder.configPath(), 0, 0, "has no \"training\" settings; it was not written by Pairtune"));

    const nlohmann::json &training = record.config["training"];
    const std::string repo = training.value("base_repo_id", std::string());
    record.baseModel = repo.empty() ? training.value("base_path", std::string()) : repo;
    record.processes = record.config.value("processes", 1);
    record.globalBatchSize = record.config.value(
        "global_batch_size", std::int64_t { training.value("batch_size", 0) } * record.processes);
    record.bestMetric = training.value("best_metric", std::string("mrr@10"));
    for (const nlohmann::json &file : record.config.value("data", nlohmann::json::array()))
        record.dataFiles.push_back(
            { file.value("path", std::string()), file.value("sha256", std::string()) });

    record.events = folder.readMetrics();
    replayEvents(record);
    findBest(record);
    record.resumeStep = folder.latestCheckpoint();

    record.startedUnix = modifiedUnix(folder.configPath());
    record.updatedUnix
        = fs::exists(folder.metricsPath(), ec) ? modifiedUnix(folder.metricsPath()) : record.startedUnix;
    const bool ended = record.status == RunStatus::Finished
        || (!record.events.empty() && record.events.back().value("type", std::string()) == "finished");
    if (!ended) {
        const std::int64_t now = nowUnix > 0 ? nowUnix
                                             : std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                   .count();
        record.status
            = now - record.updatedUnix <= kRunningWindowSeconds ? RunStatus::Running : RunStatus::Stopped;
    }
    return record;
}

std::vector<RunRecord> listRunRecords(const std::string &parent, std::int64_t nowUnix)
{
    std::vector<RunRecord> records;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(parent, ec)) {
        if (!entry.is_directory(ec) || !isRunFolder(entry.path().string()))
            continue;
        try {
            records.push_back(readRunRecord(entry.path().string(), nowUnix));
        } catch (const Error &) {
            // A folder being created or a damaged config.json: the list shows the readable runs.
        }
    }
    std::sort(records.begin(), records.end(),
        [](const RunRecord &a, const RunRecord &b) { return a.startedUnix > b.startedUnix; });
    return records;
}

} // namespace pairtune
