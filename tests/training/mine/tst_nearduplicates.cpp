// The near-duplicate check (issue 21, part 3) on the built-in model and WordNet sample pairs: a planted
// near-copy across the split is found, and the grouped split (also as the trainer makes it from the
// config) keeps its group on one side; a planted repeat inside training is dropped by the other fix; a
// pair just below the threshold is not linked; progress moves and a cancel stops the check. Cosines the
// test relies on are computed here from the model's embeddings, not taken from the code under test.

#include "core/error.h"
#include "data/pairdataset.h"
#include "mine/nearduplicates.h"
#include "model/sentencemodel.h"
#include "recipe/datasplit.h"
#include "recipe/trainingconfig.h"
#include "train/trainingdata.h"
#include "vectorcosine.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace pairtune;

namespace {
const std::string kResources = PAIRTUNE_RESOURCES_DIR;

std::vector<PairRecord> samplePairs(std::size_t count)
{
    const PairDataset all = PairDataset::load(kResources + "/data/wordnet-demo-pairs.tsv");
    return { all.records().begin(), all.records().begin() + static_cast<std::ptrdiff_t>(count) };
}

double cosine(const SentenceModel &model, const std::string &a, const std::string &b)
{
    const Embeddings e = model.encodeWithPrompt({ a, b }, "");
    return vectorCosine(e.row(0), e.row(1), e.dim);
}

bool contains(const std::vector<std::size_t> &rows, std::size_t row)
{
    return std::binary_search(rows.begin(), rows.end(), row);
}

// A near-copy of row source's pair: the same words with a full stop, as a scraped duplicate would be.
PairRecord nearCopy(const PairRecord &source)
{
    return { source.anchor + " .", source.positive + " .", {}, std::nullopt, 999, 0 };
}

constexpr double kFraction = 0.8;
} // namespace

