#include "core/error.h"
#include "recipe/batchsampler.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <set>

using namespace pairtune;
using Batches = std::vector<std::vector<std::size_t>>;

namespace {

std::vector<std::size_t> range(std::size_t n)
{
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), std::size_t { 0 });
    return v;
}

std::vector<std::size_t> flatten(const Batches &batches)
{
    std::vector<std::size_t> out;
    for (const auto &b : batches)
        out.insert(out.end(), b.begin(), b.end());
    return out;
}

std::vector<std::size_t> sorted(std::vector<std::size_t> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

// Pairs whose anchors repeat: record i has anchor "q<i % anchors>" and positive "d<i>".
std::vector<std::vector<std::string>> pairTexts(std::size_t n, std::size_t anchors)
{
    std::vector<std::vector<std::string>> texts;
    for (std::size_t i = 0; i < n; ++i)
        texts.push_back({ "q" + std::to_string(i % anchors), "d" + std::to_string(i) });
    return texts;
}

BatchSamplerOptions plainOptions(std::size_t batchSize, std::uint64_t seed = 42)
{
    BatchSamplerOptions o;
    o.batchSize = batchSize;
    o.seed = seed;
    o.noDuplicates = false;
    return o;
}

} // namespace

class TestBatchSampler : public QObject
{
    Q_OBJECT

private slots:
    void plainEpochCoversEveryIndexOnce()
    {
        // The sampler works on a subset of record indices (a split's training part).
        std::vector<std::size_t> indices;
        for (std::size_t i = 0; i < 100; ++i)
            indices.push_back(3 * i + 1);
        BatchSampler sampler(indices, plainOptions(32));
        QCOMPARE(sampler.stepsPerEpoch(), std::size_t(4));
        QCOMPARE(sampler.batchCount(0), std::size_t(4));
        QCOMPARE(sampler.totalSteps(8), std::int64_t(32));
        for (int epoch = 0; epoch < 3; ++epoch) {
            const Batches batches = sampler.batchesForEpoch(epoch);
            QCOMPARE(batches.size(), std::size_t(4));
            QCOMPARE(batches[0].size(), std::size_t(32));
            QCOMPARE(batches[2].size(), std::size_t(32));
            QCOMPARE(batches[3].size(), std::size_t(4)); // the last partial batch is kept
            QCOMPARE(sorted(flatten(batches)), indices);
        }
    }

    void deterministicAndEpochsDiffer()
    {
        BatchSampler a(range(200), plainOptions(16)), b(range(200), plainOptions(16)),
            otherSeed(range(200), plainOptions(16, 43));
        QCOMPARE(a.batchesForEpoch(0), b.batchesForEpoch(0));
        QCOMPARE(a.batchesForEpoch(5), b.batchesForEpoch(5));
        QVERIFY(a.batchesForEpoch(0) != a.batchesForEpoch(1));
        QVERIFY(a.batchesForEpoch(0) != otherSeed.batchesForEpoch(0));
        QVERIFY(flatten(a.batchesForEpoch(0)) != range(200)); // actually shuffled
        // Any epoch can be produced first, without the earlier ones.
        BatchSampler fresh(range(200), plainOptions(16));
        const Batches epoch3 = fresh.batchesForEpoch(3);
        QCOMPARE(epoch3, a.batchesForEpoch(3));
    }

    void noDuplicateTextsInABatch()
    {
        const std::size_t n = 500;
        const auto texts = pairTexts(n, 40); // every anchor appears 12-13 times
        const auto ids = BatchSampler::textIdsFromTexts(texts);
        BatchSamplerOptions options;
        options.batchSize = 32;
        BatchSampler sampler(range(n), options, ids);
        for (int epoch = 0; epoch < 3; ++epoch) {
            const Batches batches = sampler.batchesForEpoch(epoch);
            QCOMPARE(sorted(flatten(batches)), range(n));
            for (const auto &batch : batches) {
                QVERIFY(!batch.empty() && batch.size() <= 32);
                std::set<std::string> seen;
                for (const auto record : batch)
                    for (const auto &text : texts[record])
                        QVERIFY2(seen.insert(text).second, qPrintable(QString::fromStdString(text)));
            }
            QCOMPARE(sampler.batchCount(epoch), batches.size());
        }
        // The same data without the mode does put duplicates together, so the check above can fail.
        BatchSampler plain(range(n), plainOptions(32));
        bool clash = false;
        for (const auto &batch : plain.batchesForEpoch(0)) {
            std::set<std::string> seen;
            for (const auto record : batch)
                for (const auto &text : texts[record])
                    clash |= !seen.insert(text).second;
        }
        QVERIFY(clash);
    }

