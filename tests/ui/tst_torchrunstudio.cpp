// Issue 19 in the studio: a run trained under torchrun (config.json's processes and global_batch_size,
// batch_size per process) shown in the Runs view, the comparison and on the Train page, which refuses
// to resume it in one process and offers the torchrun command instead; and the Settings page's
// "Run on a cluster..." dialog, whose command bash and the real pairtune-cli read back to the settings.
//
// The two-process run folder is a real tiny run of the CLI whose config.json is rewritten as rank 0
// writes it under torchrun (2 processes × 4 = global batch 8, the batch the run trained on): torchrun
// itself is tested by the engine's suites (tests/training/dist), not re-run here.

#include "data/pairdataset.h"
#include "torchruncheck.h"
#include "torchrunfolders.h"
#include "training/runs/tinyruns.h"
#include "ui/clustercommanddialog.h"
#include "ui/datapage.h"
#include "ui/mainwindow.h"
#include "ui/messagebanner.h"
#include "ui/modelpage.h"
#include "ui/preparedpairssave.h"
#include "ui/runcomparisonview.h"
#include "ui/runsview.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace pairtune::ui;
using pairtune::TrainingConfig;
using pairtune::testrun::launchWithStandIns;

namespace {

QString bannerText(const TrainPage &page)
{
    return page.findChild<MessageBanner *>("trainMessage")->text();
}

} // namespace

class TestTorchrunStudio : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runsViewShowsProcessesAndGlobalBatch();
    void comparisonShowsGlobalBatch();
    void trainPageRefusesToResumeInOneProcess();
    void dialogCommandRoundTripsThroughTheCli();
    void dialogRefusesAnUnevenSplit();
    void preparedPairsAreSavedForTheCommand();
    void settingsPageOpensTheDialog();

private:
    QTemporaryDir m_dir;
    QString m_model, m_data;
    QString m_single, m_singleStopped, m_two, m_twoStopped;
};

void TestTorchrunStudio::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("model");
    m_data = m_dir.filePath("pairs.tsv");
    QVERIFY(tinyruns::writePairs(m_data));
    const QStringList create = { "create", "--out", m_model, "--vocab",
        QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt"), "--layers", "1", "--hidden",
        "32", "--heads", "4", "--intermediate", "64", "--max-seq-length", "16" };
    const auto created = pairtune::testrun::run(tinyruns::cli(), create, 120000);
    QVERIFY2(created.code == 0, qPrintable(created.describe(tinyruns::cli(), create)));
    m_single = m_dir.filePath("runs/single");
    QDir().mkpath(m_dir.filePath("runs"));
    const QString error = tinyruns::trainRun(m_model, m_data, m_single, "1e-3",
        { "--max-steps", "3", "--epochs", "1", "--eval-every", "2", "--checkpoint-every", "2" });
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // As rank 0 writes config.json under torchrun with --batch-size 4 on 2 processes (the run's batch is 8).
    m_two = m_dir.filePath("runs/two-processes");
    QString problem = torchrunfolders::copyAsProcesses(m_single, m_two, 2);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QDir().mkpath(m_dir.filePath("stopped"));
    m_twoStopped = m_dir.filePath("stopped/two-processes");
    m_singleStopped = m_dir.filePath("stopped/single");
    problem = torchrunfolders::copyAsProcesses(m_single, m_twoStopped, 2);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const auto copied = pairtune::testrun::run("cp", { "-r", m_single, m_singleStopped }, 60000);
    QCOMPARE(copied.code, 0);
    for (const QString &run : { m_twoStopped, m_singleStopped }) {
        problem = torchrunfolders::markStopped(run);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
}

void TestTorchrunStudio::runsViewShowsProcessesAndGlobalBatch()
{
    RunsView view;
    view.setParentFolder(m_dir.filePath("runs"));
    QCOMPARE(view.list()->topLevelItemCount(), 2);
    for (int row = 0; row < 2; ++row) {
        const QTreeWidgetItem *item = view.list()->topLevelItem(row);
        const QString settings = item->text(4);
        if (item->text(0) == "two-processes")
            QVERIFY2(settings.contains(QString::fromUtf8("2 processes × 4 = global batch 8")),
                qPrintable(settings));
        else // a single-process run says nothing about processes
            QVERIFY2(settings.contains("batch 8") && !settings.contains("process"), qPrintable(settings));
    }
    QVERIFY(view.selectRun(m_two));
    const QString details = view.findChild<QLabel *>("runDetails")->text();
    QVERIFY2(details.contains(QString::fromUtf8("2 processes × 4 = global batch 8")), qPrintable(details));
    QVERIFY2(details.contains("Trained under torchrun by 2 processes"), qPrintable(details));

    // Use settings: one process at the global batch, which draws the same batches.
    std::vector<TrainingConfig> used;
    connect(
        &view, &RunsView::useSettingsRequested, this, [&](const TrainingConfig &c) { used.push_back(c); });
    QVERIFY(view.useCurrentSettings());
    QCOMPARE(used.size(), std::size_t(1));
    QCOMPARE(used.front().batchSize, 8);
}

