#include "core/error.h"
#include "eval/retrievalmetrics.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace pairtune;
using Metrics = std::map<std::string, double>;

namespace {

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-12;
}

Metrics single(const std::vector<float> &scores, const std::vector<std::size_t> &relevant)
{
    RetrievalMetrics metrics;
    metrics.addQuery(scores, relevant);
    return metrics.result();
}

} // namespace

#define QMETRIC(metrics, key, expected)                                                                      \
    do {                                                                                                     \
        const auto found = (metrics).find(key);                                                              \
        QVERIFY2(found != (metrics).end(), key);                                                             \
        QVERIFY2(near(found->second, (expected)),                                                            \
            qPrintable(QString("%1 = %2, expected %3")                                                       \
                           .arg(key)                                                                         \
                           .arg(found->second, 0, 'g', 17)                                                   \
                           .arg((expected), 0, 'g', 17)));                                                   \
    } while (false)

class TestRetrievalMetrics : public QObject
{
    Q_OBJECT

private slots:
    void oneRelevantAtRankThree()
    {
        // Ranking: 1 (0.9), 3 (0.7), 2 (0.5), 4 (0.3), 0 (0.1); the relevant document 2 is third.
        const Metrics m = single({ 0.1f, 0.9f, 0.5f, 0.7f, 0.3f }, { 2 });
        QMETRIC(m, "accuracy@1", 0.0);
        QMETRIC(m, "accuracy@3", 1.0);
        QMETRIC(m, "accuracy@5", 1.0);
        QMETRIC(m, "accuracy@10", 1.0);
        QMETRIC(m, "precision@1", 0.0);
        QMETRIC(m, "precision@3", 1.0 / 3.0);
        QMETRIC(m, "precision@5", 1.0 / 5.0);
        QMETRIC(m, "precision@10", 1.0 / 10.0); // divided by k even though the corpus has 5 entries
        QMETRIC(m, "recall@1", 0.0);
        QMETRIC(m, "recall@3", 1.0);
        QMETRIC(m, "recall@10", 1.0);
        QMETRIC(m, "mrr@10", 1.0 / 3.0);
        QMETRIC(m, "ndcg@10", 1.0 / std::log2(4.0)); // ideal DCG of one hit is 1
        QMETRIC(m, "map@100", 1.0 / 3.0);
        QCOMPARE(m.size(), std::size_t(4 + 4 + 4 + 3));
    }

    void twoRelevantDocuments()
    {
        // Ranking: 4 (0.9), 0 (0.8), 2 (0.6), 3 (0.4), 1 (0.2); relevant {0, 3} sit at ranks 2 and 4.
        const Metrics m = single({ 0.8f, 0.2f, 0.6f, 0.4f, 0.9f }, { 3, 0 });
        QMETRIC(m, "accuracy@1", 0.0);
        QMETRIC(m, "accuracy@3", 1.0);
        QMETRIC(m, "precision@3", 1.0 / 3.0);
        QMETRIC(m, "precision@5", 2.0 / 5.0);
        QMETRIC(m, "precision@10", 2.0 / 10.0);
        QMETRIC(m, "recall@1", 0.0);
        QMETRIC(m, "recall@3", 0.5);
        QMETRIC(m, "recall@5", 1.0);
        QMETRIC(m, "mrr@10", 0.5);
        QMETRIC(m, "ndcg@10", (1.0 / std::log2(3.0) + 1.0 / std::log2(5.0)) / (1.0 + 1.0 / std::log2(3.0)));
        QMETRIC(m, "map@100", (1.0 / 2.0 + 2.0 / 4.0) / 2.0);
        // Duplicate relevant ids count once.
        const Metrics again = single({ 0.8f, 0.2f, 0.6f, 0.4f, 0.9f }, { 3, 0, 3 });
        QCOMPARE(again, m);
    }

    void noHitInTheTopTen()
    {
        // Twelve documents, the relevant one scores lowest (rank 12).
        std::vector<float> scores;
        for (int i = 0; i < 12; ++i)
            scores.push_back(1.0f - 0.05f * i);
        const Metrics m = single(scores, { 11 });
        QMETRIC(m, "accuracy@10", 0.0);
        QMETRIC(m, "precision@10", 0.0);
        QMETRIC(m, "recall@10", 0.0);
        QMETRIC(m, "mrr@10", 0.0);
        QMETRIC(m, "ndcg@10", 0.0);
        QMETRIC(m, "map@100", 1.0 / 12.0); // within the top 100
    }

    void tiesPreferTheLowerCorpusIndex()
    {
        Metrics m = single({ 0.5f, 0.5f, 0.5f }, { 1 });
        QMETRIC(m, "accuracy@1", 0.0);
        QMETRIC(m, "mrr@10", 0.5);
        m = single({ 0.5f, 0.5f, 0.5f }, { 0 });
        QMETRIC(m, "accuracy@1", 1.0);
        m = single({ 0.2f, 0.7f, 0.7f }, { 2 });
        QMETRIC(m, "mrr@10", 0.5);
        // NaN ranks last.
        m = single({ std::numeric_limits<float>::quiet_NaN(), 0.1f, -5.0f }, { 0 });
        QMETRIC(m, "mrr@10", 1.0 / 3.0);
    }

