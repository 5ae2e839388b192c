// The whole studio on a real (tiny) model: data → model → settings → train → try & export, with the
// event loop measured while the trainer works, and cancel / close in the middle of a run.

#include "studiofixture.h"
#include "ui/chartwidget.h"
#include "ui/comparepanel.h"
#include "ui/datapage.h"
#include "ui/exportformatchoice.h"
#include "ui/exportpanel.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/trainingcharts.h"
#include "ui/trainingcontroller.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"

#include <QCheckBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;
constexpr int kTrainWaitMs = 240000;

// The longest pause of the event loop between two ticks of a 10 ms timer while it runs.
class LoopWatch : public QObject
{
public:
    LoopWatch()
    {
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.elapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
            ++m_ticks;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_longest = 0;
        m_ticks = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    qint64 longestGapMs() const { return m_longest; }
    int ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_longest = 0;
    int m_ticks = 0;
};

// The newest complete checkpoint's folder in a run, or "".
QString newestCheckpoint(const QString &run)
{
    const QDir checkpoints(QDir(run).filePath(QStringLiteral("checkpoints")));
    qlonglong newest = -1;
    for (const QString &name : checkpoints.entryList({ QStringLiteral("step-*") }, QDir::Dirs)) {
        const qlonglong step = name.mid(5).toLongLong();
        if (step > newest
            && QFile::exists(checkpoints.filePath(name + QStringLiteral("/trainer_state.json"))))
            newest = step;
    }
    return newest < 0 ? QString() : checkpoints.filePath(QStringLiteral("step-%1").arg(newest));
}

} // namespace

class TestWizardRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(QStringLiteral("tiny-model"));
        const QString error = studiotest::createTinyModel(m_model);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(m_pairs, 80));
    }

    void fullWizardRunEndsWithAnExportedFolder()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        prepareWizard(window, 6, 1);

        TrainPage *train = window.trainPage();
        const QString run = m_dir.filePath(QStringLiteral("run-full"));
        train->setRunFolder(run);
        QSignalSpy finished(train, &TrainPage::runFinished);
        LoopWatch watch;
        watch.start();
        QVERIFY(train->startTraining());
        QVERIFY(train->isRunning());
        // The earlier pages can be looked at while it runs, read-only (tst_traps).
        QVERIFY(window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.settingsPage()->isReadOnly());
        QVERIFY(window.goToStep(MainWindow::TrainStep));
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        watch.stop();
        QVERIFY2(train->lastError().isEmpty(), qPrintable(train->lastError()));
        QCOMPARE(finished.count(), 1);
        QVERIFY(train->result());
        QVERIFY(!train->result()->cancelled);
        QCOMPARE(train->result()->steps, std::int64_t(6));
        qInfo("longest event-loop pause while training: %lld ms over %d ticks", watch.longestGapMs(),
            watch.ticks());
        QVERIFY(watch.ticks() > 5);
        QVERIFY2(watch.longestGapMs() < 200,
            qPrintable(QStringLiteral("the event loop paused for %1 ms").arg(watch.longestGapMs())));

        // The charts got the run: 6 loss points, evaluations at steps 0, 3 and 6 with the baseline.
        TrainingCharts *charts = train->charts();
        QCOMPARE(charts->lossChart()->pointCount(0), 6);
        QCOMPARE(charts->learningRateChart()->pointCount(0), 6);
        QCOMPARE(charts->retrievalChart()->pointCount(0), 3);
        QVERIFY(charts->retrievalChart()->hasBaseline(0));
        QVERIFY(charts->similarityChart()->hasBaseline(1));

        QVERIFY(window.nextButton()->isEnabled());
        QVERIFY(window.goNext());
        TryExportPage *page = window.tryExportPage();
        // The best evaluation's model is offered first when it came before the last step.
        const std::int64_t bestStep = train->result()->bestStep;
        QCOMPARE(page->chosenModel(),
            bestStep >= 0 && bestStep < 6 ? QStringLiteral("best") : QStringLiteral("final"));
        QVERIFY(page->chooseModel(QStringLiteral("final"))); // the export below is checked against it
        ComparePanel *compare = page->comparePanel();
        QTRY_VERIFY_WITH_TIMEOUT(compare->isReady(), kWaitMs);
        QVERIFY(compare->corpus());
        QCOMPARE(compare->corpus()->queries.size(), std::size_t(16)); // the held-out fifth of 80 pairs
        QSignalSpy searched(compare, &ComparePanel::searchFinished);
        compare->search(QString::fromStdString(compare->corpus()->queries.front()));
        QTRY_VERIFY_WITH_TIMEOUT(searched.count() == 1, kWaitMs);
        QCOMPARE(compare->baseResults()->rowCount(), ComparePanel::kMatches);
        QCOMPARE(compare->tunedResults()->rowCount(), ComparePanel::kMatches);

        ExportPanel *exporter = page->exportPanel();
        const QString destination = m_dir.filePath(QStringLiteral("exported"));
        exporter->setDestination(destination);
        QSignalSpy exported(exporter, &ExportPanel::exported);
        QVERIFY(exporter->exportNow());
        QTRY_VERIFY_WITH_TIMEOUT(!exporter->isExporting(), kWaitMs);
        QVERIFY2(exporter->errorText().isEmpty(), qPrintable(exporter->errorText()));
        QCOMPARE(exported.count(), 1);
        QCOMPARE(exporter->exportedPath(), destination);
        for (const char *file :
            { "modules.json", "config.json", "model.safetensors", "1_Pooling/config.json" })
            QVERIFY2(QFile::exists(QDir(destination).filePath(QString::fromLatin1(file))), file);
        QVERIFY(exporter->pythonSnippet().contains(
            QStringLiteral("SentenceTransformer(\"%1\")").arg(destination)));

        // The exported model is the run's final model (same weights file).
        QFile a(QDir(destination).filePath(QStringLiteral("model.safetensors")));
        QFile b(QDir(run).filePath(QStringLiteral("model/model.safetensors")));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QVERIFY(a.readAll() == b.readAll());

        // With ONNX (the tiny BERT can be written in it): the files inside the folder, and the lines to
        // run them in Python and in JavaScript's ONNX Runtime, each naming the exported files.
        ExportFormatChoice *formats = exporter->formatChoice();
        QTRY_VERIFY_WITH_TIMEOUT(exporter->formatsChecked(), kWaitMs);
        QVERIFY2(formats->onnxBox()->isEnabled(), qPrintable(formats->reasonText()));
        formats->onnxBox()->setChecked(true);
        const QString onnxDestination = m_dir.filePath(QStringLiteral("exported-onnx"));
        exporter->setDestination(onnxDestination);
        QVERIFY(exporter->exportNow());
        QTRY_VERIFY_WITH_TIMEOUT(!exporter->isExporting(), kWaitMs);
        QVERIFY2(exporter->errorText().isEmpty(), qPrintable(exporter->errorText()));
        for (const char *file : { "modules.json", "onnx/model.onnx", "onnx/sentence_embedding.onnx" })
            QVERIFY2(QFileInfo(QDir(onnxDestination).filePath(QString::fromLatin1(file))).size() > 0, file);
        QVERIFY(!QFileInfo::exists(QDir(onnxDestination).filePath(QStringLiteral("gguf"))));
        QMap<QString, QString> blocks;
        for (const auto &[title, lines] : exporter->usageBlocks())
            blocks.insert(title, lines);
        QCOMPARE(blocks.keys(),
            (QStringList { QStringLiteral("JavaScript · ONNX Runtime"), QStringLiteral("Python"),
                QStringLiteral("Python · ONNX") }));
        QVERIFY(blocks[QStringLiteral("Python · ONNX")].contains(
            QStringLiteral("SentenceTransformer(\"%1\", backend=\"onnx\")").arg(onnxDestination)));
        const QString javascript = blocks[QStringLiteral("JavaScript · ONNX Runtime")];
        QVERIFY2(
            javascript.contains(QStringLiteral("InferenceSession.create(\"%1/onnx/sentence_embedding.onnx\")")
                                    .arg(onnxDestination)),
            qPrintable(javascript));
        for (const char *input :
            { "input_ids:", "attention_mask:", "token_type_ids:" }) // a BERT takes all three
            QVERIFY2(javascript.contains(QLatin1String(input)), input);
        QVERIFY(javascript.contains(QStringLiteral("const ids = [101, "))); // [CLS] first, as BERT tokenizes
    }

    void cancelThenCloseLeavesAConsistentRun()
    {
        auto *window = new MainWindow;
        QPointer<MainWindow> guard(window);
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
        prepareWizard(*window, 0, 1000);
        TrainPage *train = window->trainPage();
        const QString run = m_dir.filePath(QStringLiteral("run-cancel"));
        train->setRunFolder(run);
        QVERIFY(train->startTraining());
        // Wait until a few steps ran (the progress bar moves), then cancel in the middle.
        QTRY_VERIFY_WITH_TIMEOUT(
            window->findChild<QProgressBar *>(QStringLiteral("trainingProgress"))->value() >= 3,
            kTrainWaitMs);
        QVERIFY(train->isRunning());
        window->findChild<QPushButton *>(QStringLiteral("cancelTraining"))->click();
        QVERIFY(train->controller()->stopRequested());
        window->close();
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), kWaitMs); // closed and deleted once the step ended
        checkConsistentRun(run, true);
    }

    void closeDuringTrainingStopsAndResumeFinishes()
    {
        QString run = m_dir.filePath(QStringLiteral("run-close"));
        {
            auto *window = new MainWindow;
            QPointer<MainWindow> guard(window);
            window->setAttribute(Qt::WA_DeleteOnClose);
            window->show();
            prepareWizard(*window, 0, 1000);
            window->trainPage()->setRunFolder(run);
            QVERIFY(window->trainPage()->startTraining());
            QTRY_VERIFY_WITH_TIMEOUT(!newestCheckpoint(run).isEmpty(), kTrainWaitMs);
            QVERIFY(!window->close()); // refused for now: it stops the run first
            QVERIFY(window->trainPage()->controller()->stopRequested());
            QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), kWaitMs);
        }
        checkConsistentRun(run, true);

        // The stopped run continues with the engine's resume (what the Resume button runs): it gets
        // past the checkpoint it stopped at, and stops cleanly again when asked.
        const QString stoppedAt = newestCheckpoint(run);
        const qlonglong stoppedStep = QFileInfo(stoppedAt).fileName().mid(5).toLongLong();
        TrainingController controller;
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QVERIFY(controller.resume(run));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(newestCheckpoint(run)).fileName().mid(5).toLongLong() > stoppedStep
                || !controller.isRunning(),
            kTrainWaitMs);
        controller.requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, kTrainWaitMs);
        QCOMPARE(failed.count(), 0);
        const auto result = finished.first().first().value<TrainingResult>();
        QVERIFY(result.steps > stoppedStep);
        checkConsistentRun(run, true);
    }

    void resumeButtonContinuesACancelledRun()
    {
        MainWindow window;
        window.show();
        prepareWizard(window, 12, 2);
        TrainPage *train = window.trainPage();
        const QString run = m_dir.filePath(QStringLiteral("run-resume"));
        train->setRunFolder(run);
        QVERIFY(train->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.findChild<QProgressBar *>(QStringLiteral("trainingProgress"))->value() >= 2, kTrainWaitMs);
        train->cancelTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QVERIFY(train->result());
        if (!train->result()->cancelled)
            QSKIP("the run finished before the cancel arrived");
        const std::int64_t stoppedAt = train->result()->steps;
        QVERIFY(stoppedAt < 12);
        QPushButton *resume = window.findChild<QPushButton *>(QStringLiteral("resumeTraining"));
        QVERIFY(resume->isEnabled());
        // A cancelled run can already be tried and exported from its last checkpoint.
        QVERIFY(window.nextButton()->isEnabled());
        resume->click();
        QVERIFY(train->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QVERIFY2(train->lastError().isEmpty(), qPrintable(train->lastError()));
        QVERIFY(!train->result()->cancelled);
        QCOMPARE(train->result()->steps, std::int64_t(12));
        QCOMPARE(train->charts()->lossChart()->pointCount(0), 12); // replayed steps are not drawn twice
        QVERIFY(QFile::exists(QDir(run).filePath(QStringLiteral("model/modules.json"))));
    }

private:
    // Data, model and settings chosen through the pages; ends on the train page.
    void prepareWizard(MainWindow &window, std::int64_t maxSteps, int epochs)
    {
        window.dataPage()->addFiles({ m_pairs });
        QTRY_VERIFY_WITH_TIMEOUT(window.nextButton()->isEnabled(), kWaitMs);
        QVERIFY(window.goNext());
        window.modelPage()->chooseFolder(m_model);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.goNext());
        QVERIFY(window.goNext()); // past the optional Hard negatives step
        TrainingConfig config = window.settingsPage()->config();
        config.maxSteps = maxSteps;
        config.epochs = epochs;
        config.batchSize = 8;
        config.evalEvery = 3;
        config.warmupSteps = 2;
        config.lr = 1e-3;
        config.checkpointEvery = 4;
        config.keepCheckpoints = 2;
        config.threads = 1; // leave a core for the GUI thread on small CI machines
        window.settingsPage()->setConfig(config);
        QVERIFY(window.nextButton()->isEnabled());
        QVERIFY(window.goNext());
        QCOMPARE(window.currentStep(), int(MainWindow::TrainStep));
    }

    void checkConsistentRun(const QString &run, bool expectCheckpoint)
    {
        QVERIFY(QFile::exists(QDir(run).filePath(QStringLiteral("config.json"))));
        const QString checkpoint = newestCheckpoint(run);
        QCOMPARE(!checkpoint.isEmpty(), expectCheckpoint);
        if (checkpoint.isEmpty())
            return;
        QFile state(QDir(checkpoint).filePath(QStringLiteral("trainer_state.json")));
        QVERIFY(state.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(state.readAll(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(json.object().contains(QStringLiteral("step")));
        QVERIFY(QFile::exists(QDir(checkpoint).filePath(QStringLiteral("model/modules.json"))));
        QVERIFY(QFile::exists(QDir(checkpoint).filePath(QStringLiteral("model/model.safetensors"))));
        // No half-written folders left behind.
        const QStringList leftovers = QDir(QDir(run).filePath(QStringLiteral("checkpoints")))
                                          .entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot)
                                          .filter(QStringLiteral(".partial"));
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }

    QTemporaryDir m_dir;
    QString m_model;
    QString m_pairs;
};

QTEST_MAIN(TestWizardRun)
#include "tst_wizardrun.moc"
