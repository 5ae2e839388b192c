#include "ui/runsmenu.h"

#include "ui/runsview.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>

namespace pairtune::ui {
namespace {

RunsView *openRunsView(QWidget *window, const QString &parent, const QString &run = {})
{
    auto *view = new RunsView(window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    if (!parent.isEmpty() && QFileInfo(parent).isDir())
        view->setParentFolder(parent);
    if (!run.isEmpty())
        view->selectRun(run);
    view->show();
    return view;
}

} // namespace

void addRunsMenu(QMenu *file, QWidget *window, std::function<QString()> runsParent)
{
    QAction *open = file->addAction(QObject::tr("Open &run…"));
    open->setObjectName(QStringLiteral("openRunAction"));
    QObject::connect(
        open, &QAction::triggered, window, [window, runsParent] { openRunsView(window, runsParent()); });
    QMenu *recent = file->addMenu(QObject::tr("Recent r&uns"));
    recent->setObjectName(QStringLiteral("recentRunsMenu"));
    // Filled when opened: runs finish and get exported while the window lives.
    QObject::connect(recent, &QMenu::aboutToShow, window, [recent, window, runsParent] {
        recent->clear();
        const QStringList runs = recentRuns();
        for (const QString &run : runs) {
            recent->addAction(QDir::toNativeSeparators(run), window,
                [window, runsParent, run] { openRunsView(window, runsParent(), run); });
        }
        if (runs.isEmpty())
            recent->addAction(QObject::tr("(none yet)"))->setEnabled(false);
    });
}

} // namespace pairtune::ui
