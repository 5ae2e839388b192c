// The verdict at the end of a training run (issue 21, train/runverdict.h), through `pairtune-cli train`:
// a run that damages the built-in model (learning rate 1e-2, no warm-up) must end "Worse" with the same
// before/after MRR@10 that the run's own evaluations (evaluate(), another code path) logged, and the final
// model's card must hold the verdict's tables; a run killed with SIGKILL and resumed must end with the
// verdict of the uninterrupted run, its base ranks written once before the first step and never again.

#include "trainingclihelpers.h"

#include <QtCore/QFileInfo>
#include <QtCore/QRegularExpression>
#include <QtTest/QtTest>

using namespace traintest;

namespace {

double metricOf(const QJsonObject &verdict, const char *metric, const char *side)
{
    return verdict.value("metrics").toObject().value(metric).toObject().value(side).toDouble();
}

// The rows of the Markdown table under `heading` in a model card.
int tableRows(const QString &card, const QString &heading)
{
    const qsizetype start = card.indexOf(heading);
    if (start < 0)
        return -1;
    int rows = 0;
    for (const QString &line : card.mid(start).split('\n').mid(1)) {
        if (line.startsWith("#"))
            break;
        if (line.startsWith("| ") && !line.startsWith("| query"))
            ++rows;
    }
    return rows;
}

QStringList resumeArgs(const QString &data, const QString &model, const QString &run)
{
    return { "train", "--data", data, "--base", model, "--out", run, "--epochs", "3", "--batch-size", "16",
        "--lr", "1e-3", "--warmup-steps", "3", "--threads", "1", "--checkpoint-every", "5", "--quiet",
        "--json" };
}

} // namespace

class TestRunVerdict : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void damagingRunEndsWorseAndTheCardHoldsTheTable()
    {
        // 500 pairs of the demo data: 400 to train on, 100 held out.
        QFile demo(QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/../../resources/data/wordnet-demo-pairs.tsv"));
        QVERIFY(demo.open(QIODevice::ReadOnly));
        QByteArray head;
        for (int line = 0; line < 501 && !demo.atEnd(); ++line)
            head += demo.readLine();
        const QString pairs = m_dir.filePath("demo500.tsv");
        QVERIFY(writeFile(pairs, head));
        const QString run = m_dir.filePath("damaged");
        const CliResult r
            = runCli({ "train", "--data", pairs, "--base", "builtin", "--out", run, "--max-steps", "10",
                "--lr", "1e-2", "--warmup-steps", "0", "--threads", "2", "--json", "--quiet" });
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject summary = parseJsonObject(r.out);
        const QJsonObject verdict = readJsonObject(run + "/verdict.json");
        QCOMPARE(verdict.value("verdict").toString(), QString("Worse"));
        QVERIFY(summary.value("verdict").toString().startsWith("Worse: mrr@10"));
        QCOMPARE(verdict.value("pairs").toInt(), 100);
        QVERIFY(metricOf(verdict, "mrr@10", "high") < 0.0);
        // The ranks agree with the run's evaluations before the first and after the last step.
        QVERIFY(std::abs(metricOf(verdict, "mrr@10", "before")
                    - summary.value("eval_before").toObject().value("mrr@10").toDouble())
            < 1e-6);
        QVERIFY(std::abs(metricOf(verdict, "mrr@10", "after")
                    - summary.value("eval_after").toObject().value("mrr@10").toDouble())
            < 1e-6);
        const QJsonArray losses = verdict.value("losses").toArray();
        QVERIFY(!losses.isEmpty());
        for (const QJsonValue &loss : losses) {
            const QJsonObject row = loss.toObject();
            const int depth = verdict.value("depth").toInt();
            const int before
                = row.value("rank_before").isNull() ? depth + 1 : row.value("rank_before").toInt();
            const int after = row.value("rank_after").isNull() ? depth + 1 : row.value("rank_after").toInt();
            QVERIFY(after > before);
            QVERIFY(!row.value("outranked_by_after").toString().isEmpty()); // something now ranks first
        }

        const QString card = QString::fromUtf8(readFile(run + "/model/README.md"));
        QVERIFY(card.contains("## Evaluation: did fine-tuning help?"));
        QVERIFY(card.contains("**Verdict: Worse** (mrr@10)"));
        QCOMPARE(tableRows(card, "### Biggest losses"), losses.size());
        QCOMPARE(tableRows(card, "### Biggest gains"), verdict.value("gains").toArray().size());
        for (const QString &metric : verdict.value("metrics").toObject().keys())
            QVERIFY2(card.contains("| " + metric + " | "), qPrintable(metric));
        // The CLI's closing text says it too, and only there: the progress lines on stderr leave it out.
        const CliResult text = runCli({ "train", "--data", pairs, "--base", "builtin", "--out",
            m_dir.filePath("damaged-text"), "--max-steps", "2", "--lr", "1e-2", "--threads", "2" });
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        QVERIFY(QString::fromUtf8(text.out).contains("\nverdict: "));
        const QString everything = QString::fromUtf8(text.out + text.err);
        QCOMPARE(everything.count(QRegularExpression("^verdict: ", QRegularExpression::MultilineOption)), 1);
    }

    void killAndResumeKeepsTheVerdict()
    {
        const QString model = m_dir.filePath("tiny-model");
        const CliResult created = createModel(model);
        QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
        const QString data = m_dir.filePath("pairs.tsv");
        QVERIFY(writeTsv(data, mappingPairs(200, 2024)));

        const QString reference = m_dir.filePath("uninterrupted");
        const CliResult r = runCli(resumeArgs(data, model, reference));
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

        const QString run = m_dir.filePath("killed");
        QProcess process;
        process.start(cliPath(), resumeArgs(data, model, run));
        QVERIFY(process.waitForStarted(30000));
        const std::int64_t seen = waitForStep(process, run, 12, 300000);
        QVERIFY2(process.state() == QProcess::Running, qPrintable(QString("ended at step %1").arg(seen)));
        process.kill();
        QVERIFY(process.waitForFinished(60000));
        QVERIFY(!QFileInfo::exists(run + "/verdict.json"));
        const QString ranks = run + "/eval-ranks-base.json";
        QVERIFY(QFileInfo::exists(ranks));
        const QByteArray ranksBefore = readFile(ranks);
        const QDateTime writtenAt = QFileInfo(ranks).lastModified();
        QThread::msleep(20); // a rewrite would show in the modification time

        const CliResult resumed = runCli({ "train", "--resume", run, "--json", "--quiet" });
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
        QCOMPARE(readFile(ranks), ranksBefore);
        QCOMPARE(QFileInfo(ranks).lastModified(), writtenAt);
        QCOMPARE(readFile(ranks), readFile(reference + "/eval-ranks-base.json"));

        QJsonObject verdict = readJsonObject(run + "/verdict.json");
        QJsonObject expected = readJsonObject(reference + "/verdict.json");
        QCOMPARE(verdict.value("tuned").toString(), run + "/model");
        verdict.remove("tuned");
        expected.remove("tuned");
        QVERIFY(!expected.value("metrics").toObject().isEmpty());
        QCOMPARE(verdict, expected);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestRunVerdict)
#include "tst_runverdict.moc"
