// The evaluation budget (issue 18): the evaluations between the first and the last score a fixed seeded
// sample of the held-out pairs, the first and the last all of them, and metrics.jsonl says which.

#include "../train/trainingclihelpers.h"
#include "train/evaluator.h"

#include <QtTest>

using namespace pairtune;
using namespace traintest;

class TestEvalSample : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.path() + "/tiny-model";
        const CliResult created = createModel(m_model);
        QVERIFY2(created.exitCode == 0 && !created.crashed, qPrintable(created.describe()));
        m_pairs = writePairs(m_dir.path(), "pairs.tsv", 100, 18); // 80 train, 20 held out
    }

    void sampleIsASeededOrderedSubset()
    {
        EvalSet set;
        for (int i = 0; i < 50; ++i) {
            set.anchors.push_back("a" + std::to_string(i));
            set.positives.push_back("p" + std::to_string(i));
            set.scores.push_back(static_cast<float>(i));
        }
        const EvalSet sample = sampleEvalSet(set, 12, 42);
        QCOMPARE(sample.anchors.size(), std::size_t { 12 });
        QCOMPARE(sample.positives.size(), std::size_t { 12 });
        QCOMPARE(sample.scores.size(), std::size_t { 12 });
        for (std::size_t i = 0; i < 12; ++i) {
            const int index = std::stoi(sample.anchors[i].substr(1));
            QCOMPARE(sample.positives[i], "p" + std::to_string(index)); // pairs stay together
            QCOMPARE(sample.scores[i], static_cast<float>(index));
            if (i > 0)
                QVERIFY(std::stoi(sample.anchors[i - 1].substr(1)) < index); // original order
        }
        QVERIFY(sampleEvalSet(set, 12, 42).anchors == sample.anchors);
        QVERIFY(sampleEvalSet(set, 12, 43).anchors != sample.anchors);
        QCOMPARE(sampleEvalSet(set, 0, 42).anchors.size(), std::size_t { 50 });
        QCOMPARE(sampleEvalSet(set, 50, 42).anchors.size(), std::size_t { 50 });
    }

    void firstAndLastScoreAllPairsTheOthersTheSample()
    {
        const QString run = m_dir.path() + "/sampled";
        const CliResult trained
            = runCli({ "train", "--data", m_pairs, "--base", m_model, "--out", run, "--batch-size", "16",
                "--max-steps", "6", "--eval-every", "2", "--eval-sample", "7", "--threads", "1" });
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        // Steps 0, 2, 4, 5 (the end of the first epoch: 80 pairs in batches of 16) and 6 (the last).
        QCOMPARE(scopes(run),
            (std::vector<std::pair<QString, int>> {
                { "all", 20 }, { "sample", 7 }, { "sample", 7 }, { "sample", 7 }, { "all", 20 } }));

        // The last evaluation is the exported model's on every held-out pair.
        const CliResult ev = runCli({ "eval", "--model", run + "/model", "--data", run + "/eval-pairs.tsv",
            "--json", "--threads", "1" });
        QVERIFY2(ev.exitCode == 0, qPrintable(ev.describe()));
        const QJsonObject metrics = parseJsonObject(ev.out).value("metrics").toObject();
        QJsonObject last;
        for (const QJsonObject &event : readMetrics(run))
            if (event.value("type").toString() == "evaluation")
                last = event.value("metrics").toObject();
        QVERIFY(std::abs(metrics.value("mrr@10").toDouble() - last.value("mrr@10").toDouble()) <= 1e-6);
    }

    void allScoresEveryPairEveryTime()
    {
        const QString run = m_dir.path() + "/all";
        const CliResult trained
            = runCli({ "train", "--data", m_pairs, "--base", m_model, "--out", run, "--batch-size", "16",
                "--max-steps", "4", "--eval-every", "2", "--eval-sample", "all", "--threads", "1" });
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        QCOMPARE(scopes(run),
            (std::vector<std::pair<QString, int>> { { "all", 20 }, { "all", 20 }, { "all", 20 } }));
        QCOMPARE(
            readJsonObject(run + "/config.json").value("training").toObject().value("eval_sample").toInt(),
            0);
    }

private:
    static std::vector<std::pair<QString, int>> scopes(const QString &run)
    {
        std::vector<std::pair<QString, int>> result;
        for (const QJsonObject &event : readMetrics(run))
            if (event.value("type").toString() == "evaluation")
                result.emplace_back(event.value("eval_scope").toString(), event.value("eval_pairs").toInt());
        return result;
    }

    QTemporaryDir m_dir;
    QString m_model;
    QString m_pairs;
};

QTEST_GUILESS_MAIN(TestEvalSample)
#include "tst_evalsample.moc"
