// pairtune-runs-screenshots: the Runs view, the run comparison and a run opened on the Train page for
// docs/screenshots/, on two real runs of `pairtune-cli train` (tests/training/runs/tinyruns.h) that
// differ only in the learning rate.
// Run by scripts/screenshots.sh (PAIRTUNE_SCREENSHOTS=runs for these alone).

#include "screenshotkit.h"
#include "training/runs/tinyruns.h"
#include "ui/mainwindow.h"
#include "ui/runsview.h"

#include <QApplication>
#include <QDialog>
#include <QTemporaryDir>
#include <QTreeWidget>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto options = screenshots::setUp(app);
    if (!options)
        return 2;
    QTemporaryDir work;
    // Long enough for curves worth comparing: 40 steps, an evaluation every 5.
    const tinyruns::Runs runs = tinyruns::makeRuns(
        work.path(), { "--max-steps", "40", "--epochs", "20", "--eval-every", "5", "--warmup-steps", "4" });
    if (!runs.error.isEmpty()) {
        screenshots::fail(runs.error);
        return 1;
    }
    pairtune::ui::RunsView view;
    view.resize(options->width, options->height);
    view.setParentFolder(work.path());
    view.show();
    if (!view.selectRun(runs.runB))
        return 1;
    if (!screenshots::shoot(&view, options->out, QStringLiteral("6-runs")))
        return 1;
    view.list()->selectAll();
    QDialog *comparison = view.compareSelected();
    if (!comparison)
        return 1;
    comparison->resize(options->width, options->height);
    if (!screenshots::shoot(comparison, options->out, QStringLiteral("7-compare-runs")))
        return 1;
    comparison->close();
    view.close();

    // Open: the run on the window's Train page, its charts and log replayed from metrics.jsonl.
    pairtune::ui::MainWindow window;
    window.resize(options->width, options->height);
    window.show();
    if (!window.openRun(runs.runB))
        return 1;
    return screenshots::shoot(&window, options->out, QStringLiteral("8-opened-run")) ? 0 : 1;
}