    void noDuplicatesFollowsTheRescanRule()
    {
        // Reference: sentence-transformers' NoDuplicatesBatchSampler over an ordered remaining list —
        // each batch rescans the unused records in order and skips those sharing a text with it.
        const std::size_t n = 120, batchSize = 8;
        const auto ids = BatchSampler::textIdsFromTexts(pairTexts(n, 9));
        BatchSamplerOptions options;
        options.batchSize = batchSize;
        options.seed = 5;
        BatchSampler sampler(range(n), options, ids);
        // One plain batch of everything reveals the epoch's shuffled order (same generator use).
        BatchSampler orderProbe(range(n), plainOptions(n, 5));
        for (int epoch = 0; epoch < 2; ++epoch) {
            std::vector<std::size_t> remaining = orderProbe.batchesForEpoch(epoch).front();
            Batches expected;
            while (!remaining.empty()) {
                std::vector<std::size_t> batch;
                std::set<std::uint32_t> values;
                for (const auto record : remaining) {
                    bool overlap = false;
                    for (const auto id : ids[record])
                        overlap |= values.count(id) > 0;
                    if (overlap)
                        continue;
                    batch.push_back(record);
                    if (batch.size() == batchSize)
                        break;
                    values.insert(ids[record].begin(), ids[record].end());
                }
                std::erase_if(remaining,
                    [&](std::size_t r) { return std::find(batch.begin(), batch.end(), r) != batch.end(); });
                expected.push_back(batch);
            }
            QCOMPARE(sampler.batchesForEpoch(epoch), expected);
        }
    }

    void clashingRecordsAddBatches()
    {
        // Five records share one anchor: each needs a batch of its own. A record repeating its own
        // text (anchor == positive) is no clash.
        std::vector<std::vector<std::string>> texts;
        for (int i = 0; i < 5; ++i)
            texts.push_back({ "same question", "answer " + std::to_string(i) });
        texts.push_back({ "echo", "echo" });
        BatchSamplerOptions options;
        options.batchSize = 32;
        BatchSampler sampler(range(texts.size()), options, BatchSampler::textIdsFromTexts(texts));
        QCOMPARE(sampler.stepsPerEpoch(), std::size_t(1));
        const Batches batches = sampler.batchesForEpoch(0);
        QCOMPARE(batches.size(), std::size_t(5));
        QCOMPARE(batches[0].size(), std::size_t(2));
        QCOMPARE(sampler.batchCount(0), std::size_t(5));
        QCOMPARE(sampler.totalSteps(3), std::int64_t(15));
    }

    void textIdsFromTexts()
    {
        const auto ids = BatchSampler::textIdsFromTexts({ { "a", "b" }, { "b", "c", "a" }, {} });
        QCOMPARE(ids.size(), std::size_t(3));
        QCOMPARE(ids[0][0], ids[1][2]);
        QCOMPARE(ids[0][1], ids[1][0]);
        QVERIFY(ids[0][0] != ids[0][1]);
        QVERIFY(ids[1][1] != ids[0][0] && ids[1][1] != ids[0][1]);
        QVERIFY(ids[2].empty());
    }

    void resumeGivesTheSameRemainingBatches()
    {
        const auto ids = BatchSampler::textIdsFromTexts(pairTexts(300, 50));
        BatchSamplerOptions options;
        options.batchSize = 16;
        const BatchSampler before(range(300), options, ids);
        const Batches epoch2 = before.batchesForEpoch(2);
        // A new process (new sampler) resumes at batch 7 of epoch 2.
        const BatchSampler after(range(300), options, ids);
        const SamplerPosition position { 2, 7 };
        const Batches rest = after.remainingBatches(position);
        QCOMPARE(rest, Batches(epoch2.begin() + 7, epoch2.end()));
        QVERIFY(after.remainingBatches({ 2, epoch2.size() }).empty());
        QCOMPARE(after.remainingBatches({ 2, 0 }), epoch2);
        QVERIFY_THROWS_EXCEPTION(Error, after.remainingBatches({ 2, epoch2.size() + 1 }));

        const SamplerPosition restored
            = samplerPositionFromJson(nlohmann::json::parse(toJson(position).dump()));
        QCOMPARE(restored, position);
        QVERIFY_THROWS_EXCEPTION(Error, samplerPositionFromJson(nlohmann::json::parse(R"({"epoch": 1})")));
        QVERIFY_THROWS_EXCEPTION(
            Error, samplerPositionFromJson(nlohmann::json::parse(R"({"epoch": -1, "batch_in_epoch": 0})")));
        QVERIFY_THROWS_EXCEPTION(Error, samplerPositionFromJson(nlohmann::json::parse(R"([1, 2])")));
    }