    void manyRelevantNormalisesByTheCutOff()
    {
        // 12 relevant documents ranked first: NDCG@10 and MAP@100 are 1; recall@10 is 10/12.
        std::vector<float> scores;
        std::vector<std::size_t> relevant;
        for (std::size_t i = 0; i < 20; ++i) {
            scores.push_back(static_cast<float>(20 - i));
            if (i < 12)
                relevant.push_back(i);
        }
        const Metrics m = single(scores, relevant);
        QMETRIC(m, "ndcg@10", 1.0);
        QMETRIC(m, "map@100", 1.0);
        QMETRIC(m, "recall@10", 10.0 / 12.0);
        QMETRIC(m, "precision@10", 1.0);
        QMETRIC(m, "precision@3", 1.0);
    }

    void averagesOverQueriesAndSkipsThoseWithoutRelevantDocuments()
    {
        // The two queries above plus one without relevant documents, as a 3 x 5 row-major matrix.
        const std::vector<float> matrix = { 0.1f, 0.9f, 0.5f, 0.7f, 0.3f, //
            0.8f, 0.2f, 0.6f, 0.4f, 0.9f, //
            1.0f, 0.0f, 0.0f, 0.0f, 0.0f };
        const Metrics m = retrievalMetrics(matrix, 3, 5, { { 2 }, { 0, 3 }, {} });
        QMETRIC(m, "mrr@10", (1.0 / 3.0 + 0.5) / 2.0);
        QMETRIC(m, "accuracy@3", 1.0);
        QMETRIC(m, "recall@3", (1.0 + 0.5) / 2.0);
        QMETRIC(m, "map@100", (1.0 / 3.0 + 0.5) / 2.0);

        RetrievalMetrics streaming;
        streaming.addQuery(std::span(matrix).subspan(0, 5), std::vector<std::size_t> { 2 });
        streaming.addQuery(std::span(matrix).subspan(10, 5), std::vector<std::size_t> {});
        QCOMPARE(streaming.queryCount(), std::size_t(1));
        streaming.addQuery(std::span(matrix).subspan(5, 5), std::vector<std::size_t> { 0, 3 });
        QCOMPARE(streaming.queryCount(), std::size_t(2));
        QCOMPARE(streaming.result(), m);
    }

    void nothingCountedGivesNaN()
    {
        const RetrievalMetrics empty;
        const Metrics m = empty.result();
        QVERIFY(m.count("mrr@10"));
        for (const auto &[key, value] : m)
            QVERIFY2(std::isnan(value), key.c_str());
    }

    void customCutoffs()
    {
        RetrievalCutoffs cutoffs;
        cutoffs.accuracyAtK = { 2 };
        cutoffs.precisionRecallAtK = {};
        cutoffs.mrrAtK = { 1, 3 };
        cutoffs.ndcgAtK = {};
        cutoffs.mapAtK = { 2 };
        RetrievalMetrics metrics(cutoffs);
        metrics.addQuery(
            std::vector<float> { 0.1f, 0.9f, 0.5f, 0.7f, 0.3f }, std::vector<std::size_t> { 3, 2 });
        const Metrics m = metrics.result();
        QCOMPARE(m.size(), std::size_t(4));
        QMETRIC(m, "accuracy@2", 1.0);
        QMETRIC(m, "mrr@1", 0.0);
        QMETRIC(m, "mrr@3", 0.5);
        QMETRIC(m, "map@2", (1.0 / 2.0) / 2.0);
        // MAP@k divides by min(k, |rel|): three relevant documents in the top two still give 1.
        RetrievalMetrics three(cutoffs);
        three.addQuery(
            std::vector<float> { 0.1f, 0.9f, 0.5f, 0.7f, 0.3f }, std::vector<std::size_t> { 3, 2, 1 });
        const Metrics t = three.result();
        QMETRIC(t, "map@2", 1.0);
        QMETRIC(t, "mrr@1", 1.0);
        QVERIFY_THROWS_EXCEPTION(Error, RetrievalMetrics(RetrievalCutoffs { { 0 }, {}, {}, {}, {} }));
    }

    void matchesTheIndependentPythonReference()
    {
        // tests/data/eval/retrieval_reference.json: written by make_retrieval_reference.py next to it, which
        // follows InformationRetrievalEvaluator.compute_metrics in plain Python (distinct scores, 0-12
        // relevant documents per query, one query without any).
        QFile file(QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/eval/retrieval_reference.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto json = nlohmann::json::parse(file.readAll().toStdString());
        const std::size_t queries = json.at("queries"), corpus = json.at("corpus");
        std::vector<float> matrix;
        for (const auto &row : json.at("scores"))
            for (const auto &value : row)
                matrix.push_back(value.get<float>());
        const auto relevant = json.at("relevant").get<std::vector<std::vector<std::size_t>>>();
        const Metrics m = retrievalMetrics(matrix, queries, corpus, relevant);
        const auto &expected = json.at("expected");
        QCOMPARE(m.size(), expected.size());
        for (const auto &[key, value] : expected.items())
            QMETRIC(m, key.c_str(), value.get<double>());
    }

    void rejectsBadInput()
    {
        RetrievalMetrics metrics;
        QVERIFY_THROWS_EXCEPTION(
            Error, metrics.addQuery(std::vector<float> { 1.0f, 2.0f }, std::vector<std::size_t> { 2 }));
        const std::vector<float> matrix(6, 0.0f);
        QVERIFY_THROWS_EXCEPTION(Error, retrievalMetrics(matrix, 2, 4, { { 0 }, { 1 } }));
        QVERIFY_THROWS_EXCEPTION(Error, retrievalMetrics(matrix, 2, 3, { { 0 } }));
    }
};

QTEST_GUILESS_MAIN(TestRetrievalMetrics)
#include "tst_retrievalmetrics.moc"
