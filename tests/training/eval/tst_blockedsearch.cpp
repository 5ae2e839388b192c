// The blocked top-k search against the whole-matrix path the evaluator used before issue 18: the scores of
// one matrix product, each row fully ranked by RetrievalMetrics::addQuery. Both must give the same hits
// and the same metrics, ties and NaN included.

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "eval/retrievalmetrics.h"
#include "matrixproduct.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace pairtune;
using Metrics = std::map<std::string, double>;

namespace {

struct Vectors
{
    std::size_t rows = 0;
    std::size_t dim = 0;
    std::vector<float> values;
};

Vectors gaussian(std::size_t rows, std::size_t dim, std::mt19937 &rng)
{
    std::normal_distribution<float> normal;
    Vectors v { rows, dim, std::vector<float>(rows * dim) };
    for (auto &x : v.values)
        x = normal(rng);
    return v;
}

// Components in {-1, -0.5, 0, 0.5, 1}: every dot product is exact in float whatever the summation order,
// so many scores tie exactly.
Vectors coarse(std::size_t rows, std::size_t dim, std::mt19937 &rng)
{
    std::uniform_int_distribution<int> step(-2, 2);
    Vectors v { rows, dim, std::vector<float>(rows * dim) };
    for (auto &x : v.values)
        x = static_cast<float>(step(rng)) * 0.5f;
    return v;
}

void copyRow(Vectors &v, std::size_t from, std::size_t to)
{
    std::copy_n(v.values.begin() + static_cast<std::ptrdiff_t>(from * v.dim), v.dim,
        v.values.begin() + static_cast<std::ptrdiff_t>(to * v.dim));
}

std::vector<float> product(const Vectors &queries, std::size_t first, std::size_t rows, const Vectors &corpus)
{
    return testing::productWithTransposed(
        queries.values, first, rows, corpus.values, corpus.rows, corpus.dim);
}

// 0-3 relevant corpus indices per query (some with none, some with duplicates).
std::vector<std::vector<std::size_t>> randomRelevant(
    std::size_t queries, std::size_t corpus, std::mt19937 &rng)
{
    std::uniform_int_distribution<std::size_t> count(0, 3), id(0, corpus - 1);
    std::vector<std::vector<std::size_t>> relevant(queries);
    for (auto &r : relevant) {
        const std::size_t c = count(rng);
        for (std::size_t i = 0; i < c; ++i)
            r.push_back(id(rng));
        if (c == 3)
            r.push_back(r.front());
    }
    return relevant;
}

// The path before issue 18: the score rows of one matrix product (computed a slice of query rows at a
// time so a 20,000-pair set stays small here), each row ranked in full by addQuery.
Metrics wholeRowMetrics(
    const Vectors &queries, const Vectors &corpus, const std::vector<std::vector<std::size_t>> &relevant)
{
    RetrievalMetrics metrics;
    const std::size_t slice = 1000;
    for (std::size_t first = 0; first < queries.rows; first += slice) {
        const std::size_t rows = std::min(slice, queries.rows - first);
        const std::vector<float> scores = product(queries, first, rows, corpus);
        for (std::size_t q = 0; q < rows; ++q)
            metrics.addQuery({ scores.data() + q * corpus.rows, corpus.rows }, relevant[first + q]);
    }
    return metrics.result();
}

Metrics blockedMetrics(const Vectors &queries, const Vectors &corpus,
    const std::vector<std::vector<std::size_t>> &relevant, const BlockedSearchOptions &options)
{
    RetrievalMetrics metrics;
    blockedTopK(
        queries.values, queries.rows, corpus.values, corpus.rows, queries.dim, metrics.maxK(),
        [&](const TopKHits &hits) {
            for (std::size_t q = 0; q < hits.count; ++q)
                metrics.addRanked(hits.idsOf(q), corpus.rows, relevant[hits.firstQuery + q]);
        },
        options);
    return metrics.result();
}

// The first k corpus indices of each row of the full product, by a full stable sort.
std::vector<std::size_t> fullSortTopK(const Vectors &queries, const Vectors &corpus, std::size_t k)
{
    const std::vector<float> scores = product(queries, 0, queries.rows, corpus);
    const std::size_t width = std::min(k, corpus.rows);
    std::vector<std::size_t> top;
    for (std::size_t q = 0; q < queries.rows; ++q) {
        const float *row = scores.data() + q * corpus.rows;
        const auto rankKey = [&](std::size_t c) {
            return std::isnan(row[c]) ? -std::numeric_limits<float>::infinity() : row[c];
        };
        std::vector<std::size_t> order(corpus.rows);
        std::iota(order.begin(), order.end(), std::size_t { 0 });
        std::stable_sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return rankKey(a) > rankKey(b); });
        top.insert(top.end(), order.begin(), order.begin() + static_cast<std::ptrdiff_t>(width));
    }
    return top;
}

void compareMetrics(const Metrics &actual, const Metrics &expected, double tolerance)
{
    QCOMPARE(actual.size(), expected.size());
    for (const auto &[key, value] : expected) {
        const double got = actual.at(key);
        QVERIFY2(std::abs(got - value) <= tolerance,
            qPrintable(QString("%1: blocked %2, whole rows %3")
                           .arg(QString::fromStdString(key))
                           .arg(got, 0, 'g', 17)
                           .arg(value, 0, 'g', 17)));
    }
}

} // namespace

