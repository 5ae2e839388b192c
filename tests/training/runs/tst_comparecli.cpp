// `pairtune-cli compare RUN RUN... [--json]` through the real executable, on two tiny runs that
// differ only in --lr (tinyruns.h): the metrics per run, the one setting that differs, and one-line
// errors for folders that are not runs.

#include "tinyruns.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using pairtune::testrun::run;

class TestCompareCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void jsonNamesTheDifferenceAndTheMetrics();
    void tablesNameRunsAndTheDifference();
    void notARunIsOneLineError();
    void needsTwoRuns();

private:
    QTemporaryDir m_dir;
    tinyruns::Runs m_runs;
};

void TestCompareCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_runs = tinyruns::makeRuns(m_dir.path());
    QVERIFY2(m_runs.error.isEmpty(), qPrintable(m_runs.error));
}

void TestCompareCli::jsonNamesTheDifferenceAndTheMetrics()
{
    const QStringList args = { "compare", m_runs.runA, m_runs.runB, "--json" };
    const pairtune::testrun::RunResult r = run(tinyruns::cli(), args, 60000);
    QVERIFY2(r.code == 0, qPrintable(r.describe(tinyruns::cli(), args)));
    const QJsonObject out = QJsonDocument::fromJson(r.out).object();
    const QJsonArray differences = out["differences"].toArray();
    QCOMPARE(differences.size(), 1);
    QCOMPARE(differences[0].toObject()["key"].toString(), QString("training.lr"));
    QCOMPARE(differences[0].toObject()["values"].toArray(), (QJsonArray { "0.001", "0.005" }));

    const QJsonArray runs = out["runs"].toArray();
    QCOMPARE(runs.size(), 2);
    // Each run's final metrics are those of its summary.json, which `train` wrote.
    for (int i = 0; i < 2; ++i) {
        const QJsonObject entry = runs[i].toObject();
        QFile summaryFile((i == 0 ? m_runs.runA : m_runs.runB) + "/summary.json");
        QVERIFY(summaryFile.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
        QCOMPARE(entry["status"].toString(), QString("finished"));
        QCOMPARE(entry["steps"].toInt(), summary["steps"].toInt());
        QCOMPARE(entry["final"].toObject()["mrr@10"].toDouble(),
            summary["eval_after"].toObject()["mrr@10"].toDouble());
        QCOMPARE(entry["baseline"].toObject()["mrr@10"].toDouble(),
            summary["eval_before"].toObject()["mrr@10"].toDouble());
        QCOMPARE(entry["last_loss"].toDouble(), summary["last_loss"].toDouble());
        QCOMPARE(entry["best"].toObject()["step"].toInteger(), summary["best_step"].toInteger());
        QCOMPARE(entry["best"].toObject()["value"].toDouble(), summary["best_value"].toDouble());
    }
    QCOMPARE(runs[0].toObject()["name"].toString(), QString("run-lr-1e-3"));
}

void TestCompareCli::tablesNameRunsAndTheDifference()
{
    const QStringList args = { "compare", m_runs.runA, m_runs.runB };
    const pairtune::testrun::RunResult r = run(tinyruns::cli(), args, 60000);
    QVERIFY2(r.code == 0, qPrintable(r.describe(tinyruns::cli(), args)));
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(text.contains("run-lr-1e-3") && text.contains("run-lr-5e-3"), qPrintable(text));
    QVERIFY2(text.contains("mrr@10") && text.contains("finished"), qPrintable(text));
    const QString differences = text.mid(text.indexOf("Settings and data that differ:"));
    QVERIFY2(differences.size() > 30, qPrintable(text));
    const QStringList lines = differences.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // title, header, one setting
    QVERIFY2(lines[2].startsWith("training.lr") && lines[2].contains("0.001") && lines[2].contains("0.005"),
        qPrintable(text));
}

void TestCompareCli::notARunIsOneLineError()
{
    const QString empty = m_dir.filePath("empty");
    QVERIFY(QDir().mkpath(empty));
    for (const QString &folder : { empty, m_dir.filePath("missing"), m_runs.model }) {
        const pairtune::testrun::RunResult r
            = run(tinyruns::cli(), { "compare", m_runs.runA, folder }, 60000);
        QCOMPARE(r.code, 1);
        const QStringList lines = QString::fromUtf8(r.err).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].startsWith("pairtune-cli: error: " + folder + ": is not a"), qPrintable(lines[0]));
        QVERIFY(r.out.isEmpty());
    }
}

void TestCompareCli::needsTwoRuns()
{
    const pairtune::testrun::RunResult r = run(tinyruns::cli(), { "compare", m_runs.runA }, 60000);
    QCOMPARE(r.code, 2);
    QCOMPARE(QString::fromUtf8(r.err).count('\n'), 1);
}

QTEST_GUILESS_MAIN(TestCompareCli)
#include "tst_comparecli.moc"
