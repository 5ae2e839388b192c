#include "train/runcomparison.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

namespace pairtune {
namespace {

// Keys that differ between any two runs without saying anything about their settings.
bool isRunSpecific(const std::string &key)
{
    return key == "training.out_path" || key == "compute" || key.rfind("compute.", 0) == 0;
}

void flatten(const nlohmann::json &value, const std::string &key, std::map<std::string, std::string> &out)
{
    if (isRunSpecific(key))
        return;
    if (value.is_object() && !value.empty()) {
        for (const auto &[name, child] : value.items())
            flatten(child, key.empty() ? name : key + "." + name, out);
    } else if (value.is_array() && !value.empty()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            flatten(value[i], key + "[" + std::to_string(i) + "]", out);
    } else if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>()
        && std::fabs(value.get<double>()) < 1e15) {
        // 1.0 and 1 are the same setting (a config.json edited by another JSON writer drops the ".0").
        out[key] = std::to_string(static_cast<std::int64_t>(value.get<double>()));
    } else {
        out[key] = value.is_string() ? value.get<std::string>()
                                     : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
}

nlohmann::json metricsJson(const EvaluationPoint *point)
{
    return point ? nlohmann::json(point->metrics) : nlohmann::json(nullptr);
}

} // namespace

std::map<std::string, std::string> flattenRunSettings(const nlohmann::json &config)
{
    std::map<std::string, std::string> out;
    flatten(config, "", out);
    return out;
}

RunComparison compareRuns(std::vector<RunRecord> runs)
{
    RunComparison comparison;
    std::vector<std::map<std::string, std::string>> settings;
    std::set<std::string> keys;
    bool distributed = false;
    for (const RunRecord &run : runs) {
        settings.push_back(flattenRunSettings(run.config));
        // Every run has a process count and a global batch, written or not (a single-process run: 1 and
        // its batch size), so a run under torchrun compares with one that was not by what it trained on.
        settings.back()["processes"] = std::to_string(run.processes);
        settings.back()["global_batch_size"] = std::to_string(run.globalBatchSize);
        distributed = distributed || run.processes > 1;
        for (const auto &[key, value] : settings.back())
            keys.insert(key);
    }
    for (const std::string &key : keys) { // std::set: sorted
        SettingDifference difference { key, {} };
        for (const auto &flat : settings) {
            const auto found = flat.find(key);
            difference.values.push_back(found == flat.end() ? "(not set)" : found->second);
        }
        const bool allEqual = std::all_of(difference.values.begin(), difference.values.end(),
            [&](const std::string &value) { return value == difference.values.front(); });
        // Under torchrun batch_size is per process: the global batch is shown even when equal, as what
        // the batch sizes that differ amount to.
        if (!allEqual || (distributed && key == "global_batch_size"))
            comparison.differences.push_back(std::move(difference));
    }
    // The retrieval metrics the studio charts, then eval_loss; each run's best metric joins them.
    comparison.metricNames = { "accuracy@1", "accuracy@10", "mrr@10", "ndcg@10", "eval_loss" };
    for (const RunRecord &run : runs) {
        if (std::find(comparison.metricNames.begin(), comparison.metricNames.end(), run.bestMetric)
            == comparison.metricNames.end())
            comparison.metricNames.push_back(run.bestMetric);
    }
    comparison.runs = std::move(runs);
    return comparison;
}

nlohmann::json toJson(const RunComparison &comparison)
{
    nlohmann::json runs = nlohmann::json::array();
    for (const RunRecord &run : comparison.runs) {
        nlohmann::json data = nlohmann::json::array();
        for (const RunDataFile &file : run.dataFiles)
            data.push_back({ { "path", file.path }, { "sha256", file.sha256 } });
        runs.push_back({ { "name", run.name }, { "path", run.path }, { "status", toString(run.status) },
            { "base_model", run.baseModel }, { "data", data }, { "settings", run.settingsSummary() },
            { "steps", run.lastStep }, { "total_steps", run.totalSteps },
            { "resume_step", run.resumeStep ? nlohmann::json(*run.resumeStep) : nlohmann::json(nullptr) },
            { "first_loss",
                run.losses.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.losses.front().loss) },
            { "last_loss",
                run.losses.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.losses.back().loss) },
            { "baseline", metricsJson(run.baseline()) }, { "final", metricsJson(run.finalEvaluation()) },
            { "best",
                { { "metric", run.bestMetric },
                    { "value", run.bestValue ? nlohmann::json(*run.bestValue) : nlohmann::json(nullptr) },
                    { "step", run.bestStep } } },
            { "started_unix", run.startedUnix }, { "updated_unix", run.updatedUnix } });
    }
    nlohmann::json differences = nlohmann::json::array();
    for (const SettingDifference &difference : comparison.differences)
        differences.push_back({ { "key", difference.key }, { "values", difference.values } });
    return { { "runs", runs }, { "differences", differences }, { "metrics", comparison.metricNames } };
}

} // namespace pairtune
