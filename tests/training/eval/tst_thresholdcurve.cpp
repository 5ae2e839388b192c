// The similarity threshold of issue 21 part 2 (eval/thresholdcurve.h) against brute-force counts: every
// point of the curve, the best F1, and "precision >= X" meeting X and being the lowest such threshold, on
// synthetic scored pairs with many ties; the spellings of the target and the "not reachable" answer.

#include "core/error.h"
#include "eval/thresholdcurve.h"
#include "recipe/rng.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <set>

using namespace pairtune;

namespace {

struct Counts
{
    std::size_t tp = 0;
    std::size_t fp = 0;
    std::size_t matches = 0;
};

// The rule "score >= t" counted pair by pair.
Counts countAt(const std::vector<ScoredPair> &pairs, float t)
{
    Counts c;
    for (const ScoredPair &p : pairs) {
        c.matches += p.match ? 1 : 0;
        if (p.score >= t)
            (p.match ? c.tp : c.fp) += 1;
    }
    return c;
}

double precisionOf(const Counts &c)
{
    return c.tp + c.fp == 0 ? 0.0 : double(c.tp) / double(c.tp + c.fp);
}
double f1Of(const Counts &c)
{
    const double p = precisionOf(c);
    const double r = c.matches == 0 ? 0.0 : double(c.tp) / double(c.matches);
    return p + r == 0.0 ? 0.0 : 2 * p * r / (p + r);
}

// Matches score higher on average; scores rounded to 1/50 so that many pairs tie.
std::vector<ScoredPair> syntheticPairs(std::uint64_t seed, std::size_t n)
{
    Rng rng(seed, 99);
    std::vector<ScoredPair> pairs;
    for (std::size_t i = 0; i < n; ++i) {
        const bool match = rng.uniform01() < 0.3;
        const double raw = (match ? 0.35 : 0.0) + 0.65 * rng.uniform01();
        pairs.push_back({ static_cast<float>(std::round(raw * 50.0) / 50.0), match });
    }
    return pairs;
}

std::set<float> distinctScores(const std::vector<ScoredPair> &pairs)
{
    std::set<float> scores;
    for (const ScoredPair &p : pairs)
        scores.insert(p.score);
    return scores;
}

} // namespace

class TestThresholdCurve : public QObject
{
    Q_OBJECT

private slots:
    void everyPointMatchesACount()
    {
        const auto pairs = syntheticPairs(1, 500);
        const ThresholdCurve curve = thresholdCurve(pairs);
        const std::set<float> scores = distinctScores(pairs);
        QCOMPARE(curve.points.size(), scores.size());
        auto score = scores.begin();
        for (const ThresholdPoint &p : curve.points) {
            QCOMPARE(p.threshold, *score++);
            const Counts c = countAt(pairs, p.threshold);
            QCOMPARE(p.truePositives, c.tp);
            QCOMPARE(p.falsePositives, c.fp);
            QCOMPARE(p.precision, precisionOf(c));
            QVERIFY(std::abs(p.f1 - f1Of(c)) < 1e-12);
        }
        // Between points and beyond both ends.
        for (const float t : { -2.0f, 0.011f, 0.5f, 0.731f, 0.999f, 5.0f }) {
            const Counts c = countAt(pairs, t);
            const ThresholdPoint p = pointAt(curve, t);
            QCOMPARE(p.truePositives, c.tp);
            QCOMPARE(p.falsePositives, c.fp);
            QCOMPARE(p.threshold, t);
        }
    }

    void bestF1IsTheBruteForceMaximum()
    {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            const auto pairs = syntheticPairs(seed, 300);
            double best = -1.0;
            for (const float t : distinctScores(pairs))
                best = std::max(best, f1Of(countAt(pairs, t)));
            const auto point = bestF1Point(thresholdCurve(pairs));
            QVERIFY(point.has_value());
            QVERIFY2(std::abs(point->f1 - best) < 1e-12, qPrintable(QString::number(seed)));
            QVERIFY(std::abs(f1Of(countAt(pairs, point->threshold)) - best) < 1e-12);
        }
    }

    void precisionTargetIsMetAndLowest()
    {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            const auto pairs = syntheticPairs(seed, 400);
            const ThresholdCurve curve = thresholdCurve(pairs);
            std::string whyNot;
            const auto point = chooseThreshold(curve, parseThresholdTarget("precision=0.9"), &whyNot);
            // Brute force: the lowest distinct score whose rule reaches 0.9 on this set.
            std::optional<float> lowest;
            for (const float t : distinctScores(pairs)) {
                if (precisionOf(countAt(pairs, t)) >= 0.9) {
                    lowest = t;
                    break;
                }
            }
            QCOMPARE(point.has_value(), lowest.has_value());
            if (!point)
                continue;
            QCOMPARE(point->threshold, *lowest);
            QVERIFY(precisionOf(countAt(pairs, point->threshold)) >= 0.9);
            QVERIFY(point->precision >= 0.9);
            // Any lower threshold (on or between scores) gives less precision than asked.
            for (const float t : distinctScores(pairs)) {
                if (t < point->threshold)
                    QVERIFY(precisionOf(countAt(pairs, t)) < 0.9);
            }
        }
    }

    void unreachablePrecisionSaysSo()
    {
        // The top score is a non-pair: precision 1 is never reached.
        const std::vector<ScoredPair> pairs { { 0.9f, false }, { 0.8f, true }, { 0.7f, true },
            { 0.1f, false } };
        std::string whyNot;
        QVERIFY(!chooseThreshold(thresholdCurve(pairs), parseThresholdTarget("precision=1"), &whyNot));
        QVERIFY2(QString::fromStdString(whyNot).contains("no threshold reaches precision 1"), whyNot.c_str());
        QVERIFY2(QString::fromStdString(whyNot).contains("highest is 0.6667"), whyNot.c_str());
        const auto point = chooseThreshold(thresholdCurve(pairs), parseThresholdTarget("precision=0.6"));
        QVERIFY(point);
        QCOMPARE(point->threshold, 0.7f);
        QCOMPARE(point->truePositives, std::size_t(2));
    }

    void tiesAndNanCountTogether()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const std::vector<ScoredPair> pairs { { 0.5f, true }, { 0.5f, false }, { 0.5f, true },
            { nan, true } };
        const ThresholdCurve curve = thresholdCurve(pairs);
        QCOMPARE(curve.matches, std::size_t(3));
        QCOMPARE(curve.nonMatches, std::size_t(1));
        QCOMPARE(curve.points.size(), std::size_t(1));
        QCOMPARE(curve.points[0].truePositives, std::size_t(2));
        QCOMPARE(curve.points[0].falsePositives, std::size_t(1));
        QVERIFY(std::abs(curve.points[0].recall - 2.0 / 3.0) < 1e-12);
        QVERIFY(!bestF1Point(thresholdCurve({})).has_value());
    }

    void targetSpellings()
    {
        QCOMPARE(thresholdTargetName(parseThresholdTarget("f1")), std::string("f1"));
        QCOMPARE(thresholdTargetName(parseThresholdTarget("precision=0.95")), std::string("precision=0.95"));
        for (const char *bad : { "", "F1", "precision=", "precision=0", "precision=1.5", "precision=0.9x" })
            QVERIFY_THROWS_EXCEPTION(Error, parseThresholdTarget(bad));
    }
};

QTEST_APPLESS_MAIN(TestThresholdCurve)
#include "tst_thresholdcurve.moc"
