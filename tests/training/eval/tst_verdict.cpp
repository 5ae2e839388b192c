// The verdict of issue 21 (eval/verdict.h): per-query metrics against RetrievalMetrics, the paired
// bootstrap against numpy (python3-numpy, scripts/setup.sh) on the same resample indices, its coverage of
// a known difference, exact cases (identical models, better on every query, a planted regression) and
// the order of the biggest rank changes.

#include "core/error.h"
#include "eval/retrievalmetrics.h"
#include "eval/verdict.h"
#include "eval/verdictcard.h"
#include "processrun.h"
#include "recipe/rng.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <numeric>

using namespace pairtune;

namespace {

ResampleDraw seededDraw(std::uint64_t seed)
{
    auto rng = std::make_shared<Rng>(seed, rngstream::bootstrap);
    return [rng](std::span<std::size_t> indices) {
        for (std::size_t &i : indices)
            i = static_cast<std::size_t>(rng->uniformInt(indices.size()));
    };
}

std::vector<QueryRank> ranksOf(const std::vector<std::size_t> &ranks)
{
    std::vector<QueryRank> out;
    for (const std::size_t r : ranks)
        out.push_back({ r, 0 });
    return out;
}

const MetricChange &metricOf(const VerdictReport &report, const std::string &name)
{
    for (const MetricChange &m : report.metrics)
        if (m.name == name)
            return m;
    throw std::runtime_error("no metric " + name);
}

} // namespace

class TestVerdict : public QObject
{
    Q_OBJECT

private slots:
    void perQueryMetricsAverageToRetrievalMetrics()
    {
        // Random rankings of a 150-document corpus with one relevant document per query; the mean of
        // singleRelevantMetric over queries must equal RetrievalMetrics' result for every key.
        Rng rng(7, 0);
        const std::size_t corpus = 150, depth = 100;
        RetrievalMetrics metrics;
        std::vector<std::size_t> ranks;
        for (int q = 0; q < 300; ++q) {
            std::vector<std::size_t> order(corpus);
            std::iota(order.begin(), order.end(), std::size_t { 0 });
            rng.shuffle(order);
            const std::size_t relevant = static_cast<std::size_t>(rng.uniformInt(corpus));
            const std::vector<std::size_t> top(order.begin(), order.begin() + depth);
            metrics.addRanked(top, corpus, std::vector<std::size_t> { relevant });
            const auto found = std::find(top.begin(), top.end(), relevant);
            ranks.push_back(found == top.end() ? 0 : static_cast<std::size_t>(found - top.begin()) + 1);
        }
        int checked = 0;
        for (const auto &[key, expected] : metrics.result()) {
            double sum = 0.0;
            for (const std::size_t r : ranks)
                sum += singleRelevantMetric(key, r);
            QVERIFY2(std::abs(sum / static_cast<double>(ranks.size()) - expected) < 1e-12, key.c_str());
            ++checked;
        }
        QCOMPARE(checked, 15); // accuracy/precision/recall @1,3,5,10, mrr@10, ndcg@10, map@100
        QCOMPARE(singleRelevantMetric("ndcg@10", 3), 0.5); // 1 / log2(4), by hand
        QCOMPARE(singleRelevantMetric("mrr@10", 11), 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, singleRelevantMetric("spearman", 1));
    }

    void linearPercentileIsNumpysDefault()
    {
        const std::vector<double> v { 1.0, 2.0, 3.0, 4.0 };
        QCOMPARE(linearPercentile(v, 0.5), 2.5); // numpy.percentile([1,2,3,4], 50)
        QCOMPARE(linearPercentile(v, 0.0), 1.0);
        QCOMPARE(linearPercentile(v, 1.0), 4.0);
        QVERIFY(std::abs(linearPercentile(v, 0.025) - 1.075) < 1e-15); // position 0.075
    }