void TestTorchrunStudio::comparisonShowsGlobalBatch()
{
    RunsView view;
    view.setParentFolder(m_dir.filePath("runs"));
    view.list()->selectAll();
    QDialog *dialog = view.compareSelected();
    QVERIFY(dialog);
    auto *table = dialog->findChild<RunComparisonView *>("runComparison")->differencesTable();
    QStringList rows;
    for (int row = 0; row < table->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < table->columnCount(); ++column)
            cells << (table->item(row, column) ? table->item(row, column)->text() : QString());
        rows << cells.join('|');
    }
    // The runs are listed newest first; whichever order, the rows hold both runs' values.
    const QString all = rows.join('\n');
    QVERIFY2(all.contains(QRegularExpression("processes\\|(1\\|2|2\\|1)")), qPrintable(all));
    QVERIFY2(all.contains(QRegularExpression("global_batch_size\\|8\\|8")), qPrintable(all));
    delete dialog;
}

void TestTorchrunStudio::trainPageRefusesToResumeInOneProcess()
{
    TrainPage single;
    QVERIFY(single.openRun(m_singleStopped).isEmpty());
    QVERIFY2(single.canResume(), "the single-process copy resumes: the refusal below is the process count's");

    TrainPage page;
    QVERIFY(page.openRun(m_twoStopped).isEmpty());
    QVERIFY(!page.canResume());
    QVERIFY(!page.findChild<QPushButton *>("resumeTraining")->isEnabled());
    QVERIFY(!page.resumeTraining());
    const QString banner = bannerText(page);
    QVERIFY2(banner.contains(QString::fromUtf8("2 processes × 4 = global batch 8")), qPrintable(banner));
    // The command that continues it (recipe/traincommandline.h), one option per line.
    for (const QString &part : { QStringLiteral("torchrun --nproc_per_node 2"),
             QStringLiteral("--no_python pairtune-cli train"), "--resume " + m_twoStopped })
        QVERIFY2(banner.contains(part), qPrintable(part + "\n" + banner));

    std::vector<TrainingConfig> newRun;
    connect(&page, &TrainPage::newRunRequested, this, [&](const TrainingConfig &c) { newRun.push_back(c); });
    QPushButton *again = nullptr;
    for (QPushButton *button : page.findChildren<QPushButton *>())
        if (button->text() == "New run with these settings")
            again = button;
    QVERIFY(again);
    again->click();
    QCOMPARE(newRun.size(), std::size_t(1));
    QCOMPARE(newRun.front().batchSize, 8);
}

void TestTorchrunStudio::dialogCommandRoundTripsThroughTheCli()
{
    TrainingConfig config;
    config.dataPaths = { m_data.toStdString() };
    config.basePath = m_model.toStdString();
    config.outPath = m_dir.filePath("cluster run").toStdString();
    config.batchSize = 32;
    config.lr = 3e-5;
    config.epochs = 2;
    ClusterCommandDialog dialog(config, nullptr);
    dialog.processesBox()->setValue(4);

    struct Case
    {
        const char *name;
        bool keepGlobal;
        int nodes;
        int launcher;
        int batch;
        QStringList launcherOptions;
    };
    const QStringList rendezvous = { "--nnodes", "2", "--rdzv_id", "pairtune", "--rdzv_backend", "c10d",
        "--rdzv_endpoint", "head:29400" };
    const QStringList perNode = { "--nproc_per_node", "4", "--redirects", "2", "--tee", "2" };
    const Case cases[] = {
        { "global batch kept", true, 1, 0, 8, perNode },
        { "per-process batch kept", false, 1, 0, 32, perNode },
        { "two nodes", true, 2, 0, 4, perNode + rendezvous },
        { "slurm", true, 2, 1, 4,
            perNode
                + QStringList { "--nnodes", "2", "--rdzv_id", "77", "--rdzv_backend", "c10d",
                    "--rdzv_endpoint", "node-a:29400" } },
    };
    dialog.endpointEdit()->setText("head:29400");
    for (const Case &c : cases) {
        (c.keepGlobal ? dialog.keepGlobalBatch() : dialog.keepProcessBatch())->setChecked(true);
        dialog.nodesBox()->setValue(c.nodes);
        dialog.launcherBox()->setCurrentIndex(c.launcher);
        QVERIFY2(dialog.problem().isEmpty(), c.name);
        const auto launched = launchWithStandIns(dialog.command(), tinyruns::cli());
        QVERIFY2(launched.failure.isEmpty(), qPrintable(QString(c.name) + ": " + launched.failure));
        QCOMPARE(launched.launcher, c.launcherOptions);
        TrainingConfig expected = config;
        expected.batchSize = c.batch;
        QVERIFY2(pairtune::trainingConfigFromJson(launched.config) == expected,
            qPrintable(QString(c.name) + "\n" + QString::fromStdString(launched.config.dump(1))));
    }
    // Copy puts the command shown on the clipboard.
    dialog.copyButton()->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), dialog.command());
}