    void lengthGroupedBatchesAreHomogeneousButRandom()
    {
        const std::size_t n = 3200, batchSize = 16;
        std::vector<std::size_t> lengths(n);
        for (std::size_t i = 0; i < n; ++i)
            lengths[i] = 1 + (i * 7919) % 200; // spread over 1..200
        BatchSamplerOptions grouped = plainOptions(batchSize);
        grouped.lengthGrouped = true;
        const BatchSampler sampler(range(n), grouped, {}, lengths);
        const BatchSampler plain(range(n), plainOptions(batchSize));

        const auto meanSpread = [&](const Batches &batches) {
            double sum = 0.0;
            for (const auto &batch : batches) {
                std::size_t lo = SIZE_MAX, hi = 0;
                for (const auto r : batch) {
                    lo = std::min(lo, lengths[r]);
                    hi = std::max(hi, lengths[r]);
                }
                sum += double(hi - lo);
            }
            return sum / double(batches.size());
        };
        const Batches epoch0 = sampler.batchesForEpoch(0), epoch1 = sampler.batchesForEpoch(1);
        QCOMPARE(sorted(flatten(epoch0)), range(n));
        QCOMPARE(epoch0.size(), sampler.stepsPerEpoch());
        const double groupedSpread = meanSpread(epoch0), plainSpread = meanSpread(plain.batchesForEpoch(0));
        // Random batches of 16 span most of 1..200; grouped ones (800-record chunks) span a few values.
        QVERIFY2(groupedSpread < 10.0, qPrintable(QString::number(groupedSpread)));
        QVERIFY2(plainSpread > 150.0, qPrintable(QString::number(plainSpread)));

        // The batch order is shuffled: not longest-first, and different in the next epoch.
        std::vector<std::size_t> firstLengths;
        for (const auto &batch : epoch0)
            firstLengths.push_back(lengths[batch.front()]);
        QVERIFY(!std::is_sorted(firstLengths.rbegin(), firstLengths.rend()));
        QVERIFY(epoch0 != epoch1);
        QCOMPARE(sampler.batchesForEpoch(1), epoch1);
    }

    void lengthGroupedWithNoDuplicates()
    {
        const std::size_t n = 400;
        const auto texts = pairTexts(n, 30);
        std::vector<std::size_t> lengths(n);
        for (std::size_t i = 0; i < n; ++i)
            lengths[i] = i % 37;
        BatchSamplerOptions options;
        options.batchSize = 10;
        options.lengthGrouped = true;
        options.lengthChunkBatches = 5;
        const BatchSampler sampler(range(n), options, BatchSampler::textIdsFromTexts(texts), lengths);
        const Batches batches = sampler.batchesForEpoch(0);
        QCOMPARE(sorted(flatten(batches)), range(n));
        for (const auto &batch : batches) {
            std::set<std::string> seen;
            for (const auto record : batch)
                for (const auto &text : texts[record])
                    QVERIFY(seen.insert(text).second);
        }
    }

    void rejectsMissingInputs()
    {
        BatchSamplerOptions options; // noDuplicates on by default
        QVERIFY_THROWS_EXCEPTION(Error, BatchSampler(range(10), options));
        QVERIFY_THROWS_EXCEPTION(
            Error, BatchSampler(range(10), options, BatchSampler::textIdsFromTexts(pairTexts(5, 5))));
        BatchSamplerOptions zero = plainOptions(0);
        QVERIFY_THROWS_EXCEPTION(Error, BatchSampler(range(10), zero));
        BatchSamplerOptions grouped = plainOptions(4);
        grouped.lengthGrouped = true;
        QVERIFY_THROWS_EXCEPTION(Error, BatchSampler(range(10), grouped));
        QVERIFY_THROWS_EXCEPTION(Error, BatchSampler(range(10), plainOptions(4)).batchesForEpoch(-1));
        // An empty training set is not an error: no batches.
        QVERIFY(BatchSampler({}, options).batchesForEpoch(0).empty());
    }
};

QTEST_GUILESS_MAIN(TestBatchSampler)
#include "tst_batchsampler.moc"
