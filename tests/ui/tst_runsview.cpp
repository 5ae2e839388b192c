// The studio's Runs view and run comparison on two real tiny runs made by `pairtune-cli train`
// (tests/training/runs/tinyruns.h) that differ only in --lr: the list, a finished run's charts
// replayed from metrics.jsonl, its export, the comparison, the File menu entries and Open.

#include "training/runs/tinyruns.h"
#include "ui/chartwidget.h"
#include "ui/mainwindow.h"
#include "ui/runcomparisonview.h"
#include "ui/runsview.h"
#include "ui/settingspage.h"
#include "ui/trainingcharts.h"
#include "ui/trainpage.h"

#include <QAction>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace pairtune::ui;

class TestRunsView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void listsRunsWithTheirFacts();
    void opensFinishedRunWithItsCharts();
    void exportsTheOpenedRun();
    void comparesTwoRuns();
    void chartsSayWhatIsSelected();
    void fileMenuOpensRunsAndRecentRuns();
    void openButtonShowsRunInWindow();
    void newRunWithTheseSettings();

private:
    QTemporaryDir m_dir;
    tinyruns::Runs m_runs;
};

void TestRunsView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_runs = tinyruns::makeRuns(m_dir.path());
    QVERIFY2(m_runs.error.isEmpty(), qPrintable(m_runs.error));
}

void TestRunsView::listsRunsWithTheirFacts()
{
    RunsView view;
    view.setParentFolder(m_dir.path());
    QTreeWidget *list = view.list();
    QCOMPARE(list->topLevelItemCount(), 2); // the model folder is not a run
    QStringList names;
    for (int row = 0; row < 2; ++row) {
        const QTreeWidgetItem *item = list->topLevelItem(row);
        names << item->text(0);
        QCOMPARE(item->text(1), QString("finished"));
        QCOMPARE(item->text(2), QString("model"));
        QCOMPARE(item->text(3), QString("pairs.tsv"));
        QVERIFY2(item->text(4).contains("batch 8"), qPrintable(item->text(4)));
        QVERIFY2(item->text(5).startsWith("mrr@10 0."), qPrintable(item->text(5)));
    }
    names.sort();
    QCOMPARE(names, (QStringList { "run-lr-1e-3", "run-lr-5e-3" }));
}

void TestRunsView::opensFinishedRunWithItsCharts()
{
    RunsView view;
    view.setParentFolder(m_dir.path());
    QVERIFY(view.selectRun(m_runs.runA));
    QCOMPARE(view.currentRun(), QFileInfo(m_runs.runA).absoluteFilePath());

    // What the charts must hold, read from metrics.jsonl here.
    QFile metrics(m_runs.runA + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    int steps = 0, evaluations = 0;
    double lastLoss = 0;
    for (const QByteArray &line : metrics.readAll().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event["type"].toString() == "step") {
            ++steps;
            lastLoss = event["loss"].toDouble();
        }
        if (event["type"].toString() == "evaluation")
            ++evaluations;
    }
    QVERIFY(steps > 0 && evaluations > 0);
    TrainingCharts *charts = view.charts();
    QCOMPARE(charts->lossChart()->pointCount(0), steps);
    QCOMPARE(charts->lossChart()->graph(0)->data()->at(steps - 1)->value, lastLoss);
    QCOMPARE(charts->learningRateChart()->pointCount(0), steps);
    QCOMPARE(charts->retrievalChart()->pointCount(0), evaluations);
    QVERIFY(charts->retrievalChart()->hasBaseline(0)); // the step-0 evaluation
}

void TestRunsView::exportsTheOpenedRun()
{
    RunsView view;
    view.setParentFolder(m_dir.path());
    QVERIFY(view.selectRun(m_runs.runA));
    const QString destination = m_dir.filePath("exported");
    QCOMPARE(view.exportCurrentRun(destination), QString());
    QVERIFY(QFileInfo::exists(destination + "/modules.json"));
    QVERIFY(QFileInfo::exists(destination + "/model.safetensors"));
    QFile source(m_runs.runA + "/model/model.safetensors"), copy(destination + "/model.safetensors");
    QVERIFY(source.open(QIODevice::ReadOnly) && copy.open(QIODevice::ReadOnly));
    QVERIFY(source.readAll() == copy.readAll());
    // A second export to the same folder refuses instead of overwriting.
    QVERIFY(!view.exportCurrentRun(destination).isEmpty());
    QVERIFY(recentRuns().contains(QFileInfo(m_runs.runA).absoluteFilePath()));
}

void TestRunsView::comparesTwoRuns()
{
    RunsView view;
    view.setParentFolder(m_dir.path());
    view.list()->selectAll();
    QDialog *dialog = view.compareSelected();
    QVERIFY(dialog);
    auto *comparison = dialog->findChild<RunComparisonView *>();
    QVERIFY(comparison);
    QTableWidget *differences = comparison->differencesTable();
    QCOMPARE(differences->rowCount(), 1);
    // Named as on the Settings form, with config.json's name in the tooltip.
    QCOMPARE(differences->item(0, 0)->text(), QString("Learning rate"));
    QCOMPARE(differences->item(0, 0)->toolTip(), QString("training.lr"));
    QTableWidget *metrics = comparison->metricsTable();
    QCOMPARE(metrics->rowCount(), 2);
    // One curve per run, named after it, in distinct colours.
    for (ChartWidget *chart : { comparison->lossChart(), comparison->retrievalChart() }) {
        QCOMPARE(chart->graphCount(), 2);
        QVERIFY(chart->graph(0)->pen().color() != chart->graph(1)->pen().color());
        QStringList legend = { chart->graph(0)->name(), chart->graph(1)->name() };
        legend.sort();
        QCOMPARE(legend, (QStringList { "run-lr-1e-3", "run-lr-5e-3" }));
        QVERIFY(chart->pointCount(0) > 0 && chart->pointCount(1) > 0);
    }
    QCOMPARE(comparison->lossChart()->pointCount(0), 3);
    // Where two runs draw the same curve (their first steps, same seed and warm-up), the one drawn
    // first stays visible around the other: each run's line is wider than those drawn after it.
    for (ChartWidget *chart : { comparison->lossChart(), comparison->retrievalChart() })
        QVERIFY(chart->graph(0)->pen().widthF() > chart->graph(1)->pen().widthF());
}

