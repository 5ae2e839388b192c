#include "core/error.h"
#include "recipe/datasplit.h"
#include "recipe/syntheticscores.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace pairtune;

class TestSplitAndScores : public QObject
{
    Q_OBJECT

private slots:
    void scoresAreUniformInTheDocumentedRange()
    {
        const double mean = 0.9, scaling = 20.0;
        const std::size_t n = 100000;
        const auto scores = syntheticScores(n, mean, scaling, 42);
        QCOMPARE(scores.size(), n);
        const float lo = static_cast<float>(mean - 0.5 / scaling),
                    hi = static_cast<float>(mean + 0.5 / scaling);
        double sum = 0.0;
        for (const float s : scores) {
            QVERIFY(s >= lo);
            QVERIFY(s <= hi);
            sum += s;
        }
        const double average = sum / n;
        double squares = 0.0;
        for (const float s : scores)
            squares += (s - average) * (s - average);
        const double stddev = std::sqrt(squares / n);
        QVERIFY2(std::abs(average - mean) < 0.0005, qPrintable(QString::number(average, 'g', 10)));
        // Uniform: std = 1/(scaling*sqrt(12)) = 0.2887/scaling; a Gaussian-style 1/scaling would fail.
        QVERIFY2(
            std::abs(stddev - 0.28867513 / scaling) < 0.0002, qPrintable(QString::number(stddev, 'g', 10)));
        // Uniform, not Gaussian: each tenth of the range holds about a tenth of the values.
        std::vector<int> bins(10, 0);
        for (const float s : scores)
            ++bins[std::min(9, int((s - lo) / (hi - lo) * 10))];
        for (const int count : bins)
            QVERIFY2(std::abs(count - 10000) < 500, qPrintable(QString::number(count)));
    }

    void scoresAreDeterministicPerSeed()
    {
        QCOMPARE(syntheticScores(50, 0.5, 4.0, 7), syntheticScores(50, 0.5, 4.0, 7));
        QVERIFY(syntheticScores(50, 0.5, 4.0, 7) != syntheticScores(50, 0.5, 4.0, 8));
        // A longer run starts with the same scores: score i belongs to record i.
        const auto shortRun = syntheticScores(10, 0.9, 20.0, 3);
        const auto longRun = syntheticScores(1000, 0.9, 20.0, 3);
        QVERIFY(std::equal(shortRun.begin(), shortRun.end(), longRun.begin()));
        QVERIFY(syntheticScores(0, 0.9, 20.0, 1).empty());
    }

    void scoresRejectBadArguments()
    {
        QVERIFY_THROWS_EXCEPTION(Error, syntheticScores(3, 0.9, 0.0, 1));
        QVERIFY_THROWS_EXCEPTION(Error, syntheticScores(3, 0.9, -2.0, 1));
        QVERIFY_THROWS_EXCEPTION(Error, syntheticScores(3, 0.9, std::nan(""), 1));
        QVERIFY_THROWS_EXCEPTION(Error, syntheticScores(3, INFINITY, 20.0, 1));
    }

    void splitSizes_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("fraction");
        QTest::addColumn<int>("train");
        QTest::newRow("100 at 0.8") << 100 << 0.8 << 80;
        QTest::newRow("10 at 0.8") << 10 << 0.8 << 8;
        QTest::newRow("7 at 0.5 rounds half up") << 7 << 0.5 << 4;
        QTest::newRow("9 at 0.8 rounds 7.2 down") << 9 << 0.8 << 7;
        QTest::newRow("3 at 0.8 rounds 2.4 down") << 3 << 0.8 << 2;
        QTest::newRow("2 at 0.8 keeps one eval") << 2 << 0.8 << 1;
        QTest::newRow("10 at 0.99 keeps one eval") << 10 << 0.99 << 9;
        QTest::newRow("10 at 0.01 keeps one train") << 10 << 0.01 << 1;
        QTest::newRow("5 at 1.0 has no eval") << 5 << 1.0 << 5;
    }

    void splitSizes()
    {
        QFETCH(int, n);
        QFETCH(double, fraction);
        QFETCH(int, train);
        const Split split = splitIndices(n, fraction, 42);
        QCOMPARE(int(split.train.size()), train);
        QCOMPARE(int(split.eval.size()), n - train);
    }

    void splitIsADisjointCoverInAscendingOrder()
    {
        const std::size_t n = 1001;
        const Split split = splitIndices(n, 0.8, 42);
        QVERIFY(std::is_sorted(split.train.begin(), split.train.end()));
        QVERIFY(std::is_sorted(split.eval.begin(), split.eval.end()));
        std::vector<std::size_t> all = split.train;
        all.insert(all.end(), split.eval.begin(), split.eval.end());
        std::sort(all.begin(), all.end());
        std::vector<std::size_t> expected(n);
        std::iota(expected.begin(), expected.end(), std::size_t { 0 });
        QCOMPARE(all, expected); // every index exactly once
        // The eval part is a random sample, not the tail.
        QVERIFY(split.eval.front() < n / 2);
    }

    void splitIsDeterministicPerSeed()
    {
        QCOMPARE(splitIndices(500, 0.8, 42), splitIndices(500, 0.8, 42));
        QVERIFY(splitIndices(500, 0.8, 42).eval != splitIndices(500, 0.8, 43).eval);
    }

    void splitRejectsBadArguments()
    {
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(0, 0.8, 1));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(1, 0.8, 1));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(10, 0.0, 1));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(10, -0.5, 1));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(10, 1.01, 1));
        QVERIFY_THROWS_EXCEPTION(Error, splitIndices(10, std::nan(""), 1));
    }
};

QTEST_GUILESS_MAIN(TestSplitAndScores)
#include "tst_splitandscores.moc"
