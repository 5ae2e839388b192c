// Runs you can come back to (issue 14), in the studio without the CLI: a run folder opened from disk
// rebuilds the Train page (every chart, the log) and offers Try & Export; a stopped run continues with
// Resume to the same end as a run that never stopped; closing and re-creating the window brings back
// the data, mapping, fixes, model, settings and the shown run, and names what went missing.
// The runs are made here by the engine on the built-in model, a few steps each.

#include "studiofixture.h"
#include "train/trainer.h"
#include "ui/chartwidget.h"
#include "ui/datapage.h"
#include "ui/exportpanel.h"
#include "ui/loadedmodel.h"
#include "ui/mainwindow.h"
#include "ui/messagebanner.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/stepindicator.h"
#include "ui/trainingcharts.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;
constexpr int kTrainWaitMs = 300000;

struct MetricsCount
{
    int steps = 0;
    int evaluations = 0;
    double lastLoss = 0;
    QString lastFinished; // the message of the last "finished" line
};

// metrics.jsonl counted with Qt's own JSON reader, not the studio's.
MetricsCount countMetrics(const QString &run)
{
    MetricsCount count;
    QFile file(run + QStringLiteral("/metrics.jsonl"));
    if (!file.open(QIODevice::ReadOnly))
        return count;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QString type = event[QStringLiteral("type")].toString();
        if (type == QLatin1String("step")) {
            ++count.steps;
            count.lastLoss = event[QStringLiteral("loss")].toDouble();
        } else if (type == QLatin1String("evaluation")) {
            ++count.evaluations;
        } else if (type == QLatin1String("finished")) {
            count.lastFinished = event[QStringLiteral("message")].toString();
        }
    }
    return count;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestSessionRestore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(m_pairs, 48));
        m_finished = m_dir.filePath(QStringLiteral("run-finished"));
        m_stopped = m_dir.filePath(QStringLiteral("run-stopped"));
        m_uninterrupted = m_dir.filePath(QStringLiteral("run-uninterrupted"));
        const TrainingResult finished = train(m_finished, 4, 0);
        QVERIFY(!finished.cancelled);
        const TrainingResult stopped = train(m_stopped, kLongSteps, 3);
        QVERIFY(stopped.cancelled);
        QVERIFY(stopped.steps < kLongSteps);
        const TrainingResult uninterrupted = train(m_uninterrupted, kLongSteps, 0);
        QCOMPARE(uninterrupted.steps, std::int64_t(kLongSteps));
    }

    void init() { clearStudioSessionForTest(); }

    // Open → the Train page shows the run as it was: charts, log, outcome; Try & Export exports it.
    void opensFinishedRunAndExportsIt()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openRun(m_finished));
        QCOMPARE(window.currentStep(), int(MainWindow::TrainStep));
        TrainPage *train = window.trainPage();
        QCOMPARE(train->runFolder(), QFileInfo(m_finished).absoluteFilePath());
        // The pages before it were not done in this window: reachable through the run, not checked.
        auto *steps = window.findChild<StepIndicator *>();
        QVERIFY(steps);
        QVERIFY2(steps->item(0)->text().startsWith(QLatin1Char('1')), qPrintable(steps->item(0)->text()));

        const MetricsCount count = countMetrics(m_finished);
        QVERIFY(count.steps == 4 && count.evaluations >= 2);
        TrainingCharts *charts = train->charts();
        QCOMPARE(charts->lossChart()->pointCount(0), count.steps);
        QCOMPARE(charts->lossChart()->graph(0)->data()->at(count.steps - 1)->value, count.lastLoss);
        QCOMPARE(charts->learningRateChart()->pointCount(0), count.steps);
        QCOMPARE(charts->retrievalChart()->pointCount(0), count.evaluations);
        QCOMPARE(charts->similarityChart()->pointCount(0), count.evaluations);
        QVERIFY(charts->retrievalChart()->hasBaseline(0));
        const QString log = window.findChild<QPlainTextEdit *>(QStringLiteral("trainingLog"))->toPlainText();
        QVERIFY2(log.contains(QStringLiteral("Step 2: mrr@10")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("Run finished at step 4.")), qPrintable(log));

        QVERIFY(train->result() && !train->result()->cancelled);
        QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("resumeTraining"))->isEnabled());
        QVERIFY(window.nextButton()->isEnabled());
        QVERIFY(window.goNext());
        QCOMPARE(window.currentStep(), int(MainWindow::TryExportStep));
        TryExportPage *tryExport = window.tryExportPage();
        // The best evaluation's model is offered first when it came before the last step.
        const bool bestEarlier
            = train->result()->bestStep >= 0 && train->result()->bestStep < train->result()->steps;
        QCOMPARE(tryExport->chosenModel(), bestEarlier ? QStringLiteral("best") : QStringLiteral("final"));
        QVERIFY(tryExport->chooseModel(QStringLiteral("final")));

        ExportPanel *exporter = tryExport->exportPanel();
        const QString destination = m_dir.filePath(QStringLiteral("exported-finished"));
        exporter->setDestination(destination);
        QVERIFY(exporter->exportNow());
        QTRY_VERIFY_WITH_TIMEOUT(!exporter->isExporting(), kWaitMs);
        QVERIFY2(exporter->errorText().isEmpty(), qPrintable(exporter->errorText()));
        QVERIFY(QFileInfo::exists(destination + QStringLiteral("/modules.json")));
        const QByteArray weights = fileBytes(destination + QStringLiteral("/model.safetensors"));
        QVERIFY(!weights.isEmpty());
        QVERIFY(weights == fileBytes(m_finished + QStringLiteral("/model/model.safetensors")));
        const std::shared_ptr<LoadedModel> loaded = LoadedModel::load(destination.toStdString());
        QVERIFY(loaded);
    }

    // "New run with these settings" on an opened run, in a window with nothing chosen yet: the run's
    // recipe on the Settings page, its data file and base model loaded, ready to start.
    void newRunWithTheOpenedRunsSettings()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openRun(m_finished));
        auto *message = window.findChild<MessageBanner *>(QStringLiteral("trainMessage"));
        QPushButton *newRun = nullptr;
        for (QPushButton *button : message->findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("New run with these settings"))
                newRun = button;
        }
        QVERIFY(newRun);
        newRun->click();
        const TrainingConfig settings = window.settingsPage()->config();
        QCOMPARE(settings.lr, 1e-3);
        QCOMPARE(settings.batchSize, 8);
        QCOMPARE(settings.maxSteps, std::int64_t(4));
        QCOMPARE(window.dataPage()->files(), QStringList { QFileInfo(m_pairs).absoluteFilePath() });
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.modelPage()->usesBuiltin());
        QTRY_VERIFY_WITH_TIMEOUT(window.dataPage()->isComplete(), kWaitMs);
        QVERIFY(window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.settingsPage()->isComplete());
        QCOMPARE(window.settingsPage()->config().lr, 1e-3);
    }

    // A stopped run opened from disk: Resume on the Train page continues it to its last step, to the
    // same weights as the run that never stopped (what `pairtune-cli train --resume` promises).
    void resumesStoppedRunToTheEnd()
    {
        MainWindow window;
        window.show();
        QVERIFY(window.openRun(m_stopped));
        TrainPage *train = window.trainPage();
        QVERIFY(train->result() && train->result()->cancelled);
        // A stopped run can be tried and exported from its checkpoint already.
        QVERIFY(window.nextButton()->isEnabled());
        QPushButton *resume = window.findChild<QPushButton *>(QStringLiteral("resumeTraining"));
        QVERIFY(resume->isEnabled());
        resume->click();
        QVERIFY(train->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QVERIFY2(train->lastError().isEmpty(), qPrintable(train->lastError()));
        QVERIFY(!train->result()->cancelled);
        QCOMPARE(train->result()->steps, std::int64_t(kLongSteps));
        QCOMPARE(train->charts()->lossChart()->pointCount(0), kLongSteps); // replayed steps drawn once
        QCOMPARE(countMetrics(m_stopped).lastFinished, QStringLiteral("finished"));
        const QByteArray resumed = fileBytes(m_stopped + QStringLiteral("/model/model.safetensors"));
        QVERIFY(!resumed.isEmpty());
        QVERIFY(resumed == fileBytes(m_uninterrupted + QStringLiteral("/model/model.safetensors")));
        const bool bestEarlier = train->result()->bestStep >= 0 && train->result()->bestStep < kLongSteps;
        QCOMPARE(window.tryExportPage()->chosenModel(),
            bestEarlier ? QStringLiteral("best") : QStringLiteral("final"));
    }

    // A run whose metrics.jsonl was written moments ago and has not ended is being trained by another
    // process: it is shown, and Resume (which would write to the same folder) is not offered.
    void runTrainedElsewhereIsShownWithoutResume()
    {
        const QString run = m_dir.filePath(QStringLiteral("run-elsewhere"));
        const QStringList checkpoints = QDir(m_finished + QStringLiteral("/checkpoints"))
                                            .entryList({ QStringLiteral("step-*") }, QDir::Dirs);
        QVERIFY(!checkpoints.isEmpty());
        const QString from = m_finished + QStringLiteral("/checkpoints/") + checkpoints.front();
        const QString checkpoint = run + QStringLiteral("/checkpoints/") + checkpoints.front();
        QVERIFY(QDir().mkpath(checkpoint));
        QVERIFY(
            QFile::copy(m_finished + QStringLiteral("/config.json"), run + QStringLiteral("/config.json")));
        QVERIFY(QFile::copy(from + QStringLiteral("/trainer_state.json"),
            checkpoint + QStringLiteral("/trainer_state.json")));
        QFile metrics(run + QStringLiteral("/metrics.jsonl"));
        QVERIFY(metrics.open(QIODevice::WriteOnly));
        for (const QByteArray &line : fileBytes(m_finished + QStringLiteral("/metrics.jsonl")).split('\n')) {
            if (!line.isEmpty() && !line.contains("\"finished\""))
                metrics.write(line + '\n');
        }
        metrics.close();

        MainWindow window;
        window.show();
        QVERIFY(window.openRun(run));
        TrainPage *train = window.trainPage();
        QCOMPARE(train->charts()->lossChart()->pointCount(0), countMetrics(m_finished).steps);
        QVERIFY(!train->canResume());
        QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("resumeTraining"))->isEnabled());
        QVERIFY(!train->resumeTraining());
        auto *message = window.findChild<MessageBanner *>(QStringLiteral("trainMessage"));
        QCOMPARE(message->kind(), MessageBanner::Kind::Warning);
    }

    // Close, destroy and re-create the window with the same settings: the session is back.
    void restartRestoresTheSessionAndRun()
    {
        ImportOptions swapped;
        swapped.anchorColumn = "positive";
        swapped.positiveColumn = "anchor";
        {
            auto *window = new MainWindow;
            window->show();
            window->dataPage()->setImportOptions(swapped);
            window->dataPage()->addFiles({ m_pairs });
            DataFixes fixes;
            fixes.dropDuplicates = true;
            window->dataPage()->setFixes(fixes);
            QTRY_VERIFY_WITH_TIMEOUT(window->dataPage()->isComplete(), kWaitMs);
            window->modelPage()->chooseBuiltin();
            QTRY_VERIFY_WITH_TIMEOUT(window->modelPage()->isComplete(), kWaitMs);
            TrainingConfig config = window->settingsPage()->config();
            config.lr = 7e-4;
            config.batchSize = 8;
            config.seed = 1234;
            window->settingsPage()->setConfig(config);
            QVERIFY(window->openRun(m_finished));
            QVERIFY(window->close());
            delete window;
        }
        MainWindow again;
        again.show();
        QCOMPARE(again.sessionProblems(), QStringList());
        QCOMPARE(again.dataPage()->files(), QStringList { QFileInfo(m_pairs).absoluteFilePath() });
        QCOMPARE(again.dataPage()->importOptions().anchorColumn, std::string("positive"));
        QCOMPARE(again.dataPage()->importOptions().positiveColumn, std::string("anchor"));
        QVERIFY(again.dataPage()->fixes().dropDuplicates);
        QVERIFY(again.dataPage()->needsPreparedCopy()); // the mapping is used for training again
        QTRY_VERIFY_WITH_TIMEOUT(again.modelPage()->isComplete(), kWaitMs);
        QVERIFY(again.modelPage()->usesBuiltin());
        QTRY_VERIFY_WITH_TIMEOUT(again.dataPage()->isComplete(), kWaitMs);
        const TrainingConfig restored = again.settingsPage()->config();
        QCOMPARE(restored.lr, 7e-4);
        QCOMPARE(restored.batchSize, 8);
        QCOMPARE(restored.seed, std::uint64_t(1234));
        QCOMPARE(again.trainPage()->shownRun(), QFileInfo(m_finished).absoluteFilePath());
        QCOMPARE(again.trainPage()->charts()->lossChart()->pointCount(0), countMetrics(m_finished).steps);
        QVERIFY(again.goToStep(MainWindow::TryExportStep));
    }

    // A studio that is killed or crashes never sees its close event: the session saved when the user
    // moved to the next step is what the next start restores.
    void sessionOfAKilledStudioIsRestored()
    {
        {
            auto *window = new MainWindow;
            window->show();
            window->dataPage()->addFiles({ m_pairs });
            QTRY_VERIFY_WITH_TIMEOUT(window->dataPage()->isComplete(), kWaitMs);
            QVERIFY(window->goToStep(MainWindow::ModelStep));
            delete window; // no closeEvent, as after a crash
        }
        MainWindow again;
        again.show();
        QCOMPARE(again.dataPage()->files(), QStringList { QFileInfo(m_pairs).absoluteFilePath() });
    }

    // What went missing between two starts is named, not silently dropped.
    void restartNamesMissingFiles()
    {
        const QString data = m_dir.filePath(QStringLiteral("moved-pairs.tsv"));
        const QString run = m_dir.filePath(QStringLiteral("run-moved"));
        QVERIFY(studiotest::writePairFile(data, 32));
        QVERIFY(QDir().mkpath(run));
        for (const QString &name : { QStringLiteral("config.json"), QStringLiteral("metrics.jsonl") })
            QVERIFY(QFile::copy(m_finished + QLatin1Char('/') + name, run + QLatin1Char('/') + name));
        {
            MainWindow window;
            window.show();
            window.dataPage()->addFiles({ data, m_pairs });
            QVERIFY(window.openRun(run));
            QVERIFY(window.close());
        }
        QVERIFY(QFile::remove(data));
        QVERIFY(QDir(run).removeRecursively());
        MainWindow again;
        again.show();
        const QString problems = again.sessionProblems().join(QLatin1Char('\n'));
        QCOMPARE(again.sessionProblems().size(), 2);
        QVERIFY2(problems.contains(QStringLiteral("moved-pairs.tsv")), qPrintable(problems));
        QVERIFY2(problems.contains(QStringLiteral("run-moved")), qPrintable(problems));
        QCOMPARE(again.dataPage()->files(), QStringList { QFileInfo(m_pairs).absoluteFilePath() });
        auto *banner = again.findChild<MessageBanner *>(QStringLiteral("sessionMessage"));
        QVERIFY(banner && banner->isVisible());
        QVERIFY(again.trainPage()->shownRun().isEmpty());
    }

