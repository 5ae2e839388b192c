// `pairtune-cli inspect --near-duplicates` on the WordNet sample pairs with a planted near-copy: the
// existing report is still printed, the near-duplicate section counts the copy and shows it with its
// cosine (checked against `pairtune-cli embed`'s vectors), --json carries the same, and the check
// without a model is refused with a message that names --model.

#include "processrun.h"
#include "vectorcosine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace pairtune;

namespace {
const QString kResources = QStringLiteral(PAIRTUNE_RESOURCES_DIR);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
} // namespace

class TestNearDuplicateCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile source(kResources + "/data/wordnet-demo-pairs.tsv");
        QVERIFY(source.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = source.readAll().split('\n');
        QFile out(m_dir.filePath("pairs.tsv"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        // Header plus 40 pairs, then a copy of pair 5 with a full stop after each text.
        for (int i = 0; i <= 40; ++i)
            out.write(lines[i] + '\n');
        const QList<QByteArray> cells = lines[5].split('\t');
        m_anchor = QString::fromUtf8(cells[0]);
        m_copyAnchor = m_anchor + " .";
        out.write(cells[0] + " .\t" + cells[1] + " .\n");
        out.close();
        m_data = m_dir.filePath("pairs.tsv");
    }

    void jsonCountsAndShowsThePlantedCopy()
    {
        const QStringList args { "inspect", "--data", m_data, "--model", "builtin", "--near-duplicates",
            "--train-fraction", "1", "--json" };
        const testrun::RunResult r = testrun::run(kCli, args, 300000);
        QVERIFY2(r.code == 0, qPrintable(r.describe(kCli, args)));
        const QJsonObject report = QJsonDocument::fromJson(r.out).object();
        QVERIFY(report.contains("near_duplicates"));
        QVERIFY(report.size() > 1); // the existing inspect report stays
        const QJsonObject near = report["near_duplicates"].toObject();
        QCOMPARE(near["threshold"].toDouble(), 0.95);
        QCOMPARE(near["rows"].toInt(), 41);
        QVERIFY(near["within_train_repeats"].toInt() >= 1);
        QCOMPARE(near["cross_split_rows"].toInt(), 0); // --train-fraction 1: no held-out part
        bool found = false;
        for (const QJsonValue &v : near["within_train_examples"].toArray()) {
            const QJsonObject e = v.toObject();
            if (e["row_a"].toInt() != 5 || e["row_b"].toInt() != 41)
                continue;
            found = true;
            // The reported cosine is the one of two of the rows' texts; check it against embed's.
            const double expected = embedCosine(e["text_a"].toString(), e["text_b"].toString());
            QVERIFY2(std::abs(e["cosine"].toDouble() - expected) < 1e-4,
                qPrintable(QString("%1 vs %2").arg(e["cosine"].toDouble()).arg(expected)));
            QVERIFY(expected >= 0.95);
        }
        QVERIFY2(found, r.out.constData());
    }

    void textReportKeepsTheInspectReport()
    {
        const QStringList args { "inspect", "--data", m_data, "--model", "builtin", "--near-duplicates",
            "--threshold", "0.9" };
        const testrun::RunResult r = testrun::run(kCli, args, 300000);
        QVERIFY2(r.code == 0, qPrintable(r.describe(kCli, args)));
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains("Near-duplicates (cosine >= 0.900"), r.out.constData());
        QVERIFY(text.contains("across train/eval:"));
        const testrun::RunResult plain = testrun::run(kCli, { "inspect", "--data", m_data }, 300000);
        QCOMPARE(plain.code, 0);
        QVERIFY(text.startsWith(QString::fromUtf8(plain.out.left(40))));
    }

    void withoutAModelItIsRefused()
    {
        const testrun::RunResult r = testrun::run(kCli, { "inspect", "--data", m_data, "--near-duplicates" });
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("--model"), r.err.constData());
    }

private:
    double embedCosine(const QString &a, const QString &b)
    {
        QFile texts(m_dir.filePath("two.txt"));
        if (!texts.open(QIODevice::WriteOnly))
            return NAN;
        texts.write((a + "\n" + b + "\n").toUtf8());
        texts.close();
        const QString npy = m_dir.filePath("two.npy");
        const testrun::RunResult r = testrun::run(
            kCli, { "embed", "--model", "builtin", "--input", texts.fileName(), "--output", npy }, 300000);
        if (r.code != 0)
            return NAN;
        QFile file(npy);
        if (!file.open(QIODevice::ReadOnly))
            return NAN;
        const QByteArray bytes = file.readAll();
        // .npy v1: magic, version, 2-byte header length, header; then float32 rows.
        const int headerLength
            = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
        const auto *values = reinterpret_cast<const float *>(bytes.constData() + 10 + headerLength);
        const qsizetype dim = (bytes.size() - 10 - headerLength) / 4 / 2;
        return vectorCosine(values, values + dim, static_cast<std::size_t>(dim));
    }

    QTemporaryDir m_dir;
    QString m_data, m_anchor, m_copyAnchor;
};

QTEST_GUILESS_MAIN(TestNearDuplicateCli)
#include "tst_nearduplicatecli.moc"
