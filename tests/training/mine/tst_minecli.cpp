// `pairtune-cli mine` end to end on the built-in model and 240 WordNet sample pairs: the mined
// negatives equal a brute-force recomputation from `embed` vectors (every candidate scored, the guards
// applied by this test), no text of a held-out row (the trainer's own eval-pairs.tsv) is ever a
// negative, `train` reads the output and trains with the negatives, and a seed fixes the output.

#include "../train/trainingclihelpers.h"

#include <QtTest>

#include <map>

using namespace traintest;

namespace {
struct Row
{
    QString anchor;
    QString positive;
    QStringList negatives;
};

std::vector<Row> readJsonl(const QString &path)
{
    std::vector<Row> rows;
    for (const QByteArray &line : readFile(path).split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        Row row { o.value("anchor").toString(), o.value("positive").toString(), {} };
        for (int k = 1; o.contains(QString("negative_%1").arg(k)); ++k)
            row.negatives.push_back(o.value(QString("negative_%1").arg(k)).toString());
        rows.push_back(row);
    }
    return rows;
}

// eval-pairs.tsv of a run: the held-out rows as the trainer split them.
std::vector<QStringList> readTsvRows(const QString &path)
{
    std::vector<QStringList> rows;
    const QList<QByteArray> lines = readFile(path).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (!lines[i].isEmpty())
            rows.push_back(QString::fromUtf8(lines[i]).split('\t'));
    }
    return rows;
}

double dot(const std::vector<float> &values, std::size_t dim, std::size_t a, std::size_t b)
{
    double sum = 0;
    for (std::size_t i = 0; i < dim; ++i)
        sum += double(values[a * dim + i]) * values[b * dim + i];
    return sum;
}

std::vector<double> firstStepLosses(const QString &run)
{
    std::vector<double> losses;
    for (const QJsonObject &event : readMetrics(run)) {
        if (event.value("type").toString() == "step")
            losses.push_back(event.value("loss").toDouble());
    }
    return losses;
}
} // namespace

class TestMineCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QList<QByteArray> lines
            = readFile(PAIRTUNE_RESOURCES_DIR "/data/wordnet-demo-pairs.tsv").split('\n');
        QVERIFY(lines.size() > 241);
        m_pairs = m_dir.path() + "/pairs.tsv";
        QVERIFY(writeFile(m_pairs, lines.mid(0, 241).join('\n') + '\n')); // header + 240 rows
        m_mined = m_dir.path() + "/mined.jsonl";
        const CliResult mined = runCli({ "mine", "--data", m_pairs, "--model", "builtin", "--output", m_mined,
            "--num-negatives", "3", "--relative-margin", "0.05", "--threads", "1" });
        QVERIFY2(mined.exitCode == 0, qPrintable(mined.describe()));
        QVERIFY(mined.out.contains("Skipped candidates"));
        m_report = readJsonObject(m_dir.path() + "/mined.report.json");
        QCOMPARE(m_report.value("train_rows").toInt(), 192);

        // The trainer's split of the output, as `train` makes it with the same seed and fraction.
        m_run = m_dir.path() + "/run-mined";
        const CliResult trained
            = runCli({ "train", "--data", m_mined, "--base", "builtin", "--out", m_run, "--max-steps", "2",
                "--batch-size", "16", "--allow-duplicates", "--no-dropout", "--threads", "1" });
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        for (const QStringList &row : readTsvRows(m_run + "/eval-pairs.tsv")) {
            m_heldOut.insert(row.value(0));
            m_heldOut.insert(row.value(1));
            m_heldOutPairs.insert(row.value(0) + '\t' + row.value(1));
        }
        QCOMPARE(readTsvRows(m_run + "/eval-pairs.tsv").size(), std::size_t { 48 });
    }

    void negativesEqualABruteForceRecomputation()
    {
        const std::vector<Row> rows = readJsonl(m_mined);
        QCOMPARE(rows.size(), std::size_t { 240 });
        // Candidates: the training rows' distinct positives that no held-out row has.
        QStringList candidates;
        std::map<QString, QStringList> positivesOf; // every positive an anchor has, any row
        for (const Row &row : rows) {
            positivesOf[row.anchor].push_back(row.positive);
            const bool training = !m_heldOutPairs.contains(row.anchor + '\t' + row.positive);
            if (training && !m_heldOut.contains(row.positive) && !candidates.contains(row.positive))
                candidates.push_back(row.positive);
        }
        QCOMPARE(qsizetype(m_report.value("candidate_texts").toInt()), candidates.size());
        QStringList anchors;
        for (const Row &row : rows)
            anchors.push_back(row.anchor);
        QStringList allPositives;
        for (const Row &row : rows)
            allPositives.push_back(row.positive);
        const QStringList texts = candidates + anchors + allPositives;
        const EmbedOutput e = embed("builtin", texts, m_dir.path());
        QVERIFY2(e.cli.exitCode == 0, qPrintable(e.cli.describe()));
        const std::size_t dim = e.cols;
        std::vector<float> unit = e.values;
        for (std::size_t r = 0; r < e.rows; ++r) {
            const double norm = std::sqrt(dot(unit, dim, r, r));
            for (std::size_t i = 0; i < dim; ++i)
                unit[r * dim + i] = static_cast<float>(unit[r * dim + i] / norm);
        }
        const auto index = [&](const QString &text, qsizetype offset, const QStringList &list) {
            return static_cast<std::size_t>(offset + list.indexOf(text));
        };
        const qsizetype anchorOffset = candidates.size();
        const qsizetype positiveOffset = candidates.size() + anchors.size();

        std::size_t checkedRows = 0, exactRows = 0, marginRemoved = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const Row &row = rows[r];
            QCOMPARE(row.negatives.size(), qsizetype { 3 });
            if (m_heldOutPairs.contains(row.anchor + '\t' + row.positive))
                continue; // a held-out row: checked in heldOutTextsNeverBecomeNegatives
            const std::size_t a = anchorOffset + r;
            double positiveScore = INFINITY;
            std::vector<std::size_t> positives;
            for (const QString &p : positivesOf[row.anchor]) {
                positives.push_back(index(p, positiveOffset, allPositives));
                positiveScore = std::min(positiveScore, dot(unit, dim, a, positives.back()));
            }
            // Every candidate scored; the guards applied in this test's own words.
            std::vector<std::pair<double, QString>> passing;
            std::map<QString, double> scoreOf;
            for (qsizetype c = 0; c < candidates.size(); ++c) {
                const double score = dot(unit, dim, a, std::size_t(c));
                scoreOf[candidates[c]] = score;
                if (positivesOf[row.anchor].contains(candidates[c]) || candidates[c] == row.anchor)
                    continue;
                double nearest = -1;
                for (const std::size_t p : positives)
                    nearest = std::max(nearest, dot(unit, dim, std::size_t(c), p));
                if (nearest >= 0.98)
                    continue;
                if (score > 0.95 * positiveScore) {
                    ++marginRemoved;
                    continue;
                }
                passing.emplace_back(score, candidates[c]);
            }
            std::sort(passing.begin(), passing.end(),
                [](const auto &x, const auto &y) { return x.first > y.first; });
            // The guards hold for every negative, hard or (in a short row) random; a row with fewer than
            // three passing candidates in the whole pool takes the least similar ones (margin waived).
            for (const QString &negative : row.negatives) {
                QVERIFY2(scoreOf.count(negative), qPrintable(negative)); // a training candidate
                QVERIFY(!positivesOf[row.anchor].contains(negative) && negative != row.anchor);
                QVERIFY2(passing.size() < 3 || scoreOf[negative] <= 0.95 * positiveScore + 1e-4,
                    qPrintable(QString("row %1: %2 scores %3 > 0.95 x %4")
                                   .arg(r)
                                   .arg(negative)
                                   .arg(scoreOf[negative])
                                   .arg(positiveScore)));
            }
            if (passing.size() < 3)
                continue;
            // The search looks at the 30 (range max) + positives + 1 nearest; a third negative ranked
            // beyond that is not the engine's to find (sentence-transformers' window, too).
            std::size_t rank = 0;
            for (const auto &[text, score] : scoreOf)
                rank += score > passing[2].first;
            if (rank >= 30)
                continue;
            ++checkedRows;
            QStringList expected { passing[0].second, passing[1].second, passing[2].second };
            if (row.negatives == expected) {
                ++exactRows;
                continue;
            }
            // Otherwise only a near-tie (float rounding of two different batchings) may explain it.
            for (const QString &negative : row.negatives)
                QVERIFY2(scoreOf[negative] >= passing[2].first - 1e-4,
                    qPrintable(QString("row %1: %2 scores %3, expected %4")
                                   .arg(r)
                                   .arg(negative)
                                   .arg(scoreOf[negative])
                                   .arg(expected.join(" | "))));
        }
        QVERIFY2(checkedRows >= 90, qPrintable(QString::number(checkedRows))); // the toy model: 78 short rows
        QVERIFY2(exactRows >= checkedRows * 95 / 100,
            qPrintable(QString("%1 of %2").arg(exactRows).arg(checkedRows)));
        QVERIFY(marginRemoved > 0); // the margin had work to do on this data
        QVERIFY(m_report.value("removed").toObject().value("relative_margin").toInt() > 0);
    }

    void heldOutTextsNeverBecomeNegatives()
    {
        QVERIFY(!m_heldOut.isEmpty());
        for (const Row &row : readJsonl(m_mined)) {
            for (const QString &negative : row.negatives)
                QVERIFY2(!m_heldOut.contains(negative), qPrintable(negative));
        }
        // Not even when the user's corpus file offers them: held-out texts are taken out of the pool.
        const QString corpus = m_dir.path() + "/corpus.txt";
        QStringList lines(m_heldOut.begin(), m_heldOut.end());
        lines << "an extra text about grapes"
              << "another extra text about wine";
        QVERIFY(writeFile(corpus, lines.join('\n').toUtf8() + '\n'));
        const QString out = m_dir.path() + "/mined-corpus.jsonl";
        const CliResult mined = runCli({ "mine", "--data", m_pairs, "--model", "builtin", "--output", out,
            "--corpus", corpus, "--num-negatives", "5", "--sampling-strategy", "random", "--threads", "1" });
        QVERIFY2(mined.exitCode == 0, qPrintable(mined.describe()));
        for (const Row &row : readJsonl(out)) {
            QCOMPARE(row.negatives.size(), qsizetype { 5 });
            for (const QString &negative : row.negatives)
                QVERIFY2(!m_heldOut.contains(negative), qPrintable(negative));
        }
        const QJsonObject report = readJsonObject(m_dir.path() + "/mined-corpus.report.json");
        QCOMPARE(report.value("corpus_file_texts").toInt(), int(lines.size()));
        QVERIFY(report.value("held_out_texts_excluded").toInt() >= int(m_heldOut.size()));
    }

    void theOutputTrainsWithItsNegatives()
    {
        // The same first batch (--allow-duplicates: the sampler ignores texts; no dropout) with and
        // without the mined negatives: each negative adds a term to the softmax's denominator, so
        // MNRL's first loss must be higher with them, if the trainer used them.
        const QString plain = m_dir.path() + "/run-plain";
        const CliResult trained
            = runCli({ "train", "--data", m_pairs, "--base", "builtin", "--out", plain, "--max-steps", "2",
                "--batch-size", "16", "--allow-duplicates", "--no-dropout", "--threads", "1" });
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        const std::vector<double> withNegatives = firstStepLosses(m_run);
        const std::vector<double> without = firstStepLosses(plain);
        QCOMPARE(withNegatives.size(), std::size_t { 2 });
        QCOMPARE(without.size(), std::size_t { 2 });
        QVERIFY2(withNegatives[0] > without[0] + 1e-3,
            qPrintable(QString("%1 vs %2").arg(withNegatives[0]).arg(without[0])));
        QVERIFY(readFile(m_run + "/eval-pairs.tsv")
                    .startsWith("anchor\tpositive\tnegative_1\tnegative_2\tnegative_3"));
    }

    void aSeedFixesTheOutput()
    {
        const auto mine = [&](const QString &name, const QString &seed) {
            const QString out = m_dir.path() + "/" + name;
            const CliResult r = runCli(
                { "mine", "--data", m_pairs, "--model", "builtin", "--output", out, "--sampling-strategy",
                    "random", "--range-max", "40", "--seed", seed, "--quiet", "--threads", "1" });
            return r.exitCode == 0 ? readFile(out) : QByteArray();
        };
        const QByteArray first = mine("seed-a.jsonl", "3");
        QVERIFY(!first.isEmpty());
        QCOMPARE(mine("seed-b.jsonl", "3"), first);
        QVERIFY(mine("seed-c.jsonl", "4") != first);
    }

    void badOptionsAreOneLineErrors()
    {
        const CliResult r = runCli({ "mine", "--data", m_pairs, "--model", "builtin", "--output",
            m_dir.path() + "/bad.jsonl", "--num-negatives", "5", "--range-max", "3" });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--range-max") && r.errLines().size() == 1, qPrintable(r.describe()));
        const CliResult again = runCli(
            { "mine", "--data", m_mined, "--model", "builtin", "--output", m_dir.path() + "/bad.jsonl" });
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("already have"), qPrintable(again.describe()));
    }

private:
    QTemporaryDir m_dir;
    QString m_pairs;
    QString m_mined;
    QString m_run;
    QJsonObject m_report;
    QSet<QString> m_heldOut; // every text of a held-out row
    QSet<QString> m_heldOutPairs; // "anchor\tpositive" of each held-out row
};

QTEST_GUILESS_MAIN(TestMineCli)
#include "tst_minecli.moc"