namespace {

// The text a chart shows in place of its curves, or "" while it has some.
QString shownEmptyText(ChartWidget *chart)
{
    for (int i = 0; i < chart->itemCount(); ++i) {
        if (auto *text = qobject_cast<QCPItemText *>(chart->item(i)); text && text->visible())
            return text->text();
    }
    return {};
}

} // namespace

void TestRunsView::chartsSayWhatIsSelected()
{
    // The walk-through (docs/walkthrough-runs.md) found "Waiting for the first step…" under the Runs
    // view's charts with no run, or two runs, selected: nothing is on its way there.
    RunsView view;
    view.setParentFolder(m_dir.path());
    TrainingCharts *charts = view.charts();
    const QList<ChartWidget *> all = { charts->lossChart(), charts->learningRateChart(),
        charts->retrievalChart(), charts->similarityChart() };
    view.list()->clearSelection();
    for (ChartWidget *chart : all)
        QCOMPARE(shownEmptyText(chart), QString("Select a run to see its charts."));
    QVERIFY(view.selectRun(m_runs.runA));
    for (ChartWidget *chart : all)
        QCOMPARE(shownEmptyText(chart), QString()); // its curves instead
    view.list()->selectAll();
    for (ChartWidget *chart : all) {
        QCOMPARE(shownEmptyText(chart), QString("Several runs selected: Compare draws them together."));
        QCOMPARE(chart->xAxis->range().upper, 1.0); // not the x range of the run shown before
    }
}

void TestRunsView::fileMenuOpensRunsAndRecentRuns()
{
    MainWindow window;
    QAction *open = window.findChild<QAction *>("openRunAction");
    QVERIFY(open);
    QCOMPARE(open->text(), QString("Open &run…"));
    open->trigger();
    RunsView *view = window.findChild<RunsView *>();
    QVERIFY(view);
    view->close();
    QMenu *recent = window.findChild<QMenu *>("recentRunsMenu");
    QVERIFY(recent);
    Q_EMIT recent->aboutToShow();
    QVERIFY(!recent->actions().isEmpty());
    QAction *first = recent->actions().front();
    QCOMPARE(first->text(), QDir::toNativeSeparators(QFileInfo(m_runs.runA).absoluteFilePath()));
    // A recent run opens straight on the Train page.
    first->trigger();
    QCOMPARE(window.trainPage()->shownRun(), QFileInfo(m_runs.runA).absoluteFilePath());
    QCOMPARE(window.currentStep(), int(MainWindow::TrainStep));
}

// Open in the Runs view shows the selected run in the window, closing the view.
void TestRunsView::openButtonShowsRunInWindow()
{
    MainWindow window;
    window.findChild<QAction *>("openRunAction")->trigger();
    QPointer<RunsView> view = window.findChild<RunsView *>();
    QVERIFY(view);
    view->setParentFolder(m_dir.path());
    QPushButton *open = view->findChild<QPushButton *>("openRunButton");
    QVERIFY(open);
    view->list()->clearSelection();
    QVERIFY(!open->isEnabled());
    QVERIFY(view->selectRun(m_runs.runB));
    QVERIFY(open->isEnabled());
    open->click();
    QCOMPARE(window.trainPage()->shownRun(), QFileInfo(m_runs.runB).absoluteFilePath());
    QCOMPARE(window.currentStep(), int(MainWindow::TrainStep));
    QCOMPARE(window.trainPage()->charts()->lossChart()->pointCount(0), 3);
    QTRY_VERIFY(view.isNull()); // accepted and deleted on close
}

// The run's recipe lands on the Settings page; the data, model and run folder stay the window's own.
void TestRunsView::newRunWithTheseSettings()
{
    MainWindow window;
    const pairtune::TrainingConfig before = window.settingsPage()->config();
    QVERIFY(before.lr != 5e-3 && before.batchSize != 8);
    window.findChild<QAction *>("openRunAction")->trigger();
    RunsView *view = window.findChild<RunsView *>();
    QVERIFY(view);
    view->setParentFolder(m_dir.path());
    QVERIFY(view->selectRun(m_runs.runB));
    QVERIFY(view->useCurrentSettings());
    const pairtune::TrainingConfig after = window.settingsPage()->config();
    QCOMPARE(after.lr, 5e-3);
    QCOMPARE(after.batchSize, 8);
    QCOMPARE(after.maxSteps, 3);
    QCOMPARE(after.dataPaths, before.dataPaths);
    QCOMPARE(after.basePath, before.basePath);
    QCOMPARE(after.outPath, before.outPath);
    // No data or model loaded here: the Settings page cannot open yet, and the status bar says so.
    QVERIFY2(window.currentStep() == int(MainWindow::SettingsStep)
            || window.statusBar()->currentMessage().contains("Settings page"),
        qPrintable(window.statusBar()->currentMessage()));
}

QTEST_MAIN(TestRunsView)
#include "tst_runsview.moc"
