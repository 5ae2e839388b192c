#pragma once

#include "train/runrecord.h"

#include <map>
#include <string>
#include <vector>

namespace pairtune {

// Two or more runs side by side: which settings and data differ, and how each run scored.
// Plain data; `pairtune-cli compare` and the studio's comparison print the same thing.

struct SettingDifference
{
    std::string key; // a flattened config.json key: "training.lr", "data[0].sha256", "prompts.anchor"
    std::vector<std::string> values; // one per run, in run order; "(not set)" where a run lacks the key
};

struct RunComparison
{
    std::vector<RunRecord> runs;
    std::vector<SettingDifference> differences; // sorted by key
    std::vector<std::string> metricNames; // the metrics every table shows, in display order
};

// config.json flattened to "a.b" / "a[0].b" keys with JSON-text values (strings unquoted). Keys that
// name the run rather than its settings (training.out_path, compute: the machine's libraries and
// thread count) are left out, so two runs of the same settings show no difference.
std::map<std::string, std::string> flattenRunSettings(const nlohmann::json &config);

RunComparison compareRuns(std::vector<RunRecord> runs);

// The comparison as one JSON object (what `pairtune-cli compare --json` prints).
nlohmann::json toJson(const RunComparison &comparison);

} // namespace pairtune
