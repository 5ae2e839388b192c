#pragma once

#include "recipe/trainingconfig.h"

#include <QString>

#include <functional>

class QMenu;
class QWidget;

namespace pairtune::ui {

// File → Open run… and File → Recent runs: both open the Runs view (runsview.h), the recent ones with
// that run selected. `runsParent` gives the folder whose runs are listed (the train page's);
// `useSettings` receives a run's recipe merged into the current config (withSettingsOf).
void addRunsMenu(QMenu *file, QWidget *window, std::function<QString()> runsParent,
    std::function<void(const TrainingConfig &)> useSettings);

// `run`'s recipe with `current`'s data, base model and run folder: a new run on what is loaded now.
TrainingConfig withSettingsOf(const TrainingConfig &current, const TrainingConfig &run);

} // namespace pairtune::ui