    void identicalModelsGiveExactlyZero()
    {
        const auto ranks = ranksOf({ 1, 4, 0, 2, 17, 1, 9, 0, 3 });
        const VerdictReport report = compareRanks(ranks, ranks, 100, {}, seededDraw(42));
        QCOMPARE(toString(report.verdict), toString(Verdict::NoClearChange));
        QCOMPARE(toString(report.verdict), std::string("No clear change"));
        for (const MetricChange &m : report.metrics) {
            QCOMPARE(m.difference.low, 0.0);
            QCOMPARE(m.difference.high, 0.0);
            QCOMPARE(m.before, m.after);
            QCOMPARE(toString(m.verdict), toString(Verdict::NoClearChange));
        }
        QVERIFY(report.gains.empty());
        QVERIFY(report.losses.empty());
    }

    void betterOnEveryQueryIsBetter()
    {
        // Every true positive moves up by one within the top 10: each query's reciprocal rank grows, so
        // every resample's mean difference of mrr@10 is positive; recall@10 does not move at all.
        std::vector<std::size_t> before, after;
        for (std::size_t i = 0; i < 40; ++i) {
            before.push_back(2 + i % 9);
            after.push_back(1 + i % 9);
        }
        const VerdictReport report = compareRanks(ranksOf(before), ranksOf(after), 100, {}, seededDraw(1));
        QCOMPARE(toString(report.verdict), toString(Verdict::Better));
        QVERIFY(metricOf(report, "mrr@10").difference.low > 0.0);
        QCOMPARE(toString(metricOf(report, "ndcg@10").verdict), toString(Verdict::Better));
        QCOMPARE(metricOf(report, "recall@10").difference.low, 0.0);
        QCOMPARE(metricOf(report, "recall@10").difference.high, 0.0);
        QCOMPARE(toString(metricOf(report, "recall@10").verdict), toString(Verdict::NoClearChange));
        QCOMPARE(report.gains.size(), std::size_t { 10 }); // VerdictOptions::listed
        QVERIFY(report.losses.empty());
    }

    void plantedRegressionIsWorse()
    {
        // 200 queries: the base finds 70 % of the positives first; the tuned model drops 60 of them to
        // rank 8 or out of the top 100, and lifts 10 others from 2 to 1.
        Rng rng(3, 0);
        std::vector<std::size_t> before, after;
        for (std::size_t i = 0; i < 200; ++i) {
            const std::size_t b = i < 140 ? 1 : 2 + static_cast<std::size_t>(rng.uniformInt(20));
            std::size_t a = b;
            if (i < 60)
                a = i % 2 == 0 ? 8 : 0;
            else if (i >= 140 && i < 150)
                a = 1;
            before.push_back(b);
            after.push_back(a);
        }
        const VerdictReport report = compareRanks(ranksOf(before), ranksOf(after), 100, {}, seededDraw(42));
        QCOMPARE(toString(report.verdict), toString(Verdict::Worse));
        QVERIFY(metricOf(report, "mrr@10").difference.high < 0.0);
        QCOMPARE(toString(metricOf(report, "recall@1").verdict), toString(Verdict::Worse));
        QVERIFY(!report.losses.empty());
        QCOMPARE(report.losses.front().before.rank, std::size_t { 1 });
        QCOMPARE(report.losses.front().after.rank, std::size_t { 0 }); // 1 -> not found moves most
    }

    void gainsAndLossesLargestMoveFirst()
    {
        //                      q0      q1     q2      q3     q4     q5
        const auto before = ranksOf({ 3, 1, 50, 2, 0, 5 });
        const auto after = ranksOf({ 1, 0, 40, 2, 5, 4 });
        VerdictOptions options;
        options.listed = 2;
        const VerdictReport report = compareRanks(before, after, 100, options, seededDraw(1));
        // Gains by reciprocal-rank change: q0 (+2/3), q4 (+1/5), q5 (+1/20), q2 (+1/200): two listed.
        QCOMPARE(report.gains.size(), std::size_t { 2 });
        QCOMPARE(report.gains[0].query, std::size_t { 0 });
        QCOMPARE(report.gains[1].query, std::size_t { 4 });
        QCOMPARE(report.losses.size(), std::size_t { 1 });
        QCOMPARE(report.losses[0].query, std::size_t { 1 });
        QCOMPARE(rankText(0, 100), std::string("> 100"));
        QCOMPARE(rankText(7, 100), std::string("7"));
    }

