#include "core/error.h"
#include "eval/correlation.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace pairtune;

namespace {

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-12;
}

using V = std::vector<double>;

double pearsonOf(const V &x, const V &y)
{
    return pearson(std::span<const double>(x), std::span<const double>(y));
}

double spearmanOf(const V &x, const V &y)
{
    return spearman(std::span<const double>(x), std::span<const double>(y));
}

} // namespace

class TestCorrelation : public QObject
{
    Q_OBJECT

private slots:
    void pearsonByHand()
    {
        // x̄ = 3, ȳ = 4: Σdxdy = 6, Σdx² = 10, Σdy² = 6, r = 6/√60.
        const V x { 1, 2, 3, 4, 5 }, y { 2, 4, 5, 4, 5 };
        QVERIFY(near(pearsonOf(x, y), 6.0 / std::sqrt(60.0)));
        QVERIFY(near(pearsonOf(y, x), 6.0 / std::sqrt(60.0)));
        QVERIFY(near(pearsonOf({ 1, 2, 3 }, { 3, 2, 1 }), -1.0));
        QVERIFY(near(pearsonOf({ 1, 2, 3 }, { 10, 20, 30 }), 1.0));
        // Float overload agrees.
        const std::vector<float> xf { 1, 2, 3, 4, 5 }, yf { 2, 4, 5, 4, 5 };
        QVERIFY(near(pearson(std::span<const float>(xf), std::span<const float>(yf)), 6.0 / std::sqrt(60.0)));
    }

    void spearmanWithTies()
    {
        // Ranks of y = {2,4,5,4,5}: {1, 2.5, 4.5, 2.5, 4.5}; against 1..5: Σ = 7, Σdx² = 10, Σdy² = 9.
        const V x { 1, 2, 3, 4, 5 }, y { 2, 4, 5, 4, 5 };
        QVERIFY(near(spearmanOf(x, y), 7.0 / std::sqrt(90.0)));
        // Monotonic but not linear: rho 1, r below 1.
        const V a { 1, 2, 3, 4 }, b { 1, 10, 100, 1000 };
        QVERIFY(near(spearmanOf(a, b), 1.0));
        QVERIFY(pearsonOf(a, b) < 0.99);
        QVERIFY(near(spearmanOf(a, { 4, 3, 2, 1 }), -1.0));
        const std::vector<float> xf { 1, 2, 3, 4, 5 }, yf { 2, 4, 5, 4, 5 };
        QVERIFY(
            near(spearman(std::span<const float>(xf), std::span<const float>(yf)), 7.0 / std::sqrt(90.0)));
    }

    void averageRanksLikeScipy()
    {
        const V values { 10, 20, 20, 5 };
        QCOMPARE(averageRanks(values), (V { 2, 3.5, 3.5, 1 }));
        const V allEqual { 7, 7, 7 };
        QCOMPARE(averageRanks(allEqual), (V { 2, 2, 2 }));
        QVERIFY(averageRanks(V {}).empty());
    }

    void undefinedCasesGiveNaN()
    {
        QVERIFY(std::isnan(pearsonOf({ 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 }, { 1, 2, 3, 4, 5, 6, 7 })));
        QVERIFY(std::isnan(pearsonOf({ 1, 2, 3 }, { 5, 5, 5 })));
        QVERIFY(std::isnan(spearmanOf({ 1, 2, 3 }, { 5, 5, 5 })));
        QVERIFY(std::isnan(pearsonOf({ 1 }, { 2 })));
        QVERIFY(std::isnan(spearmanOf({}, {})));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(std::isnan(pearsonOf({ 1, nan, 3 }, { 1, 2, 3 })));
        QVERIFY(std::isnan(spearmanOf({ 1, 2, 3 }, { 1, nan, 3 })));
    }

    void lengthMismatchThrows()
    {
        QVERIFY_THROWS_EXCEPTION(Error, pearsonOf({ 1, 2, 3 }, { 1, 2 }));
        QVERIFY_THROWS_EXCEPTION(Error, spearmanOf({ 1, 2 }, { 1, 2, 3 }));
    }
};

QTEST_GUILESS_MAIN(TestCorrelation)
#include "tst_correlation.moc"
