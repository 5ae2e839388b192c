// pairtune-cli compare RUN RUN... [--json]: how runs scored and which settings or data differ.

#include "cli/commands.h"
#include "io/jsonfile.h"
#include "train/runcomparison.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

namespace pairtune::cli {
namespace {

struct CompareArgs
{
    std::vector<std::string> runs;
    bool json = false;
};

std::string number(const std::optional<double> &value)
{
    if (!value)
        return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", *value);
    return text;
}

std::optional<double> metric(const EvaluationPoint *point, const std::string &name)
{
    if (!point)
        return std::nullopt;
    const auto found = point->metrics.find(name);
    return found == point->metrics.end() ? std::nullopt : std::optional<double>(found->second);
}

std::string statusText(const RunRecord &run)
{
    if (run.status == RunStatus::Stopped)
        return "stopped at step " + std::to_string(run.resumeStep.value_or(run.lastStep));
    return toString(run.status);
}

std::string date(std::int64_t unix)
{
    const std::time_t time = static_cast<std::time_t>(unix);
    std::tm local {};
    localtime_r(&time, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
    return text;
}

// Rows of cells printed with every column padded to its widest cell.
std::string table(const std::vector<std::vector<std::string>> &rows)
{
    std::vector<std::size_t> widths;
    for (const auto &row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    std::string out;
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            line += row[c] + std::string(c + 1 < row.size() ? widths[c] - row[c].size() + 2 : 0, ' ');
        out += line + "\n";
    }
    return out;
}

std::string describe(const RunComparison &comparison)
{
    std::vector<std::vector<std::string>> runs
        = { { "run", "status", "steps", "first loss", "last loss", "best", "started" } };
    for (const RunRecord &run : comparison.runs) {
        runs.push_back(
            { run.name, statusText(run), std::to_string(run.lastStep) + "/" + std::to_string(run.totalSteps),
                number(run.losses.empty() ? std::nullopt : std::optional<double>(run.losses.front().loss)),
                number(run.losses.empty() ? std::nullopt : std::optional<double>(run.losses.back().loss)),
                run.bestMetric + " " + number(run.bestValue)
                    + (run.bestStep >= 0 ? " at step " + std::to_string(run.bestStep) : std::string()),
                date(run.startedUnix) });
    }
    std::vector<std::vector<std::string>> metrics = { { "metric" } };
    for (const RunRecord &run : comparison.runs)
        metrics.front().push_back(run.name + " before → final");
    for (const std::string &name : comparison.metricNames) {
        std::vector<std::string> row = { name };
        for (const RunRecord &run : comparison.runs)
            row.push_back(
                number(metric(run.baseline(), name)) + " → " + number(metric(run.finalEvaluation(), name)));
        metrics.push_back(std::move(row));
    }
    std::string out = table(runs) + "\n" + table(metrics) + "\n";
    if (comparison.differences.empty())
        return out + "Settings and data: identical\n";
    std::vector<std::vector<std::string>> differences = { { "setting" } };
    for (const RunRecord &run : comparison.runs)
        differences.front().push_back(run.name);
    for (const SettingDifference &difference : comparison.differences) {
        std::vector<std::string> row = { difference.key };
        row.insert(row.end(), difference.values.begin(), difference.values.end());
        differences.push_back(std::move(row));
    }
    return out + "Settings and data that differ:\n" + table(differences);
}

} // namespace

void addCompareCommand(CLI::App &app)
{
    auto args = std::make_shared<CompareArgs>();
    CLI::App *cmd
        = app.add_subcommand("compare", "Compare training runs: metrics and the settings that differ");
    cmd->add_option("runs", args->runs, "Two or more run folders (the --out of `train`)")
        ->required()
        ->expected(2, -1);
    cmd->add_flag("--json", args->json, "Print one JSON object instead of tables");
    cmd->callback([args] {
        std::vector<RunRecord> runs;
        for (const std::string &path : args->runs)
            runs.push_back(readRunRecord(path));
        const RunComparison comparison = compareRuns(std::move(runs));
        const std::string text = args->json ? dumpJson(toJson(comparison), -1) + "\n" : describe(comparison);
        std::fwrite(text.data(), 1, text.size(), stdout);
    });
}

} // namespace pairtune::cli
