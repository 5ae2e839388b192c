#pragma once

#include <QString>

#include <functional>

class QMenu;
class QWidget;

namespace pairtune::ui {

// File → Open run… and File → Recent runs: both open the Runs view (runsview.h), the recent ones with
// that run selected. `runsParent` gives the folder whose runs are listed (the train page's).
void addRunsMenu(QMenu *file, QWidget *window, std::function<QString()> runsParent);

} // namespace pairtune::ui
