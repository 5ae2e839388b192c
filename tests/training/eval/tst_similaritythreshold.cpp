// The similarity threshold of issue 21 part 2 through pairtune-cli: `eval --threshold --write` stores a
// threshold whose recall the match command's own cosines confirm, `match --threshold auto` applies the
// stored value and fails naming similarity_threshold.json when there is none, and a tiny training run
// leaves the JSON and the model card section in its exported folder.

#include "../train/trainingclihelpers.h"

#include <QtTest/QtTest>

using namespace traintest;

namespace {

struct MatchRow
{
    double cosine = 0.0;
    bool match = false;
};

std::vector<MatchRow> parseMatch(const QByteArray &out)
{
    std::vector<MatchRow> rows;
    const QList<QByteArray> lines = out.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) { // line 0 is the header
        const QList<QByteArray> cells = lines[i].split('\t');
        if (cells.size() >= 2)
            rows.push_back({ cells[0].toDouble(), cells[1] == "yes" });
    }
    return rows;
}

} // namespace

class TestSimilarityThreshold : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;
    QString m_pairs;
    QString m_matchInput;
    std::vector<Pair> m_data;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath("model");
        const CliResult created = createModel(m_model);
        QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
        m_data = mappingPairs(60, 7);
        m_pairs = m_dir.filePath("pairs.tsv");
        QVERIFY(writeTsv(m_pairs, m_data));
        QByteArray lines;
        for (const Pair &p : m_data)
            lines += p.anchor.toUtf8() + '\t' + p.positive.toUtf8() + '\n';
        m_matchInput = m_dir.filePath("match.tsv");
        QVERIFY(writeFile(m_matchInput, lines));
    }

    void autoWithoutStoredThresholdFailsNamingTheFile()
    {
        const CliResult r
            = runCli({ "match", "--model", m_model, "--threshold", "auto", "--input", m_matchInput });
        QVERIFY2(r.exitCode != 0 && !r.crashed, qPrintable(r.describe()));
        QVERIFY2(r.err.contains("similarity_threshold.json does not exist"), qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
    }

    void storedThresholdIsUsedByMatchAuto()
    {
        const CliResult stored = runCli({ "eval", "--threshold", "f1", "--model", m_model, "--data", m_pairs,
            "--write", "--json", "--threads", "1" });
        QVERIFY2(stored.exitCode == 0, qPrintable(stored.describe()));
        const QJsonObject file = readJsonObject(m_model + "/similarity_threshold.json");
        QCOMPARE(parseJsonObject(stored.out), file);
        QCOMPARE(file["target"].toString(), QString("f1"));
        QCOMPARE(file["true_pairs"].toInt(), 60);
        QVERIFY(file["in_batch_non_pairs"].toInt() > 0);
        QCOMPARE(file["hard_non_pairs"].toInt(), 60);
        QVERIFY(readFile(m_model + "/README.md").contains("## Similarity threshold"));
        const double threshold = file["threshold"].toDouble();

        const CliResult matched = runCli({ "match", "--model", m_model, "--threshold", "auto", "--input",
            m_matchInput, "--threads", "1" });
        QVERIFY2(matched.exitCode == 0, qPrintable(matched.describe()));
        const std::vector<MatchRow> rows = parseMatch(matched.out);
        QCOMPARE(rows.size(), m_data.size());
        int yes = 0;
        for (const MatchRow &row : rows) {
            // The stored threshold decides (a cosine within print rounding of it may go either way).
            if (std::abs(row.cosine - threshold) > 1e-5)
                QCOMPARE(row.match, row.cosine >= threshold);
            yes += row.match ? 1 : 0;
        }
        // The stored recall is the share of these true pairs that match, within one borderline pair.
        QVERIFY2(std::abs(yes - file["recall"].toDouble() * 60) <= 1.0,
            qPrintable(QString("%1 yes, recall %2").arg(yes).arg(file["recall"].toDouble())));

        // A number given by hand overrides the file.
        const CliResult all
            = runCli({ "match", "--model", m_model, "--threshold", "-1", "--input", m_matchInput });
        QVERIFY2(all.exitCode == 0, qPrintable(all.describe()));
        for (const MatchRow &row : parseMatch(all.out))
            QVERIFY(row.match);
    }

    void precisionTargetIsMetOrRefused()
    {
        const CliResult r = runCli(
            { "eval", "--threshold", "precision=0.9", "--model", m_model, "--data", m_pairs, "--json" });
        if (r.exitCode == 0) {
            QVERIFY(parseJsonObject(r.out)["precision"].toDouble() >= 0.9);
        } else {
            QVERIFY2(r.err.contains("no threshold reaches precision 0.9"), qPrintable(r.describe()));
        }
        const CliResult bad
            = runCli({ "eval", "--threshold", "precision=2", "--model", m_model, "--data", m_pairs });
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.contains("precision=X with 0 < X <= 1"), qPrintable(bad.describe()));
    }

    void tinyRunExportsTheThreshold()
    {
        const QString run = m_dir.filePath("run");
        const CliResult trained = runCli({ "train", "--data", m_pairs, "--base", m_model, "--out", run,
            "--batch-size", "16", "--max-steps", "2", "--threads", "1" });
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        const QJsonObject file = readJsonObject(run + "/model/similarity_threshold.json");
        QCOMPARE(file["target"].toString(), QString("f1"));
        QVERIFY(file["true_pairs"].toInt() >= 2);
        QVERIFY(file["data"].toString().contains("held-out pairs"));
        QVERIFY(file["f1"].toDouble() > 0.0);
        const QByteArray card = readFile(run + "/model/README.md");
        QVERIFY(card.contains("## Similarity threshold"));
        QVERIFY(card.indexOf("## Similarity threshold") < card.indexOf("## Training details"));
        const CliResult matched
            = runCli({ "match", "--model", run + "/model", "--threshold", "auto", "--input", m_matchInput });
        QVERIFY2(matched.exitCode == 0, qPrintable(matched.describe()));
    }
};

QTEST_GUILESS_MAIN(TestSimilarityThreshold)
#include "tst_similaritythreshold.moc"
