// The FOLDOC pair set (resources/data/foldoc-pairs.tsv, resources/data/README.md): the benchmark's second
// data set must be what its README says, carry its licence, and rebuild byte for byte from Debian's
// dict-foldoc with scripts/make_foldoc_pairs.py.

#include "processrun.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

namespace {

QString repoRoot()
{
    return QDir::cleanPath(QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/../.."));
}
QString pairFile()
{
    return repoRoot() + QStringLiteral("/resources/data/foldoc-pairs.tsv");
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestFoldocPairs : public QObject
{
    Q_OBJECT

private slots:
    // 2000 rows of two non-empty cells, no anchor or positive twice: each held-out query has one right
    // answer. pairtune-cli inspect reads it as training data and finds nothing to warn about.
    void fileIsCleanPairData()
    {
        const QByteArray bytes = readAll(pairFile());
        QVERIFY2(!bytes.isEmpty(), qPrintable(pairFile() + QStringLiteral(" is missing")));
        QVERIFY2(bytes.size() < 1000 * 1000, "the pair file should stay small");
        const QStringList lines = QString::fromUtf8(bytes).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("anchor\tpositive"));
        QCOMPARE(lines.size(), 2001);
        QSet<QString> anchors, positives;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList cells = lines[i].split(QLatin1Char('\t'));
            QVERIFY2(cells.size() == 2, qPrintable(QStringLiteral("line %1").arg(i + 1)));
            QVERIFY(!cells[0].trimmed().isEmpty() && !cells[1].trimmed().isEmpty());
            QVERIFY2(!cells[1].contains(QLatin1Char('{')) && !cells[1].contains(QLatin1String("://")),
                qPrintable(QStringLiteral("markup left on line %1: %2").arg(i + 1).arg(cells[1])));
            anchors.insert(cells[0].toLower());
            positives.insert(cells[1].toLower());
        }
        QCOMPARE(anchors.size(), 2000);
        QCOMPARE(positives.size(), 2000);

        const pairtune::testrun::RunResult inspect = pairtune::testrun::run(
            QStringLiteral(PAIRTUNE_CLI_PATH), { "inspect", "--data", pairFile(), "--json" });
        QVERIFY2(inspect.code == 0, qPrintable(QString::fromUtf8(inspect.err)));
        const QJsonObject report = QJsonDocument::fromJson(inspect.out).object();
        QCOMPARE(report.value("rows").toInt(), 2000);
        QCOMPARE(report.value("duplicate_pairs").toInt(), 0);
        QCOMPARE(report.value("repeated_anchors").toInt(), 0);
        QCOMPARE(report.value("repeated_positives").toInt(), 0);
        QCOMPARE(report.value("train_eval_shared_texts").toInt(), 0);
    }

    // The GFDL asks for its text next to the data, with FOLDOC's notice.
    void licenceTravelsWithTheData()
    {
        const QString licence = QString::fromUtf8(readAll(repoRoot() + "/resources/data/LICENSE.foldoc"));
        QVERIFY(licence.contains(QLatin1String("Denis Howe")));
        QVERIFY(licence.contains(QLatin1String("GNU Free Documentation License")));
        QVERIFY(
            licence.contains(QLatin1String("APPLICABILITY AND DEFINITIONS"))); // the full text, not a link
    }

    void rebuildsByteForByte()
    {
        if (!QFileInfo::exists("/usr/share/dictd/foldoc.index"))
            QSKIP("dict-foldoc is not installed (apt-get install dict-foldoc)");
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty())
            QSKIP("no python3");
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString rebuilt = scratch.filePath("foldoc-pairs.tsv");
        const QStringList args { repoRoot() + "/scripts/make_foldoc_pairs.py", "--output", rebuilt };
        const pairtune::testrun::RunResult make = pairtune::testrun::run(python, args, 120000);
        QVERIFY2(make.code == 0, qPrintable(make.describe(python, args)));
        QVERIFY2(
            readAll(rebuilt) == readAll(pairFile()), "the committed foldoc-pairs.tsv differs from a rebuild");
    }
};

QTEST_GUILESS_MAIN(TestFoldocPairs)
#include "tst_foldocpairs.moc"
