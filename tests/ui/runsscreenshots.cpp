// pairtune-runs-screenshots: the Runs view and the run comparison for docs/screenshots/, on two real
// runs of `pairtune-cli train` (tests/training/runs/tinyruns.h) that differ only in the learning rate.
// Run by scripts/screenshots.sh (PAIRTUNE_SCREENSHOTS=runs for these alone).

#include "screenshotkit.h"
#include "training/runs/tinyruns.h"
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
    return screenshots::shoot(comparison, options->out, QStringLiteral("7-compare-runs")) ? 0 : 1;
}
