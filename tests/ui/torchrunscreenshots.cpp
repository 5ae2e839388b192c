// pairtune-torchrun-screenshots: issue 19 in the studio for docs/screenshots/ — a run trained under
// torchrun in the Runs view, the same run stopped and opened on the Train page (no Resume here: the
// torchrun command instead), and the Settings page's "Run on a cluster..." dialog. The runs are a real
// tiny run of the CLI copied as two processes would have left it (torchrunfolders.h).
// Run by scripts/screenshots.sh (PAIRTUNE_SCREENSHOTS=torchrun for these alone).

#include "screenshotkit.h"
#include "torchrunfolders.h"
#include "training/runs/tinyruns.h"
#include "ui/clustercommanddialog.h"
#include "ui/datapage.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"
#include "ui/runsview.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QApplication>
#include <QDir>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto options = screenshots::setUp(app);
    if (!options)
        return 2;
    QTemporaryDir work;
    const QString runs = work.filePath(QStringLiteral("runs"));
    QDir().mkpath(runs);
    QDir().mkpath(work.filePath(QStringLiteral("stopped")));
    const tinyruns::Runs made = tinyruns::makeRuns(work.path(),
        { "--max-steps", "40", "--epochs", "20", "--eval-every", "5", "--warmup-steps", "4",
            "--checkpoint-every", "10" });
    const QString two = runs + QStringLiteral("/two-processes");
    const QString stopped = work.filePath(QStringLiteral("stopped/two-processes"));
    for (const QString &problem : { made.error, torchrunfolders::copyAsProcesses(made.runA, two, 2),
             torchrunfolders::copyAsProcesses(made.runA, stopped, 2),
             torchrunfolders::markStopped(stopped) }) {
        if (!problem.isEmpty()) {
            screenshots::fail(problem);
            return 1;
        }
    }
    const auto moved = pairtune::testrun::run(
        QStringLiteral("mv"), { made.runB, runs + QStringLiteral("/single-process") });
    if (moved.code != 0)
        return 1;

    pairtune::ui::RunsView view;
    view.resize(options->width, options->height);
    view.setParentFolder(runs);
    view.show();
    if (!view.selectRun(two) || !screenshots::shoot(&view, options->out, QStringLiteral("runs-torchrun")))
        return 1;
    view.close();

    pairtune::ui::MainWindow window;
    window.resize(options->width, options->height);
    window.show();
    if (!window.openRun(stopped)
        || !screenshots::shoot(&window, options->out, QStringLiteral("train-torchrun-stopped")))
        return 1;

    // "Run on a cluster...": the window with the tiny run's data and model chosen, on the Settings page.
    window.dataPage()->addFiles({ made.data });
    if (!screenshots::waitFor([&] { return window.dataPage()->isComplete(); }, 60000, "the data"))
        return 1;
    window.modelPage()->chooseFolder(made.model);
    if (!screenshots::waitFor([&] { return window.modelPage()->isComplete(); }, 60000, "the model"))
        return 1;
    window.trainPage()->setRunFolder(work.filePath(QStringLiteral("runs/cluster-run")));
    if (!window.goToStep(pairtune::ui::MainWindow::SettingsStep)
        || !screenshots::shoot(&window, options->out, QStringLiteral("settings-torchrun")))
        return 1;
    pairtune::ui::ClusterCommandDialog *dialog = window.showClusterCommand();
    dialog->processesBox()->setValue(4);
    return screenshots::shoot(dialog, options->out, QStringLiteral("cluster-command")) ? 0 : 1;
}