class TestNearDuplicates : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_model = std::make_unique<SentenceModel>(SentenceModel::load(kResources + "/models/builtin"));
        m_records = samplePairs(60);
        m_records.push_back(nearCopy(m_records[7]));
        m_copy = m_records.size() - 1;
        const double c = cosine(*m_model, m_records[7].positive, m_records[m_copy].positive);
        QVERIFY2(c >= 0.97, qPrintable(QString::number(c))); // a near-copy under the model, clearly
    }

    void plantedNearCopyAcrossTheSplitIsFoundAndGroupingKeepsItOnOneSide()
    {
        // A seed whose plain split puts the original in training and the copy in evaluation.
        std::uint64_t seed = 0;
        Split plain;
        for (seed = 1; seed < 500; ++seed) {
            plain = splitIndices(m_records.size(), kFraction, seed);
            if (contains(plain.train, 7) && contains(plain.eval, m_copy))
                break;
        }
        QVERIFY(seed < 500);
        const NearDuplicateGroups groups = findNearDuplicateGroups(*m_model, m_records);
        QCOMPARE(groups.rowGroup[m_copy], groups.rowGroup[7]);

        const NearDuplicateReport before = reportNearDuplicates(groups, plain, 100);
        QVERIFY(before.crossSplitRows >= 1);
        const auto planted = std::find_if(before.crossSplitExamples.begin(), before.crossSplitExamples.end(),
            [&](const NearDuplicateExample &e) { return e.rowA == 7 && e.rowB == m_copy; });
        QVERIFY(planted != before.crossSplitExamples.end());
        QVERIFY(planted->cosine >= 0.95f);

        // The fix: every group on one side; the planted pair together, no held-out row near-copies
        // a training text any more, and both parts are still there.
        const Split grouped = splitIndicesGrouped(m_records.size(), kFraction, seed, groups.rowGroup);
        QCOMPARE(contains(grouped.train, 7), contains(grouped.train, m_copy));
        QVERIFY(!grouped.train.empty() && !grouped.eval.empty());
        QCOMPARE(grouped.train.size() + grouped.eval.size(), m_records.size());
        QCOMPARE(reportNearDuplicates(groups, grouped).crossSplitRows, std::size_t { 0 });
        for (const std::size_t e : grouped.eval)
            for (const std::size_t t : grouped.train)
                QVERIFY(groups.rowGroup[e] != groups.rowGroup[t]);
    }

    void groupedSplitWithoutGroupsIsThePlainSplit()
    {
        std::vector<std::size_t> alone(500);
        for (std::size_t r = 0; r < alone.size(); ++r)
            alone[r] = r;
        QCOMPARE(splitIndicesGrouped(500, 0.8, 42, alone), splitIndices(500, 0.8, 42));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndicesGrouped(10, 0.8, 42, std::vector<std::size_t>(10, 3)));
    }

    void trainerHonoursTheConfig()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("pairs.tsv").toStdString();
        {
            std::ofstream out(path);
            out << "anchor\tpositive\n";
            for (const PairRecord &r : m_records)
                out << r.anchor << '\t' << r.positive << '\n';
        }
        TrainingConfig config;
        config.dataPaths = { path };
        config.basePath = kResources + "/models/builtin";
        for (config.seed = 1; config.seed < 500; ++config.seed) {
            const Split plain = splitIndices(m_records.size(), kFraction, config.seed);
            if (contains(plain.train, 7) != contains(plain.train, m_copy))
                break;
        }
        QVERIFY(config.seed < 500);
        config.groupNearDuplicates = true;
        const TrainingData data = prepareTrainingData(config, *m_model);
        QCOMPARE(contains(data.split.train, 7), contains(data.split.train, m_copy));
        // The run's config.json carries the option, so a resume splits the same way.
        QCOMPARE(trainingConfigFromJson(toJson(config)), config);
        QCOMPARE(toJson(config).at("group_near_duplicates").get<bool>(), true);
    }

    void repeatWithinTrainingIsDroppedByTheOtherFix()
    {
        std::uint64_t seed = 0;
        Split plain;
        for (seed = 1; seed < 500; ++seed) {
            plain = splitIndices(m_records.size(), kFraction, seed);
            if (contains(plain.train, 7) && contains(plain.train, m_copy))
                break;
        }
        QVERIFY(seed < 500);
        const NearDuplicateGroups groups = findNearDuplicateGroups(*m_model, m_records);
        const NearDuplicateReport report = reportNearDuplicates(groups, plain, 100);
        QVERIFY(report.withinTrainRepeats >= 1);
        const Split dropped = dropWithinTrainRepeats(plain, groups.rowGroup);
        QVERIFY(contains(dropped.train, 7)); // the first of the group stays
        QVERIFY(!contains(dropped.train, m_copy));
        QCOMPARE(dropped.eval, plain.eval);
        QCOMPARE(plain.train.size() - dropped.train.size(), report.withinTrainRepeats);
        QCOMPARE(reportNearDuplicates(groups, dropped).withinTrainRepeats, std::size_t { 0 });
    }

    void pairJustBelowTheThresholdIsNotReported()
    {
        const std::vector<PairRecord> two { m_records[7], m_records[m_copy] };
        const std::vector<std::string> texts { two[0].anchor, two[0].positive, two[1].anchor,
            two[1].positive };
        double across = -1.0, any = -1.0; // the best cosine between the rows' texts, and among all four
        for (std::size_t a = 0; a < texts.size(); ++a)
            for (std::size_t b = a + 1; b < texts.size(); ++b) {
                const double c = cosine(*m_model, texts[a], texts[b]);
                any = std::max(any, c);
                if (a < 2 && b >= 2)
                    across = std::max(across, c);
            }
        NearDuplicateOptions options;
        options.threshold = any + 2e-4;
        QVERIFY(options.threshold <= 1.0);
        const NearDuplicateGroups above = findNearDuplicateGroups(*m_model, two, options);
        QVERIFY(above.rowGroup[0] != above.rowGroup[1]);
        QCOMPARE(above.linkedTexts, std::size_t { 0 });
        QCOMPARE(reportNearDuplicates(above, { { 0 }, { 1 } }).crossSplitRows, std::size_t { 0 });
        options.threshold = across - 2e-4;
        const NearDuplicateGroups below = findNearDuplicateGroups(*m_model, two, options);
        QCOMPARE(below.rowGroup[0], below.rowGroup[1]);
        QCOMPARE(reportNearDuplicates(below, { { 0 }, { 1 } }).crossSplitRows, std::size_t { 1 });

        options.threshold = 0.0;
        QVERIFY_THROWS_EXCEPTION(Error, findNearDuplicateGroups(*m_model, two, options));
    }

    void progressMovesAndCancelStops()
    {
        NearDuplicateCallbacks callbacks;
        std::size_t searched = 0, embedded = 0;
        callbacks.onProgress = [&](const NearDuplicateProgress &p) {
            (p.stage == NearDuplicateStage::Embedding ? embedded : searched) = p.done;
        };
        const NearDuplicateGroups groups = findNearDuplicateGroups(*m_model, m_records, {}, callbacks);
        QCOMPARE(embedded, groups.texts.size());
        QCOMPARE(searched, groups.texts.size());
        callbacks.cancelRequested = [] { return true; };
        try {
            findNearDuplicateGroups(*m_model, m_records, {}, callbacks);
            QFAIL("a cancel did not stop the check");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), Error::Kind::Cancelled);
        }
    }

private:
    std::unique_ptr<SentenceModel> m_model;
    std::vector<PairRecord> m_records;
    std::size_t m_copy = 0;
};

QTEST_GUILESS_MAIN(TestNearDuplicates)
#include "tst_nearduplicates.moc"
