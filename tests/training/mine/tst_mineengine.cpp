// The mining engine on the built-in model and WordNet sample pairs (resources/data): a planted
// near-duplicate of a positive is kept out by its guard (and taken without it), held-out texts never
// become negatives, the random strategy is seeded, progress moves and a cancel stops it.

#include "core/error.h"
#include "data/pairdataset.h"
#include "mine/hardnegativemining.h"
#include "model/sentencemodel.h"
#include "recipe/datasplit.h"
#include "vectorcosine.h"

#include <QtTest>

#include <cmath>
#include <set>

using namespace pairtune;

namespace {
const std::string kResources = PAIRTUNE_RESOURCES_DIR;

std::vector<PairRecord> samplePairs(std::size_t count)
{
    const PairDataset all = PairDataset::load(kResources + "/data/wordnet-demo-pairs.tsv");
    return { all.records().begin(), all.records().begin() + static_cast<std::ptrdiff_t>(count) };
}

bool hasNegative(const PairRecord &r, const std::string &text)
{
    return std::find(r.negatives.begin(), r.negatives.end(), text) != r.negatives.end();
}

double cosine(const Embeddings &e, std::size_t a, std::size_t b)
{
    return vectorCosine(e.row(a), e.row(b), e.dim);
}
} // namespace

class TestMineEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_model = std::make_unique<SentenceModel>(SentenceModel::load(kResources + "/models/builtin"));
    }

    void nearDuplicateOfThePositiveIsRemovedByItsGuard()
    {
        std::vector<PairRecord> records = samplePairs(150);
        // A row whose anchor finds its own positive first, so a copy of that positive is in its window.
        std::vector<std::string> texts;
        for (const PairRecord &r : records)
            texts.push_back(r.positive);
        for (const PairRecord &r : records)
            texts.push_back(r.anchor);
        const Embeddings all = m_model->encodeWithPrompt(texts, "");
        std::size_t row = records.size();
        for (std::size_t r = 0; r < records.size() && row == records.size(); ++r) {
            std::size_t best = 0;
            for (std::size_t p = 1; p < records.size(); ++p)
                best = cosine(all, records.size() + r, p) > cosine(all, records.size() + r, best) ? p : best;
            row = best == r ? r : row;
        }
        QVERIFY(row < records.size());
        // A planted false negative: another anchor whose positive is that positive with a full stop.
        const std::string positive = records[row].positive;
        const std::string planted = positive + " .";
        records.push_back({ "another way to say it", planted, {}, std::nullopt, 999, 0 });
        const Embeddings e = m_model->encodeWithPrompt({ positive, planted }, "");
        QVERIFY2(cosine(e, 0, 1) >= 0.98, qPrintable(QString::number(cosine(e, 0, 1))));
        const PairDataset pairs = PairDataset::fromRecords(records);

        MiningOptions options;
        options.trainFraction = 1.0; // every row trains: the planted row is a candidate for the row
        options.rules.numNegatives = 3;
        const MiningResult guarded = mineHardNegatives(*m_model, pairs, {}, options);
        QVERIFY(!hasNegative(guarded.pairs.records()[row], planted));
        QVERIFY(!hasNegative(guarded.pairs.records().back(), positive));
        QVERIFY(guarded.report.removed[Guard::NearDuplicate] >= 1);

        // Without the guards the planted text is what the row's anchor finds first (a hard "negative"
        // that is really its positive): the guard, not chance, kept it out above.
        options.rules.nearDuplicate = 2.0;
        options.rules.relativeMargin = std::nullopt;
        const MiningResult unguarded = mineHardNegatives(*m_model, pairs, {}, options);
        QVERIFY(hasNegative(unguarded.pairs.records()[row], planted));
        QCOMPARE(unguarded.report.removed[Guard::NearDuplicate], std::size_t { 0 });
    }

    void heldOutTextsNeverBecomeNegatives()
    {
        const std::vector<PairRecord> records = samplePairs(300);
        const PairDataset pairs = PairDataset::fromRecords(records);
        MiningOptions options;
        options.seed = 11;
        options.rules.numNegatives = 4;
        options.rules.sampling = SamplingStrategy::Random;
        const MiningResult result = mineHardNegatives(*m_model, pairs, {}, options);
        // The split the trainer makes of these rows with the same seed and fraction.
        const Split split = splitIndices(records.size(), 0.8, 11);
        std::set<std::string> heldOut, trainPositives;
        for (const std::size_t r : split.eval) {
            heldOut.insert(records[r].anchor);
            heldOut.insert(records[r].positive);
        }
        for (const std::size_t r : split.train)
            trainPositives.insert(records[r].positive);
        QCOMPARE(result.pairs.size(), records.size());
        for (std::size_t r = 0; r < records.size(); ++r) {
            const PairRecord &mined = result.pairs.records()[r];
            QCOMPARE(mined.anchor, records[r].anchor); // every row in its place
            QCOMPARE(mined.positive, records[r].positive);
            QCOMPARE(mined.negatives.size(), std::size_t { 4 });
            for (const std::string &negative : mined.negatives) {
                QVERIFY2(!heldOut.count(negative), negative.c_str());
                QVERIFY(trainPositives.count(negative));
                QVERIFY(negative != mined.positive);
            }
        }
        QCOMPARE(result.report.trainRows, split.train.size());
        QCOMPARE(result.report.negativeScores.count, split.train.size() * 4);
    }

    void randomSamplingIsDeterministicForASeed()
    {
        const PairDataset pairs = PairDataset::fromRecords(samplePairs(200));
        MiningOptions options;
        options.rules.sampling = SamplingStrategy::Random;
        options.rules.rangeMax = 40;
        const auto negativesOf = [&](std::uint64_t seed, std::size_t batchSize) {
            options.seed = seed;
            options.batchSize = batchSize;
            std::vector<std::vector<std::string>> all;
            const MiningResult result = mineHardNegatives(*m_model, pairs, {}, options);
            for (const PairRecord &r : result.pairs.records())
                all.push_back(r.negatives);
            return all;
        };
        const auto first = negativesOf(5, 32);
        QVERIFY(negativesOf(5, 7) == first); // batching does not move the draw
        QVERIFY(negativesOf(6, 32) != first);
    }

    void reportsProgressAndStopsOnCancel()
    {
        const PairDataset pairs = PairDataset::fromRecords(samplePairs(120));
        MiningOptions options;
        options.batchSize = 4; // several embedding chunks (32 batches each)
        std::vector<MiningProgress> seen;
        MiningCallbacks callbacks;
        callbacks.onProgress = [&](const MiningProgress &p) { seen.push_back(p); };
        mineHardNegatives(*m_model, pairs, {}, options, callbacks);
        QVERIFY(seen.size() >= 3);
        QCOMPARE(seen.front().stage, MiningStage::Embedding);
        QCOMPARE(seen.back().stage, MiningStage::Searching);
        QCOMPARE(seen.back().done, seen.back().total);
        for (std::size_t i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i].stage != seen[i - 1].stage || seen[i].done > seen[i - 1].done);

        std::size_t progressCalls = 0;
        callbacks.onProgress = [&](const MiningProgress &) { ++progressCalls; };
        callbacks.cancelRequested = [&] { return progressCalls >= 1; };
        try {
            mineHardNegatives(*m_model, pairs, {}, options, callbacks);
            QFAIL("a cancelled mining returned");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), Error::Kind::Cancelled);
        }
        QCOMPARE(progressCalls, std::size_t { 1 }); // stopped at the next chunk
    }

    void refusesPairsThatAlreadyHaveNegatives()
    {
        std::vector<PairRecord> records = samplePairs(10);
        for (PairRecord &r : records)
            r.negatives = { "x" };
        try {
            mineHardNegatives(*m_model, PairDataset::fromRecords(records), {}, {});
            QFAIL("mined a file that has negatives");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("already have") != std::string::npos);
        }
    }

private:
    std::unique_ptr<SentenceModel> m_model;
};

QTEST_APPLESS_MAIN(TestMineEngine)
#include "tst_mineengine.moc"