void TestTorchrunStudio::dialogRefusesAnUnevenSplit()
{
    TrainingConfig config;
    config.dataPaths = { m_data.toStdString() };
    config.basePath = "builtin";
    config.outPath = "/tmp/run";
    ClusterCommandDialog dialog(config, nullptr); // batch 32
    dialog.processesBox()->setValue(3);
    QVERIFY(!dialog.problem().isEmpty());
    QVERIFY(dialog.command().isEmpty());
    QVERIFY(!dialog.copyButton()->isEnabled());
    dialog.keepProcessBatch()->setChecked(true); // 3 × 32 = 96 is a batch
    QVERIFY(dialog.problem().isEmpty());
    QVERIFY(dialog.command().contains("--batch-size 32"));
}

void TestTorchrunStudio::preparedPairsAreSavedForTheCommand()
{
    TrainingConfig config;
    config.dataPaths = { m_data.toStdString() };
    config.basePath = "builtin";
    config.outPath = m_dir.filePath("prepared-run").toStdString();
    auto pairs
        = std::make_shared<const pairtune::PairDataset>(pairtune::PairDataset::load(m_data.toStdString()));
    ClusterCommandDialog dialog(config, pairs);
    QVERIFY(!dialog.problem().isEmpty()); // the files as they are are not the pairs the studio trains
    const QString path = m_dir.filePath("saved prepared.jsonl");
    // The write runs off the GUI thread (tst_preparedpairssave: progress, Cancel, failures); the
    // command waits for it.
    QVERIFY(dialog.savePreparedPairs(path));
    QVERIFY(!dialog.problem().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.preparedPairsSave()->isSaving(), 60000);
    QVERIFY2(QFile::exists(path), qPrintable(dialog.preparedPairsSave()->message()));
    QVERIFY(dialog.problem().isEmpty());
    const auto launched = launchWithStandIns(dialog.command(), tinyruns::cli());
    QVERIFY2(launched.failure.isEmpty(), qPrintable(launched.failure));
    QCOMPARE(launched.config["data_paths"], nlohmann::json::array({ path.toStdString() }));
    QCOMPARE(pairtune::PairDataset::load(path.toStdString()).size(), pairs->size());
}

void TestTorchrunStudio::settingsPageOpensTheDialog()
{
    MainWindow window;
    auto *button = window.settingsPage()->findChild<QPushButton *>("runOnCluster");
    QVERIFY(button);
    TrainingConfig settings = window.settingsPage()->config();
    settings.batchSize = 24;
    settings.lr = 7e-5;
    window.settingsPage()->setConfig(settings);
    button->click();
    auto *dialog = window.findChild<ClusterCommandDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->commandConfig().batchSize, 12); // 2 processes, the global batch kept
    // No data chosen yet in this window: the dialog says what the command still needs instead of one.
    QVERIFY2(dialog->problem().contains("data files"), qPrintable(dialog->problem()));
    QVERIFY(dialog->command().isEmpty());
    dialog->close();

    // With the data, the model and a run folder chosen, the command trains them with these settings.
    window.dataPage()->addFiles({ m_data });
    QTRY_VERIFY_WITH_TIMEOUT(window.dataPage()->isComplete(), 60000);
    window.modelPage()->chooseFolder(m_model);
    QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), 60000);
    const QString out = m_dir.filePath("from the window");
    window.trainPage()->setRunFolder(out);
    window.settingsPage()->setConfig(settings);
    button->click();
    QTRY_VERIFY(window.findChildren<ClusterCommandDialog *>().size() == 1); // the first one deleted itself
    dialog = window.findChild<ClusterCommandDialog *>();
    QVERIFY2(dialog->problem().isEmpty(), qPrintable(dialog->problem()));
    const auto launched = launchWithStandIns(dialog->command(), tinyruns::cli());
    QVERIFY2(launched.failure.isEmpty(), qPrintable(launched.failure));
    TrainingConfig expected = window.settingsPage()->config();
    window.modelPage()->describeBase(expected);
    expected.dataPaths = { QFileInfo(m_data).absoluteFilePath().toStdString() };
    expected.basePath = QFileInfo(m_model).absoluteFilePath().toStdString();
    expected.outPath = out.toStdString();
    expected.batchSize = 12;
    QVERIFY2(pairtune::trainingConfigFromJson(launched.config) == expected, launched.config.dump(1).c_str());
}

QTEST_MAIN(TestTorchrunStudio)
#include "tst_torchrunstudio.moc"
