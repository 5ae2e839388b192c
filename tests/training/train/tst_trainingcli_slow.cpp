// The long `pairtune-cli train` cases (label slow): the learning test on the generated mapping task,
// and kill -9 at seeded random steps followed by --resume, which must end with the same weights as an
// uninterrupted run.

#include "trainingclihelpers.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace traintest;

class TestTrainingCliSlow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void learnsTheMappingTask();
    void killAndResumeMatchesUninterrupted_data();
    void killAndResumeMatchesUninterrupted();

private:
    QTemporaryDir m_dir;
    QString m_model; // hidden 32, for the resume runs
    QString m_data;
    QString m_reference; // the uninterrupted run
    std::int64_t m_totalSteps = 0;
};

namespace {

QStringList resumeRunArgs(const QString &data, const QString &model, const QString &run)
{
    // Dropout stays on: its random state must survive the kill too.
    return { "train", "--data", data, "--base", model, "--out", run, "--epochs", "3", "--batch-size", "16",
        "--lr", "1e-3", "--warmup-steps", "3", "--threads", "1", "--checkpoint-every", "5", "--eval-every",
        "7", "--quiet", "--json" };
}

} // namespace

void TestTrainingCliSlow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    m_data = m_dir.filePath("resume-pairs.tsv");
    QVERIFY(writeTsv(m_data, mappingPairs(200, 2024)));
}

// A fresh 2-layer, hidden-64 model learns the word-by-word code → fruit mapping: held-out MRR@10
// rises by a clear margin (issue 3 acceptance: the learning test).
void TestTrainingCliSlow::learnsTheMappingTask()
{
    const QString model = m_dir.filePath("learning-model");
    const CliResult created = createModel(model, 64, 4, 128, 48);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    const QString data = m_dir.filePath("mapping.tsv");
    QVERIFY(writeTsv(data, mappingPairs(600, 1)));
    const QString run = m_dir.filePath("learning-run");
    QElapsedTimer timer;
    timer.start();
    const CliResult r = runCli({ "train", "--data", data, "--base", model, "--out", run, "--epochs", "3",
        "--batch-size", "16", "--lr", "1e-3", "--warmup-steps", "5", "--json", "--quiet" });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject summary = parseJsonObject(r.out);
    const double before = summary.value("eval_before").toObject().value("mrr@10").toDouble();
    const double after = summary.value("eval_after").toObject().value("mrr@10").toDouble();
    qInfo("mapping task: mrr@10 %.3f -> %.3f, loss %.3f -> %.3f, %.1f s", before, after,
        summary.value("first_loss").toDouble(), summary.value("last_loss").toDouble(),
        timer.elapsed() / 1000.0);
    QCOMPARE(summary.value("eval_pairs").toInt(), 120);
    QVERIFY2(after >= before + 0.3, qPrintable(QString("mrr@10 %1 -> %2").arg(before).arg(after)));
    QVERIFY(after >= 0.6);
    QVERIFY(summary.value("last_loss").toDouble() < summary.value("first_loss").toDouble());
    const QJsonObject afterMetrics = summary.value("eval_after").toObject();
    QVERIFY(afterMetrics.value("accuracy@10").toDouble() >= afterMetrics.value("accuracy@1").toDouble());
    QVERIFY(afterMetrics.value("mean_cos_pos").toDouble() > afterMetrics.value("mean_cos_neg").toDouble());

    // The baseline in the summary is the evaluation logged at step 0, before any update.
    bool sawBaseline = false;
    for (const QJsonObject &event : readMetrics(run)) {
        if (event.value("type").toString() == "evaluation" && event.value("step").toInt() == 0) {
            QCOMPARE(event.value("metrics").toObject().value("mrr@10").toDouble(), before);
            sawBaseline = true;
        }
    }
    QVERIFY(sawBaseline);
}

void TestTrainingCliSlow::killAndResumeMatchesUninterrupted_data()
{
    QTest::addColumn<std::uint32_t>("seed");
    // Each seed draws one kill step; the rows cover kills between and right around checkpoints.
    QTest::newRow("seed 1") << std::uint32_t(1);
    QTest::newRow("seed 2") << std::uint32_t(2);
    QTest::newRow("seed 3") << std::uint32_t(3);
}

