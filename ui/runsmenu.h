#pragma once

#include "recipe/trainingconfig.h"

#include <QString>

#include <functional>

class QMenu;
class QWidget;

namespace pairtune::ui {

// File → Open run… opens the Runs view (runsview.h); File → Recent runs opens a run directly.
// `runsParent` gives the folder whose runs are listed (the train page's); `useSettings` receives a
// run's recipe ("New run with these settings"); `openRun` shows a run folder in the window.
void addRunsMenu(QMenu *file, QWidget *window, std::function<QString()> runsParent,
    std::function<void(const TrainingConfig &)> useSettings, std::function<void(const QString &)> openRun);

// `run`'s recipe with `current`'s data, base model and run folder: a new run on what is loaded now.
TrainingConfig withSettingsOf(const TrainingConfig &current, const TrainingConfig &run);

} // namespace pairtune::ui
