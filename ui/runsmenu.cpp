#include "ui/runsmenu.h"

#include "ui/runsview.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>

namespace pairtune::ui {
namespace {

using UseSettings = std::function<void(const TrainingConfig &)>;
using OpenRun = std::function<void(const QString &)>;

RunsView *openRunsView(QWidget *window, const UseSettings &useSettings, const OpenRun &openRun,
    const QString &parent, const QString &run = {})
{
    auto *view = new RunsView(window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(view, &RunsView::useSettingsRequested, window, useSettings);
    QObject::connect(view, &RunsView::openRequested, window, openRun);
    if (!parent.isEmpty() && QFileInfo(parent).isDir())
        view->setParentFolder(parent);
    if (!run.isEmpty())
        view->selectRun(run);
    view->show();
    return view;
}

} // namespace

TrainingConfig withSettingsOf(const TrainingConfig &current, const TrainingConfig &run)
{
    // The data files (and their sheet), the base model and the output folder stay today's choice.
    return withRunInputsOf(run, current);
}

void addRunsMenu(QMenu *file, QWidget *window, std::function<QString()> runsParent, UseSettings useSettings,
    OpenRun openRun)
{
    QAction *open = file->addAction(QObject::tr("Open &run…"));
    open->setObjectName(QStringLiteral("openRunAction"));
    QObject::connect(open, &QAction::triggered, window, [window, runsParent, useSettings, openRun] {
        openRunsView(window, useSettings, openRun, runsParent());
    });
    QMenu *recent = file->addMenu(QObject::tr("Recent r&uns"));
    recent->setObjectName(QStringLiteral("recentRunsMenu"));
    // Filled when opened: runs finish and get exported while the window lives.
    QObject::connect(recent, &QMenu::aboutToShow, window, [recent, window, openRun] {
        recent->clear();
        const QStringList runs = recentRuns();
        for (const QString &run : runs)
            recent->addAction(QDir::toNativeSeparators(run), window, [openRun, run] { openRun(run); });
        if (runs.isEmpty())
            recent->addAction(QObject::tr("(none yet)"))->setEnabled(false);
    });
}

} // namespace pairtune::ui