class TestBlockedSearch : public QObject
{
    Q_OBJECT

private slots:
    void hitsEqualAFullSortWithTiesAndNaN()
    {
        std::mt19937 rng(7);
        Vectors queries = coarse(300, 6, rng);
        Vectors corpus = coarse(700, 6, rng);
        for (std::size_t r = 0; r < 100; ++r)
            copyRow(corpus, r, 600 + r); // exact duplicates far apart
        for (std::size_t d = 0; d < corpus.dim; ++d) {
            corpus.values[5 * corpus.dim + d] = std::numeric_limits<float>::quiet_NaN();
            queries.values[9 * queries.dim + d] = std::numeric_limits<float>::quiet_NaN();
        }
        const auto expected = fullSortTopK(queries, corpus, 100);
        for (const auto &options : { BlockedSearchOptions {}, BlockedSearchOptions { 7, 13, 1 },
                 BlockedSearchOptions { 1, 64, 2 }, BlockedSearchOptions { 1000, 199, 3 } }) {
            const TopKHits hits = blockedTopK(
                queries.values, queries.rows, corpus.values, corpus.rows, queries.dim, 100, options);
            QCOMPARE(hits.width, std::size_t { 100 });
            QCOMPARE(hits.count, queries.rows);
            QVERIFY(hits.ids == expected);
            for (std::size_t q = 0; q < queries.rows; ++q)
                QVERIFY(
                    std::is_sorted(hits.scoresOf(q).begin(), hits.scoresOf(q).end(), std::greater<float>()));
        }
    }

    void kLargerThanTheCorpusRanksItAll()
    {
        std::mt19937 rng(3);
        const Vectors queries = coarse(4, 3, rng);
        const Vectors corpus = coarse(5, 3, rng);
        const TopKHits hits
            = blockedTopK(queries.values, 4, corpus.values, 5, 3, 10, BlockedSearchOptions { 3, 2, 2 });
        QCOMPARE(hits.width, std::size_t { 5 });
        QVERIFY(hits.ids == fullSortTopK(queries, corpus, 10));
        const TopKHits none = blockedTopK(queries.values, 4, {}, 0, 3, 10);
        QCOMPARE(none.width, std::size_t { 0 });
        QVERIFY(none.ids.empty());
    }

    void metricsEqualTheWholeRowPathWithTies()
    {
        std::mt19937 rng(11);
        Vectors queries = coarse(3000, 8, rng);
        Vectors corpus = coarse(2500, 8, rng);
        for (std::size_t r = 0; r < 400; ++r)
            copyRow(corpus, r, 2000 + r);
        const auto relevant = randomRelevant(queries.rows, corpus.rows, rng);
        const Metrics expected = wholeRowMetrics(queries, corpus, relevant);
        QVERIFY(expected.at("accuracy@10") > 0.0);
        compareMetrics(blockedMetrics(queries, corpus, relevant, {}), expected, 0.0);
        compareMetrics(blockedMetrics(queries, corpus, relevant, { 129, 301, 2 }), expected, 0.0);
    }

    void metricsEqualTheWholeRowPathOnRandomVectors()
    {
        std::mt19937 rng(5);
        const Vectors queries = gaussian(3000, 24, rng);
        const Vectors corpus = gaussian(2000, 24, rng);
        const auto relevant = randomRelevant(queries.rows, corpus.rows, rng);
        compareMetrics(blockedMetrics(queries, corpus, relevant, { 500, 777, 2 }),
            wholeRowMetrics(queries, corpus, relevant), 1e-6);
    }

    // The acceptance set: 20,000 pairs, each anchor a noisy copy of its positive.
    void twentyThousandPairs()
    {
        std::mt19937 rng(20000);
        const std::size_t n = 20000, dim = 32;
        const Vectors corpus = gaussian(n, dim, rng);
        Vectors queries = gaussian(n, dim, rng);
        for (std::size_t i = 0; i < queries.values.size(); ++i)
            queries.values[i] = corpus.values[i] + 0.9f * queries.values[i];
        std::vector<std::vector<std::size_t>> relevant(n);
        for (std::size_t i = 0; i < n; ++i)
            relevant[i] = { i };
        const Metrics expected = wholeRowMetrics(queries, corpus, relevant);
        QVERIFY(expected.at("mrr@10") > 0.05 && expected.at("mrr@10") < 0.95); // neither trivial nor hopeless
        compareMetrics(blockedMetrics(queries, corpus, relevant, {}), expected, 1e-6);
    }

    void refusesMismatchedSizes()
    {
        const std::vector<float> values(12, 1.0f);
        QVERIFY_THROWS_EXCEPTION(Error, blockedTopK(values, 3, values, 3, 3, 0));
        QVERIFY_THROWS_EXCEPTION(Error, blockedTopK(values, 3, values, 4, 4, 2));
        QVERIFY_THROWS_EXCEPTION(Error, blockedTopK(values, 5, values, 3, 4, 2));
        RetrievalMetrics metrics;
        const std::vector<std::size_t> tooShort { 0, 1 };
        QVERIFY_THROWS_EXCEPTION(Error, metrics.addRanked(tooShort, 50, std::vector<std::size_t> { 1 }));
        QVERIFY_THROWS_EXCEPTION(Error, metrics.addRanked(tooShort, 2, std::vector<std::size_t> { 2 }));
    }
};

QTEST_GUILESS_MAIN(TestBlockedSearch)
#include "tst_blockedsearch.moc"
