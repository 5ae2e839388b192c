// Faults inside a run (issue 7, docs/reliability.md), each once a real bug:
// - after a non-finite loss the newest checkpoint could hold the weights that caused it, and
//   `--resume` / `export --checkpoint last` picked it: only good states may be kept under step-N;
// - `--resume` did not check that the data files still match the sha256 recorded in config.json;
// - `embed` wrote JSON nulls for a model with NaN weights instead of failing.

#include "reliabilityhelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <limits>

using namespace reliabilitytest;

class TestRunFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void divergedRunKeepsOnlyGoodStates_data();
    void divergedRunKeepsOnlyGoodStates();
    void resumeRefusesChangedData();
    void embedRefusesNanWeights_data();
    void embedRefusesNanWeights();

private:
    QTemporaryDir m_dir;
    QString m_model;
};

void TestRunFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
}

// lr 1e12 without clipping: warm-up makes step 1 harmless, step 2 blows the weights up. Whatever the
// run keeps as step-N, best/ or "last" must load and give finite embeddings, before and after a
// --resume (which diverges again, the same way, and must again keep only good states).
void TestRunFaults::divergedRunKeepsOnlyGoodStates_data()
{
    // Evaluating every step finds the exploded embeddings before the checkpoint of that step is
    // written; evaluating only at epoch ends lets that checkpoint be written, and the NaN loss of the
    // next step must set it aside.
    QTest::addColumn<QString>("evalEvery");
    QTest::addColumn<bool>("expectSetAside");
    QTest::newRow("evaluating every step") << "1" << false;
    QTest::newRow("evaluating at epoch ends") << "0" << true;
}

void TestRunFaults::divergedRunKeepsOnlyGoodStates()
{
    QFETCH(QString, evalEvery);
    QFETCH(bool, expectSetAside);
    const QString data = m_dir.filePath("diverge.tsv");
    QVERIFY(writeTsv(data, mappingPairs(64, 41)));
    const QString run = m_dir.filePath("diverged-" + evalEvery);
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run, "--lr", "1e12",
        "--warmup-steps", "3", "--max-grad-norm", "0", "--batch-size", "8", "--epochs", "3",
        "--checkpoint-every", "1", "--eval-every", evalEvery, "--threads", "1", "--quiet" });
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(r.describe()));
    QCOMPARE(r.errLines().size(), 1);
    const QString line = r.errLines().front();
    QVERIFY2(line.contains("NaN") || line.contains("infinite"), qPrintable(line));
    const int failedStep = QRegularExpression("at step ([0-9]+)").match(line).captured(1).toInt();
    QVERIFY2(failedStep >= 2, qPrintable(line));

    for (int attempt = 0; attempt < 2; ++attempt) {
        std::map<QString, QDateTime> checked;
        const QStringList problems = runFolderProblems(run, m_dir.path(), checked);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        const std::vector<std::int64_t> steps = checkpointSteps(run);
        QVERIFY2(!steps.empty(), "the good step-1 checkpoint is gone");
        // A loss that fails at step S was computed with the weights after step S - 1: those are bad too.
        const int firstBad = line.contains("loss") ? failedStep - 1 : failedStep;
        QVERIFY2(steps.back() < firstBad,
            qPrintable(QString("step-%1 kept after: %2").arg(steps.back()).arg(line)));
        const QString out = m_dir.filePath(QString("last-%1-%2").arg(evalEvery).arg(attempt));
        const CliResult exported = runCli({ "export", "--run", run, "--checkpoint", "last", "--out", out });
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.describe()));
        QVERIFY2(modelProblem(out, m_dir.path()).isEmpty(), qPrintable(modelProblem(out, m_dir.path())));

        // The bad state is set aside for inspection, not deleted silently, and never a step-N.
        const QStringList setAside = QDir(run + "/checkpoints").entryList({ "*.nonfinite" }, QDir::Dirs);
        QCOMPARE(!setAside.isEmpty(), expectSetAside);
        qInfo("attempt %d: failed at step %d; good checkpoints up to step %lld; set aside: %s", attempt,
            failedStep, static_cast<long long>(steps.back()), qPrintable(setAside.join(", ")));

        if (attempt == 0) {
            const CliResult resumed = runCli({ "train", "--resume", run, "--quiet", "--threads", "1" });
            QVERIFY2(resumed.exitCode == 1 && !resumed.crashed, qPrintable(resumed.describe()));
            QCOMPARE(resumed.errLines().size(), 1);
            QVERIFY2(resumed.errLines().front().contains(QString("at step %1").arg(failedStep)),
                qPrintable(resumed.errLines().front()));
        }
    }
}