private:
    static constexpr int kLongSteps = 8;

    static void clearStudioSessionForTest() { QSettings().remove(QStringLiteral("session")); }

    // The engine itself (what the CLI's train runs), on the built-in model; stops after `stopAfter`
    // steps when it is > 0 (the trainer checkpoints where it stops).
    TrainingResult train(const QString &out, int maxSteps, int stopAfter)
    {
        TrainingConfig config;
        config.dataPaths = { m_pairs.toStdString() };
        config.basePath = "builtin";
        config.outPath = out.toStdString();
        config.maxSteps = maxSteps;
        config.epochs = 4;
        config.batchSize = 8;
        config.maxSeqLength = 32;
        config.evalEvery = 2;
        config.warmupSteps = 1;
        config.lr = 1e-3;
        config.checkpointEvery = 2;
        config.threads = 1;
        int steps = 0;
        TrainingCallbacks callbacks;
        callbacks.onEvent = [&steps](const TrainingEvent &event) {
            if (event.type == TrainingEvent::Type::Step)
                ++steps;
        };
        callbacks.stopRequested = [&steps, stopAfter] { return stopAfter > 0 && steps >= stopAfter; };
        return runTraining(config, callbacks);
    }

    QTemporaryDir m_dir;
    QString m_pairs;
    QString m_finished;
    QString m_stopped;
    QString m_uninterrupted;
};

QTEST_MAIN(TestSessionRestore)
#include "tst_sessionrestore.moc"
