// The studio's Hard negatives step (issue 20) driven through the real window with the built-in model
// on a subset of the WordNet demo pairs: mining gives k negatives per row and never a held-out text,
// unticking swaps in the row's next candidate (and refuses once the spares are used up), Cancel stops
// a mining, a changed split refuses the mined pairs, and the run trains on the reviewed pairs; a corpus
// file's lines become candidates, and another model folder (a copy of the built-in one) mines and is named.

#include "core/error.h"
#include "data/pairdataset.h"
#include "io/foldercopy.h"
#include "recipe/datasplit.h"
#include "studiofixture.h"
#include "ui/datapage.h"
#include "ui/loadedmodel.h"
#include "ui/mainwindow.h"
#include "ui/minednegatives.h"
#include "ui/miningpage.h"
#include "ui/miningreview.h"
#include "ui/miningsources.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTreeWidget>

#include <set>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;
const QString kResources = QStringLiteral(PAIRTUNE_SOURCE_DIR "/resources");

// The header and the first `rows` pairs of the demo file.
bool writeDemoSubset(const QString &path, int rows)
{
    QFile in(kResources + QStringLiteral("/data/wordnet-demo-pairs.tsv"));
    QFile out(path);
    if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly))
        return false;
    for (int line = 0; line <= rows && !in.atEnd(); ++line)
        out.write(in.readLine());
    return true;
}

} // namespace

