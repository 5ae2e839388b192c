// The studio's plain logic: the controller's error path, nearest-text search, estimates, presets and
// preferences. No window needed.

#include "data/pairdataset.h"
#include "studiofixture.h"
#include "ui/matchsearch.h"
#include "ui/preferences.h"
#include "ui/runestimate.h"
#include "ui/trainingcontroller.h"
#include "ui/trainingpresets.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace pairtune;
using namespace pairtune::ui;

class TestStudioLogic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { studiotest::isolateSettings(); }

    // An engine error on the worker comes back as a signal with the engine's own message.
    void controllerReportsEngineErrors()
    {
        QTemporaryDir dir;
        TrainingConfig config;
        config.dataPaths = { dir.filePath(QStringLiteral("pairs.tsv")).toStdString() };
        config.basePath = dir.filePath(QStringLiteral("no-such-model")).toStdString();
        config.outPath = dir.filePath(QStringLiteral("run")).toStdString();
        QVERIFY(studiotest::writePairFile(QString::fromStdString(config.dataPaths[0]), 10));
        TrainingController controller;
        QSignalSpy failed(&controller, &TrainingController::failed);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy running(&controller, &TrainingController::runningChanged);
        QVERIFY(controller.start(config));
        QVERIFY(controller.isRunning());
        QVERIFY(!controller.start(config)); // one run at a time
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QCOMPARE(finished.count(), 0);
        QVERIFY(!controller.isRunning());
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("no-such-model")), qPrintable(message));
        QCOMPARE(running.count(), 2);
        QCOMPARE(running.at(1).first().toBool(), false);

        // Invalid settings are refused with validate()'s sentence.
        config.batchSize = 0;
        QVERIFY(controller.start(config));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 30000);
        QVERIFY(failed.at(1).first().toString().contains(QStringLiteral("batch size")));
    }

    void destroyingARunningControllerStopsTheWorker()
    {
        QTemporaryDir dir;
        TrainingConfig config;
        config.dataPaths = { dir.filePath(QStringLiteral("missing.tsv")).toStdString() };
        config.basePath = dir.path().toStdString();
        config.outPath = dir.filePath(QStringLiteral("run")).toStdString();
        auto *controller = new TrainingController;
        QVERIFY(controller->start(config));
        delete controller; // joins; nothing may be delivered to the deleted object afterwards
        QTest::qWait(50);
    }

    void nearestRanksByCosine()
    {
        Embeddings corpus { 3, 2, { 1, 0, 0, 1, 0.8f, 0.6f } };
        Embeddings query { 1, 2, { 2, 0 } }; // unnormalised on purpose
        const std::vector<Match> all = nearest(corpus, query, 10);
        QCOMPARE(all.size(), std::size_t(3));
        QCOMPARE(all[0].index, std::size_t(0));
        QCOMPARE(all[0].cosine, 1.0);
        QCOMPARE(all[1].index, std::size_t(2));
        QVERIFY(std::abs(all[1].cosine - 0.8) < 1e-6); // 0.8f as a float
        QCOMPARE(all[2].index, std::size_t(1));
        QCOMPARE(nearest(corpus, query, 1).size(), std::size_t(1));
        QVERIFY(nearest(corpus, Embeddings { 1, 3, { 1, 2, 3 } }, 2).empty()); // dimension mismatch
    }

    // The corpus is the run's eval-pairs.tsv, pair for pair (the run's held-out pairs; see
    // tst_datathroughrun for a real run whose source file changes afterwards).
    void searchCorpusIsTheRunsHeldOutPairs()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("eval-pairs.tsv"));
        QVERIFY(studiotest::writePairFile(path, 10));
        TrainingConfig config;
        config.outPath = dir.path().toStdString();
        config.dataPaths = { dir.filePath(QStringLiteral("gone.tsv")).toStdString() }; // never read
        const SearchCorpus corpus = loadSearchCorpus(config);
        QCOMPARE(corpus.queries.size(), std::size_t(10));
        QCOMPARE(corpus.texts.size(), std::size_t(10));
        const PairDataset data = PairDataset::load(path.toStdString());
        for (std::size_t i = 0; i < corpus.queries.size(); ++i) {
            QCOMPARE(corpus.queries[i], data.records()[i].anchor);
            QCOMPARE(corpus.texts[corpus.goldOfQuery[i]], data.records()[i].positive);
        }
    }

    void estimatesCountStepsAndTime()
    {
        std::vector<PairRecord> records;
        for (int i = 0; i < 100; ++i)
            records.push_back(
                { "anchor " + std::to_string(i), "positive " + std::to_string(i), {}, {}, 0, 0 });
        const PairDataset dataset = PairDataset::fromRecords(records);
        TrainingConfig config;
        config.batchSize = 16;
        config.epochs = 3;
        config.evalEvery = 2;
        RunEstimate estimate = estimateRun(config, { &dataset, nullptr, 0, 0 });
        QCOMPARE(estimate.trainPairs, std::size_t(80));
        QCOMPARE(estimate.evalPairs, std::size_t(20));
        QCOMPARE(estimate.stepsPerEpoch, std::int64_t(5));
        QCOMPARE(estimate.totalSteps, std::int64_t(15));
        QVERIFY(estimate.exactSteps);
        // The trainer's schedule: the baseline, steps 2..14, and the ends of epochs 1 and 3 (step 10, the end
        // of epoch 2, was just evaluated).
        QCOMPARE(estimate.evaluations, std::int64_t(1 + 7 + 2));
        QCOMPARE(estimate.seconds, 0.0); // no model: no time
        config.maxSteps = 4;
        QCOMPARE(estimateRun(config, { &dataset, nullptr, 0, 0 }).totalSteps, std::int64_t(4));

        ModelSummary model;
        model.layers = 6;
        model.hidden = 384;
        model.maxSeqLength = 128;
        const RunEstimate guessed = estimateRun(config, { &dataset, &model, 20, 0 });
        QVERIFY(guessed.seconds > 0 && !guessed.measured);
        const RunEstimate measured = estimateRun(config, { &dataset, &model, 20, 32.0 });
        QVERIFY(measured.measured);
        QVERIFY(measured.seconds >= 4 * 16 / 32.0); // 64 trained pairs at 32 pairs/s, plus evaluation

        QVERIFY(!estimateRun(config, { nullptr, nullptr, 0, 0 }).problem.empty());
        QCOMPARE(QString::fromStdString(formatDuration(42)), QStringLiteral("42 s"));
        QCOMPARE(QString::fromStdString(formatDuration(125)), QStringLiteral("2 min 5 s"));
        QCOMPARE(QString::fromStdString(formatDuration(3 * 3600 + 20 * 60)), QStringLiteral("3 h 20 min"));
    }

    void presetsKeepPathsAndSizeWarmup()
    {
        TrainingConfig current;
        current.dataPaths = { "a.tsv" };
        current.basePath = "model";
        current.outPath = "run";
        current.threads = 3;
        const TrainingConfig recommended = applyPreset(TrainingPreset::Recommended, current, 1000);
        QCOMPARE(recommended.dataPaths, current.dataPaths);
        QCOMPARE(recommended.basePath, current.basePath);
        QCOMPARE(recommended.threads, 3);
        QCOMPARE(recommended.warmupSteps, std::int64_t(10)); // 10% of 3 epochs x 32 steps, rounded up
        QCOMPARE(recommended.evalEvery, std::int64_t(8));
        QVERIFY(validate(recommended).empty());
        const TrainingConfig quick = applyPreset(TrainingPreset::QuickCheck, current, 1000);
        QCOMPARE(quick.maxSteps, std::int64_t(20));
        QVERIFY(validate(quick).empty());
        TrainingConfig recipe = applyPreset(TrainingPreset::Recipe, current, 1000);
        recipe.threads = 0;
        TrainingConfig expected;
        expected.dataPaths = current.dataPaths;
        expected.basePath = current.basePath;
        expected.outPath = current.outPath;
        QVERIFY(recipe == expected);
    }

    void preferencesAreTypedAndBounded()
    {
        QCOMPARE(prefs::lastDataFolder.get(), QString());
        prefs::lastDataFolder.set(QStringLiteral("/data"));
        QCOMPARE(prefs::lastDataFolder.get(), QStringLiteral("/data"));
        for (int i = 0; i < prefs::kMaxRecentModels + 3; ++i)
            prefs::addRecentModel(QStringLiteral("/models/%1").arg(i));
        prefs::addRecentModel(QStringLiteral("/models/2"));
        const QStringList recent = prefs::recentModels.get();
        QCOMPARE(recent.size(), prefs::kMaxRecentModels);
        QCOMPARE(recent.first(), QStringLiteral("/models/2"));
        QCOMPARE(recent.count(QStringLiteral("/models/2")), 1);
        prefs::recordThroughput(QStringLiteral("/models/a"), 12.5);
        prefs::recordThroughput(QStringLiteral("/models/a"), 20.0);
        QCOMPARE(prefs::measuredPairsPerSecond(QStringLiteral("/models/a")), 20.0);
        QCOMPARE(prefs::measuredPairsPerSecond(QStringLiteral("/models/b")), 0.0);
    }
};

QTEST_MAIN(TestStudioLogic)
#include "tst_studiologic.moc"
