// One way through the data (issue 16): the pairs the Data page prepared (fixes, a column mapping) are
// written by the training worker, never on the GUI thread; the Try & Export page searches the run's
// own RUN/eval-pairs.tsv, not the source files (which may have changed since training); and the Data
// page reads the files once per action (a change of fixes or of the report's measures reads nothing).
//
// The worker's write is made to take 1.5 s (the crash-safety suite's pause hook, io/fileutil.h,
// before the prepared file is renamed into place): a start that returns sooner did not write it.

#include "core/error.h"
#include "data/pairdataset.h"
#include "studiofixture.h"
#include "train/trainer.h"
#include "ui/comparepanel.h"
#include "ui/datapage.h"
#include "ui/mainwindow.h"
#include "ui/matchsearch.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/trainingcontroller.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

const QString kFixture = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/prompts/tiny-bert-prompts");
constexpr int kWaitMs = 120000;
constexpr int kPauseMs = 1500;

// A tiny run's settings: one epoch of batches of 4 on one thread.
TrainingConfig tinyRun(const QString &run, const std::vector<std::string> &data)
{
    TrainingConfig config;
    config.dataPaths = data;
    config.basePath = kFixture.toStdString();
    config.outPath = run.toStdString();
    config.epochs = 1;
    config.batchSize = 4;
    config.threads = 1;
    return config;
}

// The (anchor, positive) rows of a TSV with a header, split here by hand (not by the importer).
QList<QStringList> tsvRows(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QStringList> rows;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i)
        rows << lines[i].split(QLatin1Char('\t')).mid(0, 2);
    return rows;
}

QStringList queriesOf(const SearchCorpus &corpus)
{
    QStringList queries;
    for (const std::string &query : corpus.queries)
        queries << QString::fromStdString(query);
    return queries;
}

} // namespace

class TestDataThroughRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        // Read once by the engine, at its first atomic write: set before any.
        qputenv("PAIRTUNE_TEST_PAUSE_IN", "prepared-pairs.jsonl");
        qputenv("PAIRTUNE_TEST_PAUSE_MS", QByteArray::number(kPauseMs));
        QVERIFY(m_dir.isValid());
    }

    // The controller writes the prepared pairs on its worker, then trains on them.
    void controllerWritesThePreparedPairsOnItsWorker()
    {
        const QString source = m_dir.filePath(QStringLiteral("controller-source.tsv"));
        QVERIFY(studiotest::writePairFile(source, 20));
        const auto pairs = std::make_shared<const PairDataset>(PairDataset::load(source.toStdString()));
        QVERIFY(QFile::remove(source)); // the run can only train on the prepared copy
        const QString run = m_dir.filePath(QStringLiteral("controller-run"));
        QVERIFY(QDir().mkpath(run));
        const QString prepared = QDir(run).filePath(QStringLiteral("prepared-pairs.jsonl"));

        TrainingController controller;
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(
            controller.start(tinyRun(run, { prepared.toStdString() }), { pairs, prepared.toStdString() }));
        const qint64 startMs = clock.elapsed();
        QVERIFY2(startMs < kPauseMs / 2, qPrintable(QStringLiteral("start() took %1 ms").arg(startMs)));
        QVERIFY(!QFileInfo::exists(prepared));
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), kWaitMs);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
        QVERIFY(clock.elapsed() >= kPauseMs); // the write did pause
        const PairDataset back = PairDataset::load(prepared.toStdString());
        QCOMPARE(back.size(), pairs->size());
        for (std::size_t i = 0; i < back.size(); ++i)
            QCOMPARE(back.records()[i].anchor, pairs->records()[i].anchor);
        // The trainer read the 20 prepared pairs: it held out a fifth of them.
        QCOMPARE(tsvRows(QDir(run).filePath(QStringLiteral("eval-pairs.tsv"))).size(), qsizetype(4));
    }

    // Through the studio: Start with a fix chosen returns at once; the worker writes the cleaned copy
    // and the run trains on it.
    void startWithFixesDoesNotWriteOnTheGuiThread()
    {
        const QString source = m_dir.filePath(QStringLiteral("studio-source.tsv"));
        // Three exact copies of the first pairs: the fix removes them.
        QVERIFY(studiotest::writePairFile(source, 24, studiotest::pairLines(3)));
        MainWindow window;
        window.dataPage()->addFiles({ source });
        QTRY_VERIFY_WITH_TIMEOUT(window.dataPage()->isComplete(), kWaitMs);
        DataFixes fixes;
        fixes.dropDuplicates = true;
        window.dataPage()->setFixes(fixes);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.dataPage()->isComplete() && window.dataPage()->dataset()->size() == 24, kWaitMs);
        QVERIFY(window.goNext());
        window.modelPage()->chooseFolder(kFixture);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.goNext());
        QVERIFY(window.goNext()); // past the optional Hard negatives step
        TrainingConfig config = window.settingsPage()->config();
        config.epochs = 1;
        config.batchSize = 4;
        config.maxSteps = 3;
        config.evalEvery = 3;
        config.threads = 1;
        window.settingsPage()->setConfig(config);
        QVERIFY(window.goNext());

        TrainPage *train = window.trainPage();
        const QString run = m_dir.filePath(QStringLiteral("studio-run"));
        train->setRunFolder(run);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(train->startTraining());
        const qint64 startMs = clock.elapsed();
        QVERIFY2(startMs < kPauseMs / 2, qPrintable(QStringLiteral("Start took %1 ms").arg(startMs)));
        const QString prepared = QDir(run).filePath(QStringLiteral("prepared-pairs.jsonl"));
        QCOMPARE(train->runConfig().dataPaths, std::vector<std::string> { prepared.toStdString() });
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kWaitMs);
        QVERIFY2(train->lastError().isEmpty(), qPrintable(train->lastError()));
        QCOMPARE(PairDataset::load(prepared.toStdString()).size(), std::size_t(24));
        QCOMPARE(train->result()->trainPairs + train->result()->evalPairs, std::size_t(24));
        // The run records the file it trained on.
        QFile configJson(QDir(run).filePath(QStringLiteral("config.json")));
        QVERIFY(configJson.open(QIODevice::ReadOnly));
        const QJsonArray data
            = QJsonDocument::fromJson(configJson.readAll()).object().value(QStringLiteral("data")).toArray();
        QCOMPARE(data.size(), 1);
        QCOMPARE(data[0].toObject().value(QStringLiteral("path")).toString(), prepared);
    }

    // After training the source file is changed, or deleted: the Try page still searches the pairs
    // the run held out, as the trainer wrote them to RUN/eval-pairs.tsv.
    void tryPageSearchesTheRunsHeldOutPairs_data()
    {
        QTest::addColumn<bool>("deleteSource");
        QTest::newRow("source changed") << false;
        QTest::newRow("source deleted") << true;
    }
    void tryPageSearchesTheRunsHeldOutPairs()
    {
        QFETCH(bool, deleteSource);
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(source, 30));
        const QString run = dir.filePath(QStringLiteral("run"));
        const TrainingConfig config = tinyRun(run, { source.toStdString() });
        const TrainingResult result = runTraining(config, {});
        const QList<QStringList> heldOut = tsvRows(QDir(run).filePath(QStringLiteral("eval-pairs.tsv")));
        QCOMPARE(heldOut.size(), qsizetype(6)); // a fifth of 30

        if (deleteSource) {
            QVERIFY(QFile::remove(source));
        } else {
            // Other pairs in the same place: a recomputed split would pick other texts.
            QStringList other;
            for (const QString &line : studiotest::pairLines(40))
                other << QStringLiteral("edited ") + line;
            QFile file(source);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(
                (QStringLiteral("anchor\tpositive\n") + other.join(QLatin1Char('\n')) + QLatin1Char('\n'))
                    .toUtf8());
        }

        TryExportPage page;
        page.setRun(config, result, nullptr);
        ComparePanel *compare = page.comparePanel();
        QTRY_VERIFY2_WITH_TIMEOUT(compare->corpus(), qPrintable(compare->statusText()), kWaitMs);
        QStringList expected;
        for (const QStringList &row : heldOut)
            expected << row.value(0);
        QCOMPARE(queriesOf(*compare->corpus()), expected);
        for (std::size_t i = 0; i < compare->corpus()->queries.size(); ++i)
            QCOMPARE(QString::fromStdString(compare->corpus()->texts[compare->corpus()->goldOfQuery[i]]),
                heldOut[qsizetype(i)].value(1));
    }

    // A run without eval-pairs.tsv (it never began training, or the file was deleted): a clear
    // message, no search over a split recomputed from files that may have changed.
    void aRunWithoutEvalPairsSaysSo()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(source, 20));
        TrainingConfig config = tinyRun(dir.path(), { source.toStdString() });
        try {
            (void)loadSearchCorpus(config);
            QFAIL("a corpus without eval-pairs.tsv");
        } catch (const Error &error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.startsWith(dir.path()) && message.contains(QStringLiteral("eval-pairs.tsv")),
                error.what());
        }
        ComparePanel panel;
        panel.setRun(config, nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(panel.statusText().contains(QStringLiteral("eval-pairs.tsv")), kWaitMs);
        QVERIFY(!panel.corpus());
    }

    // Train fraction 1 holds nothing out (eval-pairs.tsv is only its header): the search runs over
    // the pairs the run trained on, all of them, in their order.
    void aRunThatHeldOutNothingSearchesItsTrainingPairs()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(source, 12));
        QFile header(dir.filePath(QStringLiteral("eval-pairs.tsv")));
        QVERIFY(header.open(QIODevice::WriteOnly));
        header.write("anchor\tpositive\n");
        header.close();
        const SearchCorpus corpus = loadSearchCorpus(tinyRun(dir.path(), { source.toStdString() }));
        QStringList expected;
        for (const QStringList &row : tsvRows(source))
            expected << row.value(0);
        QCOMPARE(queriesOf(corpus), expected);
    }

    // Adding a file reads it twice (its first rows for the preview, then all its pairs); a fix or a
    // new report context reads nothing: the pairs and the preview read before are kept.
    void theDataPageReadsTheFilesOncePerAction()
    {
        const QString source = m_dir.filePath(QStringLiteral("reads.tsv"));
        QVERIFY(studiotest::writePairFile(source, 20, studiotest::pairLines(2)));
        DataPage page;
        QSignalSpy changed(&page, &DataPage::dataChanged);
        page.addFiles({ source });
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1 && page.isComplete(), kWaitMs);
        QCOMPARE(page.lastResult().sourceReads, std::size_t(2));
        QCOMPARE(page.previewTable()->rowCount(), 22);

        DataFixes fixes;
        fixes.dropDuplicates = true;
        page.setFixes(fixes);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 2 && page.isComplete(), kWaitMs);
        QCOMPARE(page.dataset()->size(), std::size_t(20));
        QCOMPARE(page.lastResult().sourceReads, std::size_t(0));
        QCOMPARE(page.previewTable()->rowCount(), 22);

        page.setReportContext(nullptr, 64, 0.5, 7);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 3 && page.isComplete(), kWaitMs);
        QCOMPARE(page.lastResult().sourceReads, std::size_t(0));
        QCOMPARE(page.lastResult().report.evalRows, std::size_t(10)); // the new split was used
        QCOMPARE(page.previewTable()->rowCount(), 22);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestDataThroughRun)
#include "tst_datathroughrun.moc"