    void bootstrapIsSeededAndCoversTheTrueDifference()
    {
        // 40 independent synthetic evaluations, 500 queries each, whose per-query differences have the
        // known mean 0.05 (uniform noise in [-0.45, 0.55]). A 95 % interval must contain it in about 38
        // of them; fewer than 33 has probability < 0.2 % (binomial), so this fails only for a wrong
        // interval.
        Rng noise(11, 0);
        int covered = 0;
        for (int run = 0; run < 40; ++run) {
            std::vector<double> differences(500);
            for (double &d : differences)
                d = 0.05 + (noise.uniform01() - 0.5);
            const auto interval = pairedBootstrap({ differences }, {}, seededDraw(100 + run)).front();
            QVERIFY(interval.low < interval.high);
            if (interval.low <= 0.05 && 0.05 <= interval.high)
                ++covered;
            if (run == 0) {
                const auto again = pairedBootstrap({ differences }, {}, seededDraw(100)).front();
                QCOMPARE(again.low, interval.low); // same seed, same interval, bit for bit
                QCOMPARE(again.high, interval.high);
                const auto other = pairedBootstrap({ differences }, {}, seededDraw(101)).front();
                QVERIFY(other.low != interval.low || other.high != interval.high);
            }
        }
        qInfo("95 %% intervals containing the true difference: %d of 40", covered);
        QVERIFY2(covered >= 33 && covered <= 40, qPrintable(QString::number(covered)));
    }

    void bootstrapMatchesNumpy()
    {
        // The same resample indices (recorded from the draw) through numpy: mean of the differences per
        // resample, numpy.percentile at 2.5 and 97.5 (90 % too, with a second run).
        const std::size_t queries = 57, resamples = 300;
        Rng values(5, 0);
        std::vector<std::vector<double>> differences(2, std::vector<double>(queries));
        for (auto &metric : differences)
            for (double &d : metric)
                d = std::floor(values.uniform01() * 7.0) / 7.0 - 0.4; // ties, as rank metrics have
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (const double confidence : { 0.95, 0.9 }) {
            std::vector<std::size_t> recorded;
            const ResampleDraw base = seededDraw(9);
            const ResampleDraw recording = [&](std::span<std::size_t> indices) {
                base(indices);
                recorded.insert(recorded.end(), indices.begin(), indices.end());
            };
            const auto intervals = pairedBootstrap(differences, { resamples, confidence }, recording);
            const QString input = dir.filePath("bootstrap.txt");
            {
                std::ofstream out(input.toStdString());
                out.precision(17);
                for (const auto &metric : differences) {
                    for (const double d : metric)
                        out << d << ' ';
                    out << '\n';
                }
                for (const std::size_t i : recorded)
                    out << i << ' ';
                out << '\n';
            }
            const QString script
                = QStringLiteral("import sys, numpy as np\n"
                                 "lines = open(sys.argv[1]).read().split('\\n')\n"
                                 "d = np.array([[float(x) for x in lines[m].split()] for m in range(2)])\n"
                                 "idx = np.array([int(x) for x in lines[2].split()]).reshape(%1, %2)\n"
                                 "c = float(sys.argv[2])\n"
                                 "for m in range(2):\n"
                                 "    means = d[m][idx].mean(axis=1)\n"
                                 "    lo, hi = np.percentile(means, [50 * (1 - c), 50 * (1 + c)])\n"
                                 "    print(repr(float(lo)), repr(float(hi)))\n")
                      .arg(resamples)
                      .arg(queries);
            const auto result
                = testrun::run(testrun::python(), { "-c", script, input, QString::number(confidence) });
            QVERIFY2(result.code == 0, qPrintable(result.describe("python3 (needs python3-numpy)", {})));
            const QStringList lines = QString::fromUtf8(result.out).trimmed().split('\n');
            QCOMPARE(lines.size(), 2);
            for (int m = 0; m < 2; ++m) {
                const QStringList bounds = lines[m].split(' ');
                QVERIFY(std::abs(bounds[0].toDouble() - intervals[m].low) < 1e-12);
                QVERIFY(std::abs(bounds[1].toDouble() - intervals[m].high) < 1e-12);
            }
            QVERIFY(intervals[0].low < intervals[0].high);
        }
    }

