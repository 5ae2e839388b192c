#pragma once

#include "data/importoptions.h"
#include "recipe/trainingconfig.h"
#include "ui/dataloader.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace pairtune::ui {

// What the studio was working on when it was closed, so the next start continues there: the pair
// files with how they are read (column mapping) and the fixes, the base model, the settings and the
// run shown on the Train page. Kept in the preferences (QSettings writes its file atomically); the
// training settings themselves also live in each run's config.json.
struct StudioSession
{
    QStringList dataFiles;
    ImportOptions importOptions;
    DataFixes fixes;
    // "builtin", "folder", "hub", or empty when no model was chosen.
    QString modelSource;
    QString modelFolder; // for "folder"
    QString hubRepo; // for "hub"
    QString hubRevision;
    std::optional<TrainingConfig> settings;
    QString currentRun; // the run folder the Train page showed
    int step = 0; // the wizard page that was open
};

nlohmann::json toJson(const StudioSession &session);
// Unknown or mistyped keys are skipped (a session from another version restores what it can);
// throws pairtune::Error only when `json` is not an object.
StudioSession studioSessionFromJson(const nlohmann::json &json);

// The saved session, if any (preferences key "session/state").
std::optional<StudioSession> loadStudioSession();
void saveStudioSession(const StudioSession &session);
void clearStudioSession();

} // namespace pairtune::ui
