// The per-anchor rules of hard-negative mining on hand-built ranked lists, where the right answer is
// plain from the numbers: each guard, its order, the top-k range and the seeded random sampling.

#include "mine/candidateselection.h"
#include "recipe/rng.h"

#include <QtTest>

#include <algorithm>
#include <set>

using namespace pairtune;

namespace {
RankedCandidate candidate(std::size_t id, float score, float positiveCosine = 0.1f)
{
    return { id, score, positiveCosine, false, false };
}
} // namespace

class TestCandidateSelection : public QObject
{
    Q_OBJECT

private slots:
    void relativeMarginRemovesWhatScoresAboveTheShareOfThePositive()
    {
        // Positive 0.80, margin 0.05: the bound is 0.76; 0.79 and 0.77 are likely false negatives.
        const std::vector<RankedCandidate> ranked = { candidate(10, 0.79f), candidate(11, 0.77f),
            candidate(12, 0.70f), candidate(13, 0.60f), candidate(14, 0.50f) };
        SelectionRules rules;
        rules.numNegatives = 2;
        rules.rangeMax = 10;
        Rng rng(1);
        const Selection s = selectNegatives(ranked, 0.80f, rules, rng);
        QCOMPARE(s.ids, (std::vector<std::size_t> { 12, 13 }));
        QCOMPARE(s.scores, (std::vector<float> { 0.70f, 0.60f }));
        QCOMPARE(s.counts[Guard::RelativeMargin], std::size_t { 2 });

        rules.relativeMargin = std::nullopt; // off: the hardest two are taken
        Rng rng2(1);
        QCOMPARE(selectNegatives(ranked, 0.80f, rules, rng2).ids, (std::vector<std::size_t> { 10, 11 }));
    }

    void plantedDuplicatesOfThePositiveAreRemoved()
    {
        std::vector<RankedCandidate> ranked = { candidate(1, 0.95f, 1.0f), candidate(2, 0.90f, 0.99f),
            candidate(3, 0.60f), candidate(4, 0.55f), candidate(5, 0.50f) };
        ranked[0].isPositive = true; // the row's own positive
        ranked[3].isAnchor = true; // the anchor's own text among the candidates
        SelectionRules rules;
        rules.numNegatives = 2;
        rules.rangeMax = 10;
        rules.relativeMargin = std::nullopt;
        Rng rng(1);
        const Selection s = selectNegatives(ranked, 0.92f, rules, rng);
        QCOMPARE(s.ids, (std::vector<std::size_t> { 3, 5 }));
        QCOMPARE(s.counts[Guard::OwnPositive], std::size_t { 1 });
        QCOMPARE(s.counts[Guard::NearDuplicate], std::size_t { 1 }); // cosine 0.99 to the positive
        QCOMPARE(s.counts[Guard::ExactDuplicate], std::size_t { 1 });
    }

    void maxScoreIsAnAbsoluteCap()
    {
        const std::vector<RankedCandidate> ranked
            = { candidate(1, 0.9f), candidate(2, 0.85f), candidate(3, 0.4f), candidate(4, 0.3f) };
        SelectionRules rules;
        rules.numNegatives = 2;
        rules.rangeMax = 4;
        rules.relativeMargin = std::nullopt;
        rules.maxScore = 0.8;
        Rng rng(1);
        const Selection s = selectNegatives(ranked, 0.2f, rules, rng); // a weak positive: no margin here
        QCOMPARE(s.ids, (std::vector<std::size_t> { 3, 4 }));
        QCOMPARE(s.counts[Guard::MaxScore], std::size_t { 2 });
    }

    void rangeCountsOnlyCandidatesThatPassTheGuards()
    {
        // As sentence-transformers: the guards run first, then the range min..max of what is left.
        std::vector<RankedCandidate> ranked;
        for (std::size_t i = 0; i < 8; ++i)
            ranked.push_back(candidate(i, 0.9f - 0.1f * static_cast<float>(i)));
        ranked[1].isPositive = true;
        SelectionRules rules;
        rules.numNegatives = 2;
        rules.rangeMin = 2;
        rules.rangeMax = 5;
        rules.relativeMargin = std::nullopt;
        Rng rng(1);
        const Selection s = selectNegatives(ranked, 0.95f, rules, rng);
        // Survivors 0, 2, 3, 4, 5, ...: skip 0 and 2, the range is 3, 4, 5.
        QCOMPARE(s.ids, (std::vector<std::size_t> { 3, 4 }));
        QCOMPARE(s.counts.rangeMinSkipped, std::size_t { 2 });

        rules.numNegatives = 4; // only three in the range: a short row
        Rng rng2(1);
        QCOMPARE(selectNegatives(ranked, 0.95f, rules, rng2).ids, (std::vector<std::size_t> { 3, 4, 5 }));
    }

    void randomSamplingIsSeededAndStaysInTheRange()
    {
        std::vector<RankedCandidate> ranked;
        for (std::size_t i = 0; i < 40; ++i)
            ranked.push_back(candidate(100 + i, 0.5f - 0.01f * static_cast<float>(i)));
        SelectionRules rules;
        rules.numNegatives = 5;
        rules.rangeMin = 3;
        rules.rangeMax = 30;
        rules.relativeMargin = std::nullopt;
        rules.sampling = SamplingStrategy::Random;
        std::set<std::vector<std::size_t>> distinct;
        for (std::uint64_t seed = 0; seed < 6; ++seed) {
            Rng a(seed, 9), b(seed, 9);
            const Selection first = selectNegatives(ranked, 0.9f, rules, a);
            QCOMPARE(selectNegatives(ranked, 0.9f, rules, b).ids, first.ids); // same seed, same draw
            QCOMPARE(first.ids.size(), std::size_t { 5 });
            QVERIFY(std::is_sorted(first.ids.begin(), first.ids.end())); // best first
            QCOMPARE(std::set<std::size_t>(first.ids.begin(), first.ids.end()).size(), std::size_t { 5 });
            for (const std::size_t id : first.ids)
                QVERIFY(id >= 103 && id < 130);
            distinct.insert(first.ids);
        }
        QVERIFY(distinct.size() > 1); // seeds draw differently
    }
};

QTEST_APPLESS_MAIN(TestCandidateSelection)
#include "tst_candidateselection.moc"