// kill -9 at a random step, then --resume: the final model.safetensors equals the uninterrupted
// run's within 1e-6 (same seed, --threads 1, --checkpoint-every 5), and so does the summary.
void TestTrainingCliSlow::killAndResumeMatchesUninterrupted()
{
    QFETCH(std::uint32_t, seed);
    if (m_reference.isEmpty()) {
        m_reference = m_dir.filePath("uninterrupted");
        const CliResult r = runCli(resumeRunArgs(m_data, m_model, m_reference));
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        m_totalSteps = parseJsonObject(r.out).value("total_steps").toInteger();
        QCOMPARE(m_totalSteps, std::int64_t(30)); // 160 train pairs / 16 × 3 epochs
    }
    const QJsonObject reference = readJsonObject(m_reference + "/summary.json");

    std::mt19937 rng(seed);
    const std::int64_t target
        = 2 + static_cast<std::int64_t>(rng() % static_cast<std::uint32_t>(m_totalSteps - 4));
    const QString run = m_dir.filePath(QString("killed-%1").arg(seed));
    QProcess process;
    process.start(cliPath(), resumeRunArgs(m_data, m_model, run));
    QVERIFY(process.waitForStarted(30000));
    const std::int64_t seen = waitForStep(process, run, target, 300000);
    QVERIFY2(process.state() == QProcess::Running,
        qPrintable(QString("the run ended (step %1) before the kill at step %2").arg(seen).arg(target)));
    process.kill(); // SIGKILL: no handler runs, whatever was being written stays half-written
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    const std::int64_t killedAt = lastLoggedStep(run);
    qInfo("killed at step %lld (target %lld); checkpoints on disk: %zu", static_cast<long long>(killedAt),
        static_cast<long long>(target), checkpointSteps(run).size());
    QVERIFY(killedAt < m_totalSteps);
    QVERIFY(!QFileInfo::exists(run + "/model/model.safetensors"));

    const CliResult resumed = runCli({ "train", "--resume", run, "--json", "--quiet" });
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    const QJsonObject summary = parseJsonObject(resumed.out);
    QCOMPARE(summary.value("steps").toInteger(), m_totalSteps);

    bool identical = false;
    QString problem;
    const double diff = maxWeightDifference(
        run + "/model/model.safetensors", m_reference + "/model/model.safetensors", &identical, &problem);
    qInfo("final weights: max |difference| %g, bit-identical: %s", diff, identical ? "yes" : "no");
    QVERIFY2(diff <= 1e-6, qPrintable(QString("max |difference| %1 %2").arg(diff).arg(problem)));

    for (const char *key : { "first_loss", "last_loss" })
        QVERIFY2(std::abs(summary.value(key).toDouble() - reference.value(key).toDouble()) <= 1e-6, key);
    const QJsonObject after = summary.value("eval_after").toObject();
    const QJsonObject referenceAfter = reference.value("eval_after").toObject();
    QCOMPARE(after.keys(), referenceAfter.keys());
    for (const QString &key : referenceAfter.keys())
        QVERIFY2(std::abs(after.value(key).toDouble() - referenceAfter.value(key).toDouble()) <= 1e-6,
            qPrintable(key));
    QCOMPARE(summary.value("best_step").toInteger(), reference.value("best_step").toInteger());

    // The log replays nothing twice: each step once, in order, with the uninterrupted run's losses.
    std::vector<double> losses, referenceLosses;
    for (const QJsonObject &event : readMetrics(run))
        if (event.value("type").toString() == "step")
            losses.push_back(event.value("loss").toDouble());
    for (const QJsonObject &event : readMetrics(m_reference))
        if (event.value("type").toString() == "step")
            referenceLosses.push_back(event.value("loss").toDouble());
    QCOMPARE(losses.size(), referenceLosses.size());
    for (std::size_t i = 0; i < losses.size(); ++i)
        QVERIFY2(std::abs(losses[i] - referenceLosses[i]) <= 1e-6, qPrintable(QString("step %1").arg(i + 1)));
}

QTEST_GUILESS_MAIN(TestTrainingCliSlow)
#include "tst_trainingcli_slow.moc"