// A data file edited (or removed) after the run started: --resume names it and refuses;
// --allow-changed-data overrides; with the file restored the resume works.
void TestRunFaults::resumeRefusesChangedData()
{
    const QString data = m_dir.filePath("resume-pairs.tsv");
    QVERIFY(writeTsv(data, mappingPairs(40, 8)));
    const QByteArray original = readFile(data);
    const QString run = m_dir.filePath("resumed");
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "1",
        "--batch-size", "8", "--threads", "1", "--quiet" });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    QVERIFY(writeFile(data, original + "one more\tpair\n"));
    const CliResult changed = runCli({ "train", "--resume", run, "--quiet" });
    QVERIFY2(changed.exitCode == 1 && !changed.crashed, qPrintable(changed.describe()));
    QCOMPARE(changed.errLines().size(), 1);
    const QString line = changed.errLines().front();
    QVERIFY2(line.contains(data) && line.contains("changed") && line.contains("sha256")
            && line.contains("--allow-changed-data"),
        qPrintable(line));

    const CliResult forced = runCli({ "train", "--resume", run, "--quiet", "--allow-changed-data" });
    QVERIFY2(forced.exitCode == 0, qPrintable(forced.describe()));
    QVERIFY2(forced.err.contains("--allow-changed-data"), "the override must be reported");

    QVERIFY(QFile::remove(data));
    const CliResult missing = runCli({ "train", "--resume", run, "--quiet" });
    QVERIFY2(missing.exitCode == 1 && !missing.crashed, qPrintable(missing.describe()));
    QVERIFY2(missing.errLines().size() == 1 && missing.errLines().front().contains(data)
            && missing.errLines().front().contains("missing"),
        qPrintable(missing.describe()));

    QVERIFY(writeFile(data, original));
    const CliResult restored = runCli({ "train", "--resume", run, "--quiet" });
    QVERIFY2(restored.exitCode == 0, qPrintable(restored.describe()));
}

void TestRunFaults::embedRefusesNanWeights_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<float>("value");
    QTest::newRow("NaN, .jsonl") << ".jsonl" << std::numeric_limits<float>::quiet_NaN();
    QTest::newRow("NaN, .npy") << ".npy" << std::numeric_limits<float>::quiet_NaN();
    QTest::newRow("infinity, .jsonl") << ".jsonl" << std::numeric_limits<float>::infinity();
}

// Weights with NaN or infinity: embed fails naming the model and the tensor, and writes nothing.
void TestRunFaults::embedRefusesNanWeights()
{
    QFETCH(QString, extension);
    QFETCH(float, value);
    const QString model
        = m_dir.filePath(QString("nan-model-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    QVERIFY(runTool("cp", { "-r", m_model, model }));
    QByteArray bytes = readFile(model + "/model.safetensors");
    quint64 length = 0;
    std::memcpy(&length, bytes.constData(), 8);
    const int at = 8 + static_cast<int>(length) + 4 * 5; // the sixth value of the first tensor
    std::memcpy(bytes.data() + at, &value, 4);
    QVERIFY(writeFile(model + "/model.safetensors", bytes));

    const QString texts = m_dir.filePath("texts.txt");
    QVERIFY(writeFile(texts, "alpha\nbravo\n"));
    const QString output = model + "-vectors" + extension;
    const CliResult r = runCli({ "embed", "--model", model, "--input", texts, "--output", output });
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(r.describe()));
    QCOMPARE(r.errLines().size(), 1);
    const QString line = r.errLines().front();
    QVERIFY2(
        line.contains(model + "/model.safetensors") && line.contains("NaN or infinite"), qPrintable(line));
    QVERIFY2(!QFileInfo::exists(output), "an output with non-finite values was written");
}

QTEST_GUILESS_MAIN(TestRunFaults)
#include "tst_runfaults.moc"
