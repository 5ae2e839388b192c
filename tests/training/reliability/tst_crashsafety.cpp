// Crash safety of a run (issue 7, docs/reliability.md): `pairtune-cli train` killed with SIGKILL at
// seeded random moments and, through the PAIRTUNE_TEST_PAUSE_IN hook, in the middle of publishing a
// checkpoint, best/, model/, eval-pairs.tsv, summary.json and an export. After every kill, whatever the
// run folder shows under a final name must be complete and load; staging leftovers must never be taken
// for results; `--resume` must then finish the run, with the same final weights as a run never killed.

#include "reliabilityhelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace reliabilitytest;

class TestCrashSafety : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void randomKillsThenResume();
    void killWhilePublishing_data();
    void killWhilePublishing();
    void killDuringExport_data();
    void killDuringExport();

private:
    QStringList trainArgs(const QString &run) const
    {
        return { "train", "--data", m_data, "--base", m_model, "--out", run, "--epochs", "2", "--batch-size",
            "8", "--lr", "1e-3", "--warmup-steps", "3", "--threads", "1", "--checkpoint-every", "3",
            "--eval-every", "4", "--keep-checkpoints", "3", "--quiet" };
    }
    QString scratch() const { return m_dir.path(); }
    void resumeToCompletion(const QString &run, std::map<QString, QDateTime> &checked);

    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
    QString m_reference; // the same run, never killed
    std::int64_t m_totalSteps = 0;
    qint64 m_startupMs = 0; // `pairtune-cli --version`: loading the program and LibTorch
    qint64 m_runMs = 0; // the whole reference run
};

void TestCrashSafety::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath()));
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    m_data = m_dir.filePath("pairs.tsv");
    QVERIFY(writeTsv(m_data, mappingPairs(120, 11)));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runCli({ "--version" }).exitCode == 0);
    m_startupMs = timer.restart();
    m_reference = m_dir.filePath("reference");
    const CliResult r = runCli(trainArgs(m_reference) << "--json");
    m_runMs = timer.elapsed();
    qInfo("start-up %lld ms, whole run %lld ms", static_cast<long long>(m_startupMs),
        static_cast<long long>(m_runMs));
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    m_totalSteps = parseJsonObject(r.out).value("total_steps").toInteger();
    QCOMPARE(m_totalSteps, std::int64_t(24)); // 96 training pairs / 8 × 2 epochs
}

// `train --resume` until the run is finished; then the run folder holds no staging leftovers, every step
// is logged exactly once, and the final weights equal the uninterrupted run's.
void TestCrashSafety::resumeToCompletion(const QString &run, std::map<QString, QDateTime> &checked)
{
    if (!QFileInfo::exists(run + "/summary.json")
        || readJsonObject(run + "/summary.json").value("status").toString() != "finished") {
        const CliResult resumed = runCli({ "train", "--resume", run, "--quiet", "--threads", "1" });
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    }
    const QJsonObject summary = readJsonObject(run + "/summary.json");
    QCOMPARE(summary.value("status").toString(), QString("finished"));
    QCOMPARE(summary.value("steps").toInteger(), m_totalSteps);
    const QStringList problems = runFolderProblems(run, scratch(), checked);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    const QStringList leftovers = stagingLeftovers(run);
    QVERIFY2(leftovers.isEmpty(), qPrintable("left behind: " + leftovers.join(", ")));
    std::vector<std::int64_t> steps;
    for (const QJsonObject &event : readMetrics(run))
        if (event.value("type").toString() == "step")
            steps.push_back(event.value("step").toInteger());
    QCOMPARE(steps.size(), std::size_t(m_totalSteps));
    for (std::size_t i = 0; i < steps.size(); ++i)
        QCOMPARE(steps[i], std::int64_t(i + 1));
    const double diff
        = maxWeightDifference(run + "/model/model.safetensors", m_reference + "/model/model.safetensors");
    QVERIFY2(
        diff <= 1e-6, qPrintable(QString("final weights differ from the uninterrupted run by %1").arg(diff)));
}