    void clipLineKeepsWholeCharacters()
    {
        QCOMPARE(clipLine("short", 10), std::string("short"));
        QCOMPARE(clipLine("a\tb\nc", 10), std::string("a b c"));
        QCOMPARE(clipLine("h\xC3\xA9llo w\xC3\xB6rld", 5), std::string("h\xC3\xA9ll…")); // "héll…"
        QCOMPARE(clipLine("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3), std::string("\xC3\xA9\xC3\xA9…"));
        QCOMPARE(codePointCount("h\xC3\xA9llo"), std::size_t { 5 });
    }

    void cardSectionShowsTheTableAndTheMoves()
    {
        const std::vector<std::string> queries { "q0", "q1 | pipe", "q2" };
        const std::vector<std::string> positives { "p0", "p1", "p2" };
        const std::vector<std::string> corpus { "p0", "p1", "p2", "other" };
        std::vector<QueryRank> before { { 1, 0 }, { 1, 1 }, { 4, 3 } };
        std::vector<QueryRank> after { { 1, 0 }, { 0, 3 }, { 1, 2 } };
        const VerdictReport report = compareRanks(before, after, 100, {}, seededDraw(42));
        const std::string card
            = verdictCardSection(report, { queries, positives, corpus }, "builtin", "run/model", 42);
        const QString text = QString::fromStdString(card);
        QVERIFY(text.startsWith("## Evaluation: did fine-tuning help?"));
        QVERIFY(text.contains("**Verdict: " + QString::fromStdString(toString(report.verdict)) + "**"));
        // mrr@10: before (1 + 1 + 1/4) / 3 = 0.75, after (1 + 0 + 1) / 3.
        QVERIFY2(text.contains("| mrr@10 | 0.7500 | 0.6667 | -0.0833 |"), card.c_str());
        QVERIFY(text.contains("| q2 | p2 | 4 → 1 | other |")); // the gain: "other" was first before
        QVERIFY(text.contains("| q1 \\| pipe | p1 | 1 → > 100 | other |")); // the loss, '|' escaped
    }

    void rejectsWhatItCannotCompare()
    {
        const auto three = ranksOf({ 1, 2, 3 });
        const auto two = ranksOf({ 1, 2 });
        QVERIFY_THROWS_EXCEPTION(Error, compareRanks(three, two, 100, {}, seededDraw(1)));
        QVERIFY_THROWS_EXCEPTION(Error, compareRanks(three, three, 5, {}, seededDraw(1))); // mrr@10 > depth
        QVERIFY_THROWS_EXCEPTION(
            Error, compareRanks(ranksOf({ 101 }), ranksOf({ 1 }), 100, {}, seededDraw(1)));
        QVERIFY_THROWS_EXCEPTION(Error, pairedBootstrap({ { 0.1 } }, { 1000, 1.0 }, seededDraw(1)));
        QVERIFY_THROWS_EXCEPTION(Error, pairedBootstrap({ { 0.1 } }, { 0, 0.95 }, seededDraw(1)));
    }
};

QTEST_GUILESS_MAIN(TestVerdict)
#include "tst_verdict.moc"
