#pragma once

// A model folder's own tested fine-tuning settings: pairtune_tuning.json next to modules.json
// (docs/model-tuning.md). Sentence-transformers ignores the file, so the folder still loads in Python.
// The built-in model ships one: the recipe's lr 2e-5 barely moves a small model trained from scratch,
// and its tested flags are worth knowing before a run.

#include "recipe/trainingconfig.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace pairtune {

inline constexpr const char *kModelTuningFile = "pairtune_tuning.json";

struct ModelTuning
{
    std::string source; // the file it was read from
    // Recipe knobs as TrainingConfig JSON keys ("lr", "warmup_steps", ...): numbers and names only.
    nlohmann::json settings = nlohmann::json::object();
    std::string tested; // what the settings did, on which data (one sentence)
    // Settings that barely move this model (e.g. {"lr": 2e-5}) and what they did (a short phrase).
    nlohmann::json slowSettings = nlohmann::json::object();
    std::string slowResult;
};

// Reads folder/pairtune_tuning.json (folder: a resolved model folder, not "builtin"); nullopt when the
// folder has none. A file that is there but malformed throws pairtune::Error naming the file, so a
// typo never silently drops the settings.
std::optional<ModelTuning> readModelTuning(const std::string &folder);
// Parses the file's JSON; source names it in errors.
ModelTuning modelTuningFromJson(const nlohmann::json &json, const std::string &source);

// config with the tuning's settings applied (everything else kept).
TrainingConfig applyModelTuning(const TrainingConfig &config, const ModelTuning &tuning);
// The settings as pairtune-cli train flags, sorted by name: "--epochs 4 --lr 0.0003 ...".
std::string tuningFlags(const ModelTuning &tuning);
// True when config has every value the tuning calls slow (e.g. lr 2e-5).
bool usesSlowSettings(const TrainingConfig &config, const ModelTuning &tuning);
// One line for the CLI and the studio when usesSlowSettings: what is slow, what it did, the better
// flags. Empty otherwise.
std::string slowSettingsWarning(const TrainingConfig &config, const ModelTuning &tuning);

} // namespace pairtune