class TestMiningStep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_small = m_dir.filePath(QStringLiteral("demo-300.tsv"));
        QVERIFY(writeDemoSubset(m_small, 300));
        m_whole = m_dir.filePath(QStringLiteral("demo-all.tsv"));
        QVERIFY(writeDemoSubset(m_whole, 2000));
    }

    void minedNegativesReviewedAndTrainedOn()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MiningPage *mining = openMiningStep(window, m_small);
        QVERIFY(mining->isComplete()); // optional: Next works without mining
        mining->perRowBox()->setValue(2);
        QVERIFY(mining->mineButton()->isEnabled());
        QTest::mouseClick(mining->mineButton(), Qt::LeftButton);
        QVERIFY(mining->isRunning());
        QVERIFY(!window.goNext()); // not while mining
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY2(mining->hasMined(), qPrintable(mining->statusLabel()->text()));

        // k negatives per row, none the row's own positive or anchor, none a held-out text.
        const TrainingConfig config = window.settingsPage()->config();
        const MinedNegatives &mined = *mining->mined();
        const std::shared_ptr<const PairDataset> pairs = mined.pairs();
        QCOMPARE(pairs->size(), std::size_t(300));
        QCOMPARE(pairs->negativesPerRecord(), std::size_t(2));
        const Split split = splitIndices(pairs->size(), config.trainFraction, config.seed);
        std::set<std::string> heldOut;
        for (const std::size_t r : split.eval) {
            heldOut.insert(pairs->records()[r].anchor);
            heldOut.insert(pairs->records()[r].positive);
        }
        for (const PairRecord &record : pairs->records()) {
            QCOMPARE(record.negatives.size(), std::size_t(2));
            for (const std::string &negative : record.negatives) {
                QVERIFY(negative != record.positive && negative != record.anchor);
                QVERIFY2(!heldOut.count(negative), negative.c_str());
            }
        }
        // The review shows training rows with a positive and the kept negatives.
        QTreeWidget *tree = mining->review()->sampleTree();
        QVERIFY(tree->topLevelItemCount() > 0);
        QTreeWidgetItem *anchor = tree->topLevelItem(0);
        const std::size_t row = mining->review()->rowOf(anchor);
        QVERIFY(mined.isTraining(row));
        QCOMPARE(anchor->childCount(), 3);
        QVERIFY(mined.candidates(row) >= 3); // spares for unticking

        // Untick the first negative: the row's next candidate takes its place.
        const std::string first = mined.candidate(row, 0);
        const std::string spare = mined.candidate(row, 2);
        anchor->child(1)->setCheckState(0, Qt::Unchecked);
        QTRY_COMPARE(anchor->childCount(), 4); // two kept, one unticked shown greyed
        QVERIFY(mined.isUnticked(row, 0));
        const std::vector<std::string> afterUntick = mined.pairs()->records()[row].negatives;
        QCOMPARE(afterUntick.size(), std::size_t(2));
        QVERIFY(std::find(afterUntick.begin(), afterUntick.end(), first) == afterUntick.end());
        QVERIFY(std::find(afterUntick.begin(), afterUntick.end(), spare) != afterUntick.end());

        // Unticking beyond the spares is refused: the row keeps its two negatives.
        const std::size_t spares = mined.candidates(row) - 2;
        for (std::size_t i = 0; i < spares; ++i) {
            QTreeWidgetItem *kept = nullptr;
            for (int c = 1; c < anchor->childCount() && !kept; ++c) {
                if (anchor->child(c)->checkState(0) == Qt::Checked)
                    kept = anchor->child(c);
            }
            QVERIFY(kept);
            kept->setCheckState(0, Qt::Unchecked);
            QTest::qWait(50);
        }
        QVERIFY(mining->review()->findChild<QLabel *>(QStringLiteral("miningRefused"))->isVisible());
        QCOMPARE(mined.kept(row).size(), std::size_t(2));
        QCOMPARE(mined.untickedCount(), spares);

        // The run trains on the reviewed pairs, written into its folder.
        const std::string reviewedRow = mined.pairs()->records()[row].negatives.at(0);
        QVERIFY(window.goNext());
        QCOMPARE(window.currentStep(), int(MainWindow::SettingsStep));
        TrainingConfig small = window.settingsPage()->config();
        small.maxSteps = 2;
        small.epochs = 1;
        small.batchSize = 8;
        small.evalEvery = 100;
        small.threads = 1;
        window.settingsPage()->setConfig(small);
        QVERIFY(window.goNext());
        const QString run = m_dir.filePath(QStringLiteral("run-mined"));
        window.trainPage()->setRunFolder(run);
        QVERIFY(window.trainPage()->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!window.trainPage()->isRunning(), 4 * kWaitMs);
        QVERIFY2(window.trainPage()->lastError().isEmpty(), qPrintable(window.trainPage()->lastError()));
        // The run's config names the mined file in the run folder: a resume or a re-run reads the same pairs.
        const QString minedPath = QDir(run).filePath(QStringLiteral("mined-pairs.jsonl"));
        QCOMPARE(
            window.trainPage()->runConfig().dataPaths, std::vector<std::string> { minedPath.toStdString() });
        QFile configFile(QDir(run).filePath(QStringLiteral("config.json")));
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        QVERIFY(configFile.readAll().contains("mined-pairs.jsonl"));
        const PairDataset written = PairDataset::load(minedPath.toStdString());
        QCOMPARE(written.size(), std::size_t(300));
        QCOMPARE(written.negativesPerRecord(), std::size_t(2));
        QCOMPARE(written.records()[row].negatives.at(0), reviewedRow);
    }

    void cancelStopsMining()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MiningPage *mining = openMiningStep(window, m_whole);
        QTest::mouseClick(mining->mineButton(), Qt::LeftButton);
        QVERIFY(mining->isRunning());
        QVERIFY(mining->cancelButton()->isVisible());
        QTest::mouseClick(mining->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY(!mining->hasMined());
        QCOMPARE(mining->statusLabel()->text(), QStringLiteral("Mining cancelled."));
        QVERIFY(mining->isComplete());
        QVERIFY(mining->mineButton()->isEnabled()); // may mine again
    }

    void changedSplitRefusesTheMinedPairs()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MiningPage *mining = openMiningStep(window, m_small);
        mining->perRowBox()->setValue(1);
        mining->startMining();
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY(mining->hasMined());
        TrainingConfig config = window.settingsPage()->config();
        QVERIFY(mining->pairsForRun(config));
        // The trainer's near-duplicate grouping makes another split (training/train/trainingdata.cpp).
        TrainingConfig grouped = config;
        grouped.groupNearDuplicates = true;
        QVERIFY_THROWS_EXCEPTION(Error, mining->pairsForRun(grouped));
        config.seed += 1;
        window.settingsPage()->setConfig(config);
        QVERIFY_THROWS_EXCEPTION(Error, mining->pairsForRun(config));
        // Discarding trains on the pairs as they are.
        QTest::mouseClick(mining->discardButton(), Qt::LeftButton);
        QVERIFY(!mining->hasMined());
        QVERIFY(!mining->pairsForRun(config));
    }

    void corpusLineBecomesANegative()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MiningPage *mining = openMiningStep(window, m_small);
        QVERIFY(mining);
        // A training row's anchor, asked as a question: the text the model finds closest to that anchor
        // short of the anchor itself, and in no pair. The margin guard is off because it would skip it
        // (it scores above the row's positive, which is the guard's very point).
        const TrainingConfig config = window.settingsPage()->config();
        const PairDataset pairs = PairDataset::load(m_small.toStdString());
        const Split split = splitIndices(pairs.size(), config.trainFraction, config.seed);
        QVERIFY(!split.train.empty());
        const std::string anchor = pairs.records()[split.train.front()].anchor;
        const std::string closest = anchor + "?";
        const QString corpusPath = m_dir.filePath(QStringLiteral("corpus.txt"));
        QFile corpus(corpusPath);
        QVERIFY(corpus.open(QIODevice::WriteOnly));
        corpus.write("The harbour freezes over every January.\n\n");
        corpus.write(closest.c_str());
        corpus.write("\nA recipe for lemon tart with a crisp base\n");
        corpus.close();

        QVERIFY(mining->sources()->addCorpusFile(corpusPath));
        QCOMPARE(mining->sources()->corpus().size(), std::size_t(3)); // the empty line is no text
        QVERIFY2(mining->sources()->corpusLabel()->text().contains(QStringLiteral("corpus.txt"))
                && mining->sources()->corpusLabel()->text().contains(QStringLiteral("3 text")),
            qPrintable(mining->sources()->corpusLabel()->text()));
        QVERIFY(mining->sources()->clearCorpusButton()->isVisibleTo(mining));
        mining->marginCheck()->setChecked(false);
        mining->perRowBox()->setValue(2);
        mining->startMining();
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY2(mining->hasMined(), qPrintable(mining->statusLabel()->text()));
        QVERIFY2(mining->statusLabel()->text().contains(QStringLiteral("3 corpus text")),
            qPrintable(mining->statusLabel()->text()));
        const std::shared_ptr<const PairDataset> minedPairs = mining->mined()->pairs();
        const std::vector<PairRecord> &mined = minedPairs->records();
        const auto row = std::find_if(
            mined.begin(), mined.end(), [&](const PairRecord &record) { return record.anchor == anchor; });
        QVERIFY(row != mined.end());
        QVERIFY2(std::find(row->negatives.begin(), row->negatives.end(), closest) != row->negatives.end(),
            anchor.c_str());

        // Cleared, the corpus is no longer passed: the line is in no pair, so no row can get it.
        QTest::mouseClick(mining->sources()->clearCorpusButton(), Qt::LeftButton);
        QVERIFY(mining->sources()->corpus().empty());
        mining->startMining();
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY(mining->hasMined());
        const std::shared_ptr<const PairDataset> withoutCorpus = mining->mined()->pairs();
        for (const PairRecord &record : withoutCorpus->records())
            QVERIFY(std::find(record.negatives.begin(), record.negatives.end(), closest)
                == record.negatives.end());
    }

    void anotherModelFolderMinesAndIsNamed()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MiningPage *mining = openMiningStep(window, m_small);
        QVERIFY(mining);
        MiningSources *sources = mining->sources();

        // A folder that is no model: the error names it and the base model stays chosen.
        const QString notAModel = m_dir.filePath(QStringLiteral("not-a-model"));
        QVERIFY(QDir().mkpath(notAModel));
        sources->chooseModelFolder(notAModel);
        QVERIFY(!mining->mineButton()->isEnabled()); // not while a folder loads
        QTRY_VERIFY_WITH_TIMEOUT(!sources->isLoading(), kWaitMs);
        QVERIFY(sources->modelStatusLabel()->isVisibleTo(mining));
        QVERIFY2(sources->modelStatusLabel()->text().contains(QDir::toNativeSeparators(notAModel)),
            qPrintable(sources->modelStatusLabel()->text()));
        QCOMPARE(sources->model(), window.modelPage()->model());
        QVERIFY(mining->mineButton()->isEnabled());

        // A copy of the built-in model, as a run's checkpoint folder would be.
        const QString copy = m_dir.filePath(QStringLiteral("checkpoint-copy"));
        copyFolderContents(
            (kResources + QStringLiteral("/models/builtin")).toStdString(), copy.toStdString());
        sources->chooseModelFolder(copy);
        QTRY_VERIFY_WITH_TIMEOUT(!sources->isLoading(), kWaitMs);
        QVERIFY2(sources->model() && sources->model() != window.modelPage()->model(),
            qPrintable(sources->modelStatusLabel()->text()));
        QCOMPARE(QString::fromStdString(sources->model()->folder()), copy);
        QVERIFY(sources->modelChoice()->currentText().contains(QStringLiteral("checkpoint-copy")));
        mining->perRowBox()->setValue(1);
        mining->startMining();
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY2(mining->hasMined(), qPrintable(mining->statusLabel()->text()));
        QCOMPARE(mining->mined()->pairs()->negativesPerRecord(), std::size_t(1));
        QVERIFY2(mining->statusLabel()->text().contains(QDir::toNativeSeparators(copy)),
            qPrintable(mining->statusLabel()->text()));

        // Back to the base model: the status of the next mining names it.
        sources->useBaseModel();
        QCOMPARE(sources->model(), window.modelPage()->model());
        mining->startMining();
        QTRY_VERIFY_WITH_TIMEOUT(!mining->isRunning(), kWaitMs);
        QVERIFY2(mining->statusLabel()->text().contains(QStringLiteral("the base model, builtin")),
            qPrintable(mining->statusLabel()->text()));
    }

private:
    MiningPage *openMiningStep(MainWindow &window, const QString &pairs)
    {
        window.dataPage()->addFiles({ pairs });
        if (!QTest::qWaitFor([&] { return window.nextButton()->isEnabled(); }, kWaitMs) || !window.goNext())
            return nullptr;
        window.modelPage()->chooseFolder(kResources + QStringLiteral("/models/builtin"));
        if (!QTest::qWaitFor([&] { return window.modelPage()->isComplete(); }, kWaitMs) || !window.goNext())
            return nullptr;
        if (window.currentStep() != MainWindow::MiningStep)
            return nullptr;
        return window.miningPage();
    }

    QTemporaryDir m_dir;
    QString m_small;
    QString m_whole;
};

QTEST_MAIN(TestMiningStep)
#include "tst_miningstep.moc"