// SIGKILL at seeded random moments, each time followed by a resume, until the run is done: in start-up
// (scaled by this machine's start-up time) or a random number of steps on plus a random delay.
// A torn metrics line is added by hand once, as a kill inside the append would leave it.
void TestCrashSafety::randomKillsThenResume()
{
    const QString run = m_dir.filePath("random-kills");
    std::mt19937 rng(20261127);
    std::map<QString, QDateTime> checked;
    int kills = 0;
    int killsWithCheckpoints = 0;
    for (int round = 0; round < 16; ++round) {
        const bool started = QFileInfo::exists(run + "/config.json");
        QProcess process;
        startCli(process,
            started ? QStringList { "train", "--resume", run, "--quiet", "--threads", "1" } : trainArgs(run));
        QVERIFY(process.waitForStarted(30000));
        // One round in four: a kill at a random moment of start-up (model loading, data preparation).
        // The others: 1-4 steps past where the run stands, plus up to about one step's time (measured
        // by the reference run; a fixed delay let a fast engine run to the end in three rounds), which
        // lands in steps, evaluations and checkpoint or best/ writes (every 3 and 4 steps).
        const auto stepMs = static_cast<std::uint32_t>(
            std::max<qint64>(5, (m_runMs - m_startupMs) / std::max<std::int64_t>(1, m_totalSteps)));
        int delay = 0;
        std::int64_t target = -1;
        if (round % 4 == 0) {
            delay = static_cast<int>(rng() % static_cast<std::uint32_t>(m_startupMs + 1));
        } else {
            target
                = std::max<std::int64_t>(0, lastLoggedStep(run)) + 1 + static_cast<std::int64_t>(rng() % 4u);
            delay = static_cast<int>(rng() % (stepMs + 1));
            waitForStep(process, run, target, 600000);
        }
        if (process.state() == QProcess::NotRunning || process.waitForFinished(delay)) {
            QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
            qInfo("round %d: the run finished", round);
            break;
        }
        killNow(process);
        ++kills;
        if (!checkpointSteps(run).empty())
            ++killsWithCheckpoints;
        const QStringList problems = runFolderProblems(run, scratch(), checked);
        qInfo("round %d: killed %d ms after step %lld, at logged step %lld; checkpoints %zu; staging "
              "leftovers %lld",
            round, delay, static_cast<long long>(target), static_cast<long long>(lastLoggedStep(run)),
            checkpointSteps(run).size(), static_cast<long long>(stagingLeftovers(run).size()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        if (round == 4 && QFileInfo::exists(run + "/metrics.jsonl")) {
            QFile metrics(run + "/metrics.jsonl");
            QVERIFY(metrics.open(QIODevice::Append));
            metrics.write(R"({"type":"step","step":99)"); // torn: no closing brace, no newline
        }
    }
    QVERIFY2(kills >= 5, qPrintable(QString("only %1 kills landed").arg(kills)));
    QVERIFY2(killsWithCheckpoints >= 2, "the kills never reached the middle of the run");
    resumeToCompletion(run, checked);
}

void TestCrashSafety::killWhilePublishing_data()
{
    // What the paused writer publishes (relative to the run folder), and how many such writes pass
    // before the pause: best/ is paused in its second export, which replaces the first.
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("skip");
    QTest::newRow("config.json") << "config.json" << 0;
    QTest::newRow("third checkpoint") << "checkpoints/step-" << 2;
    QTest::newRow("best/ replacing best/") << "best" << 1;
    QTest::newRow("final model/") << "model" << 0;
    QTest::newRow("summary.json") << "summary.json" << 0;
}

// A kill while a file or folder is staged but not yet renamed into place: the final name is absent (or
// still holds the previous complete version), the staging copy is never used, and resume finishes.
void TestCrashSafety::killWhilePublishing()
{
    QFETCH(QString, target);
    QFETCH(int, skip);
    const QString run = m_dir.filePath(
        "paused-" + QString(QTest::currentDataTag()).replace(QRegularExpression("[^a-z0-9]+"), "-"));
    const QString finalPath = run + "/" + target;
    QProcess process;
    startCli(process, trainArgs(run),
        { "PAIRTUNE_TEST_PAUSE_IN=" + finalPath, "PAIRTUNE_TEST_PAUSE_SKIP=" + QString::number(skip) });
    QVERIFY(process.waitForStarted(30000));
    QByteArray err;
    const QString paused = waitForPause(process, err);
    QVERIFY2(!paused.isEmpty(), qPrintable("never paused before publishing " + finalPath + "\n" + err));
    // Where the writer stands: the staged copy exists, the final name does not (or is the old version).
    const QStringList staged = stagingLeftovers(run);
    const bool hadPrevious = QFileInfo::exists(paused);
    killNow(process);
    qInfo("killed before publishing %s; staged: %s; previous version present: %s", qPrintable(paused),
        qPrintable(staged.join(", ")), hadPrevious ? "yes" : "no");
    QVERIFY2(!staged.isEmpty(), "the pause came before anything was staged");
    if (skip == 0 && target != "checkpoints/step-")
        QVERIFY2(
            !QFileInfo::exists(paused), qPrintable(paused + " appeared although it was never published"));
    if (target == "best")
        QVERIFY2(hadPrevious && QFileInfo::exists(paused + "/modules.json"),
            "the previous best/ must stay in place while its replacement is written");

    std::map<QString, QDateTime> checked;
    const QStringList problems = runFolderProblems(run, scratch(), checked);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));

    if (target == "checkpoints/step-") {
        // The half-published checkpoint is not a checkpoint: `export last` takes the newest complete one.
        const QRegularExpression stepOf("step-([0-9]+)$");
        const std::int64_t pausedStep = stepOf.match(paused).captured(1).toLongLong();
        QVERIFY(!QFileInfo::exists(paused));
        const std::vector<std::int64_t> complete = checkpointSteps(run);
        QCOMPARE(complete.size(), std::size_t(skip));
        if (!complete.empty()) {
            QVERIFY(complete.back() < pausedStep);
            const QString out = m_dir.filePath(QString("export-last-%1").arg(skip));
            const CliResult exported
                = runCli({ "export", "--run", run, "--checkpoint", "last", "--out", out });
            QVERIFY2(exported.exitCode == 0, qPrintable(exported.describe()));
            QVERIFY2(exported.err.contains(QString("step-%1/model").arg(complete.back()).toUtf8()),
                exported.err.constData());
            QVERIFY2(modelProblem(out, scratch()).isEmpty(), qPrintable(modelProblem(out, scratch())));
        }
    }
    if (!QFileInfo::exists(run + "/config.json")) {
        // Killed before the run existed: the same command simply starts it again.
        const CliResult again = runCli(trainArgs(run));
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    }
    resumeToCompletion(run, checked);
}

void TestCrashSafety::killDuringExport_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::newRow("copy of best") << QStringList { "--checkpoint", "best" };
    QTest::newRow("float16 of the final model") << QStringList { "--float16" };
}

// `pairtune-cli export` killed while the destination is staged: the destination does not exist, so the
// same command can simply be run again, and then gives a model that loads.
void TestCrashSafety::killDuringExport()
{
    QFETCH(QStringList, extra);
    const QString out = m_dir.filePath(QString("exported-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    const QStringList args = QStringList { "export", "--run", m_reference, "--out", out } + extra;
    QProcess process;
    startCli(process, args, { "PAIRTUNE_TEST_PAUSE_IN=" + out });
    QVERIFY(process.waitForStarted(30000));
    QByteArray err;
    const QString paused = waitForPause(process, err);
    QVERIFY2(!paused.isEmpty(), qPrintable("export never paused\n" + err));
    killNow(process);
    QVERIFY2(!QFileInfo::exists(out), qPrintable(out + " exists after a kill before it was published"));
    const CliResult again = runCli(args);
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    QVERIFY2(modelProblem(out, scratch()).isEmpty(), qPrintable(modelProblem(out, scratch())));
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
