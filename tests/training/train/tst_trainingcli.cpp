// `pairtune-cli train` end to end through the real executable: the recipe's defaults, the --json
// summary, evaluation and export of the run's models, cancel (SIGTERM) and resume, a diverging run.
// Every case uses a tiny model made by `pairtune-cli create` and pair data generated here with fixed
// seeds. Malformed and odd input files are in tst_trainingcli_inputs; the long cases (learning,
// kill -9 and resume) in tst_trainingcli_slow.

#include "trainingclihelpers.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace traintest;

class TestTrainingCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void defaults();
    void summaryAndEval();
    void evalMatchesRunWithSmallBatches();
    void exportForms_data();
    void exportForms();
    void exportFloat16();
    void interruptThenResume();
    void nonFiniteLoss();
    void resumeFromAnotherFolder();
    void twoDataFilesAndThreadsRecorded();
    void bf16TracksFloat32();

private:
    bool ensureExportRun();
    QString scratch(const QString &name) const { return m_dir.filePath(name); }
    QString freshFolder(const QString &prefix) { return traintest::freshFolder(m_dir, prefix, m_counter); }
    QString writePairs(const QString &name, int count, std::uint32_t seed)
    {
        return traintest::writePairs(freshFolder("data"), name, count, seed);
    }

    QTemporaryDir m_dir;
    QString m_model; // hidden 32, max_seq_length 24
    QString m_exportRun; // shared by summaryAndEval and exportForms (ensureExportRun)
    QByteArray m_exportRunStdout;
    int m_counter = 0;
};

void TestTrainingCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath()));
    m_model = scratch("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0 && !created.crashed, qPrintable(created.describe()));
}

// No recipe flag at all: the run must use the documented defaults (issue 3 acceptance, docs/architecture.md).
void TestTrainingCli::defaults()
{
    const QString data = writePairs("pairs.tsv", 40, 11);
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run });
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.describe()));

    const QJsonObject config = readJsonObject(run + "/config.json");
    const QJsonObject training = config.value("training").toObject();
    QCOMPARE(training.value("epochs").toInt(), 8);
    QCOMPARE(training.value("batch_size").toInt(), 32);
    QCOMPARE(training.value("warmup_steps").toInt(), 100);
    QCOMPARE(training.value("train_fraction").toDouble(), 0.8);
    QCOMPARE(training.value("score_mean").toDouble(), 0.9);
    QCOMPARE(training.value("score_scaling").toDouble(), 20.0);
    QCOMPARE(training.value("loss").toString(), QString("mnrl"));
    QCOMPARE(training.value("similarity").toString(), QString("dot"));
    QCOMPARE(training.value("scale").toDouble(), 1.0);
    QCOMPARE(training.value("lr").toDouble(), 2e-5);
    QCOMPARE(training.value("weight_decay").toDouble(), 0.01);
    QCOMPARE(training.value("max_grad_norm").toDouble(), 1.0);
    QCOMPARE(training.value("seed").toInteger(), 42);
    QCOMPARE(training.value("schedule").toString(), QString("warmuplinear"));
    QCOMPARE(training.value("no_duplicates").toBool(), true);
    QCOMPARE(training.value("dropout").toBool(), true);
    // The data file is recorded with its hash, so a run can be reproduced.
    const QJsonArray files = config.value("data").toArray();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files[0].toObject().value("sha256").toString().size(), 64);

    // 40 pairs, 80/20 split: 32 train pairs = one batch of 32 per epoch, 8 epochs.
    const QJsonObject summary = readJsonObject(run + "/summary.json");
    QCOMPARE(summary.value("status").toString(), QString("finished"));
    QCOMPARE(summary.value("pairs").toInt(), 32);
    QCOMPARE(summary.value("eval_pairs").toInt(), 8);
    QCOMPARE(summary.value("steps").toInt(), 8);
    QVERIFY(QFileInfo::exists(run + "/model/modules.json"));
    QVERIFY(QString::fromUtf8(r.out).contains("finished after 8 steps"));

    // Warm-up-linear with the exact step semantics (docs/formats.md §5.2): λ(s) = s/100 for the s-th
    // optimizer step counted from 0, so the first step runs at lr 0 and step k at 2e-5·(k−1)/100.
    int steps = 0;
    for (const QJsonObject &event : readMetrics(run)) {
        if (event.value("type").toString() != "step")
            continue;
        const int step = event.value("step").toInt();
        const double expected = 2e-5 * (step - 1) / 100.0;
        QVERIFY2(std::abs(event.value("lr").toDouble() - expected) <= 1e-12,
            qPrintable(QString("step %1 lr %2").arg(step).arg(event.value("lr").toDouble())));
        QVERIFY(std::isfinite(event.value("loss").toDouble()));
        ++steps;
    }
    QCOMPARE(steps, 8);
}

// The run that summaryAndEval and exportForms share: 96 pairs, 2 epochs of batches 32, 32, 13, an
// evaluation and a checkpoint every 2 steps (and at the epoch ends: steps 3 and 6).
bool TestTrainingCli::ensureExportRun()
{
    if (!m_exportRun.isEmpty())
        return true;
    const QString data = writePairs("pairs.tsv", 96, 21);
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "2",
        "--lr", "1e-3", "--warmup-steps", "2", "--eval-every", "2", "--checkpoint-every", "2", "--threads",
        "1", "--json", "--quiet" });
    if (r.exitCode != 0 || r.crashed) {
        qWarning("%s", qPrintable(r.describe()));
        return false;
    }
    m_exportRun = run;
    m_exportRunStdout = r.out;
    return true;
}

// --json prints the contract's summary; `eval` on the exported model and the run's held-out pairs
// reproduces eval_after (the exported folder is the in-memory model).
void TestTrainingCli::summaryAndEval()
{
    QVERIFY(ensureExportRun());
    const QString run = m_exportRun;
    const QJsonObject summary = parseJsonObject(m_exportRunStdout);
    QVERIFY2(!summary.isEmpty(),
        qPrintable("stdout is not one JSON object:\n" + QString::fromUtf8(m_exportRunStdout)));
    QCOMPARE(summary, readJsonObject(run + "/summary.json"));

    for (const char *key :
        { "pairs", "steps", "train_seconds", "pairs_per_second", "first_loss", "last_loss" }) {
        QVERIFY2(summary.value(key).isDouble(), key);
        QVERIFY2(std::isfinite(summary.value(key).toDouble()), key);
    }
    QCOMPARE(summary.value("pairs").toInt(), 77); // llround(96 · 0.8)
    QCOMPARE(summary.value("steps").toInt(), 6); // batches of 32, 32, 13 per epoch
    QVERIFY(summary.value("train_seconds").toDouble() > 0);
    QVERIFY(summary.value("pairs_per_second").toDouble() > 0);
    const QJsonObject before = summary.value("eval_before").toObject();
    const QJsonObject after = summary.value("eval_after").toObject();
    for (const char *key :
        { "accuracy@1", "accuracy@10", "mrr@10", "ndcg@10", "mean_cos_pos", "mean_cos_neg" }) {
        QVERIFY2(before.value(key).isDouble(), key);
        QVERIFY2(after.value(key).isDouble(), key);
    }
    QCOMPARE(QDir(summary.value("run").toString()).canonicalPath(), QDir(run).canonicalPath());
    QCOMPARE(QDir(summary.value("model").toString()).canonicalPath(), QDir(run + "/model").canonicalPath());
    QVERIFY(QFileInfo::exists(summary.value("best_model").toString() + "/modules.json"));
    const QString card = QString::fromUtf8(readFile(run + "/model/README.md"));
    QVERIFY(card.contains("sentence-transformers"));
    QVERIFY(card.contains("mrr@10"));

    // The exported final model on RUN/eval-pairs.tsv gives the run's last evaluation.
    const CliResult ev = runCli(
        { "eval", "--model", run + "/model", "--data", run + "/eval-pairs.tsv", "--json", "--threads", "1" });
    QVERIFY2(ev.exitCode == 0, qPrintable(ev.describe()));
    const QJsonObject evaluated = parseJsonObject(ev.out);
    QCOMPARE(evaluated.value("pairs").toInt(), 19);
    const QJsonObject metrics = evaluated.value("metrics").toObject();
    const QStringList evalKeys = metrics.keys();
    const QStringList runKeys = after.keys();
    QCOMPARE(evalKeys, runKeys); // both sorted
    for (const QString &key : after.keys()) {
        QVERIFY2(std::abs(metrics.value(key).toDouble() - after.value(key).toDouble()) <= 1e-6,
            qPrintable(QString("%1: eval %2, run %3")
                           .arg(key)
                           .arg(metrics.value(key).toDouble(), 0, 'g', 10)
                           .arg(after.value(key).toDouble(), 0, 'g', 10)));
    }
}

// The same with a batch size other than eval's default: the run's eval_loss is computed over
// batches of --batch-size pairs, so `eval` must be able to reproduce it too.
void TestTrainingCli::evalMatchesRunWithSmallBatches()
{
    const QString data = writePairs("pairs.tsv", 60, 23);
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "1",
        "--batch-size", "4", "--max-steps", "3", "--threads", "1", "--json", "--quiet" });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject after = parseJsonObject(r.out).value("eval_after").toObject();
    const CliResult ev = runCli(
        { "eval", "--model", run + "/model", "--data", run + "/eval-pairs.tsv", "--json", "--threads", "1" });
    QVERIFY2(ev.exitCode == 0, qPrintable(ev.describe()));
    const QJsonObject metrics = parseJsonObject(ev.out).value("metrics").toObject();
    QCOMPARE(metrics.keys(), after.keys());
    for (const QString &key : after.keys()) {
        QVERIFY2(std::abs(metrics.value(key).toDouble() - after.value(key).toDouble()) <= 1e-6,
            qPrintable(QString("%1: eval %2, run %3")
                           .arg(key)
                           .arg(metrics.value(key).toDouble(), 0, 'g', 10)
                           .arg(after.value(key).toDouble(), 0, 'g', 10)));
    }
}

void TestTrainingCli::exportForms_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("source"); // the run's folder the export must copy; {best} = the best step
    QTest::newRow("default") << QStringList {} << "model";
    QTest::newRow("final") << QStringList { "--checkpoint", "final" } << "model";
    QTest::newRow("last") << QStringList { "--checkpoint", "last" } << "checkpoints/step-6/model";
    QTest::newRow("best") << QStringList { "--checkpoint", "best" } << "checkpoints/step-{best}/model";
    QTest::newRow("step-2") << QStringList { "--checkpoint", "step-2" } << "checkpoints/step-2/model";
}

// Every `export` form gives a folder `embed` loads, holding exactly the weights of the folder it names.
void TestTrainingCli::exportForms()
{
    QFETCH(QStringList, args);
    QFETCH(QString, source);
    QVERIFY(ensureExportRun());
    const QString run = m_exportRun;
    const QJsonObject summary = readJsonObject(run + "/summary.json");
    const std::vector<std::int64_t> steps = checkpointSteps(run);
    QVERIFY2(steps.size() >= 3, "expected checkpoints at steps 2, 3 (epoch end), 4 and 6");
    QCOMPARE(steps.back(), std::int64_t(6));
    const std::int64_t bestStep = summary.value("best_step").toInteger();
    QVERIFY(bestStep >= 1 && bestStep <= 6);
    source = run + "/" + source.replace("{best}", QString::number(bestStep));

    const QString out = freshFolder("export");
    const CliResult ex = runCli(QStringList { "export", "--run", run, "--out", out } + args);
    QVERIFY2(ex.exitCode == 0, qPrintable(ex.describe()));
    bool identical = false;
    QCOMPARE(maxWeightDifference(out + "/model.safetensors", source + "/model.safetensors", &identical), 0.0);
    QVERIFY(identical);
    QVERIFY(QFileInfo::exists(out + "/README.md"));
    QVERIFY(QFileInfo::exists(out + "/modules.json"));
    const QStringList texts = { "alpha bravo delta", "apple banana cherry", "a longer text than the others" };
    const EmbedOutput exported = embed(out, texts, m_dir.path());
    QVERIFY2(allFinite(exported.values), qPrintable(exported.cli.describe()));
    QCOMPARE(exported.rows, std::size_t(texts.size()));

    // The checkpoints line up with the run: the last one holds the final weights, best/ is the best
    // step's checkpoint, and step 2 is an earlier state (lr 1e-3 moved the weights).
    QCOMPARE(maxWeightDifference(
                 run + "/model/model.safetensors", run + "/checkpoints/step-6/model/model.safetensors"),
        0.0);
    QCOMPARE(maxWeightDifference(run + "/best/model.safetensors",
                 run + QString("/checkpoints/step-%1/model/model.safetensors").arg(bestStep)),
        0.0);
    QVERIFY(maxWeightDifference(
                run + "/model/model.safetensors", run + "/checkpoints/step-2/model/model.safetensors")
        > 1e-4);
}

// --float16 halves the weights, loads as float32 and stays close to the float32 model.
void TestTrainingCli::exportFloat16()
{
    QVERIFY(ensureExportRun());
    const QString run = m_exportRun;
    const QStringList texts = { "alpha bravo delta", "apple banana cherry", "sierra romeo papa",
        "a longer text than the others" };
    const QString half = freshFolder("export-f16");
    const CliResult ex16 = runCli({ "export", "--run", run, "--out", half, "--float16" });
    QVERIFY2(ex16.exitCode == 0, qPrintable(ex16.describe()));
    const pairtune::SafetensorsFile weights
        = pairtune::SafetensorsFile::open((half + "/model.safetensors").toStdString());
    for (const pairtune::TensorInfo &t : weights.tensors())
        QVERIFY2(t.dtype == pairtune::DType::F16, t.name.c_str());
    const qint64 fullSize = QFileInfo(run + "/model/model.safetensors").size();
    const qint64 halfSize = QFileInfo(half + "/model.safetensors").size();
    QVERIFY2(halfSize < fullSize * 0.6, qPrintable(QString("%1 vs %2 bytes").arg(halfSize).arg(fullSize)));
    QVERIFY(QFileInfo::exists(half + "/README.md"));
    const EmbedOutput finalModel = embed(run + "/model", texts, m_dir.path());
    QVERIFY2(allFinite(finalModel.values), qPrintable(finalModel.cli.describe()));
    const EmbedOutput halfEmbeddings = embed(half, texts, m_dir.path());
    QVERIFY2(allFinite(halfEmbeddings.values), qPrintable(halfEmbeddings.cli.describe()));
    const double halfDiff = maxAbsDifference(halfEmbeddings.values, finalModel.values);
    QVERIFY2(halfDiff < 1e-2 && halfDiff > 0, qPrintable(QString("float16 vs float32: %1").arg(halfDiff)));
}

// SIGTERM (QProcess::terminate) is treated like Ctrl-C: stop after the current step, keep a complete
// checkpoint, exit 130 with a hint; --resume then finishes the run.
void TestTrainingCli::interruptThenResume()
{
    const QString data = writePairs("pairs.tsv", 240, 31);
    const QString run = freshFolder("run");
    QProcess process;
    process.start(cliPath(),
        { "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "2", "--batch-size", "8",
            "--lr", "1e-3", "--warmup-steps", "2", "--checkpoint-every", "1000", "--threads", "1",
            "--quiet" });
    QVERIFY(process.waitForStarted(30000));
    const std::int64_t seen = waitForStep(process, run, 3, 240000);
    QVERIFY2(process.state() == QProcess::Running, "the run ended before it could be interrupted");
    QVERIFY(seen >= 3);
    process.terminate();
    QVERIFY(process.waitForFinished(120000));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    const QStringList lines = QString::fromUtf8(err).trimmed().split('\n');
    QVERIFY2(lines.back().startsWith("pairtune-cli: error:") && lines.back().contains("--resume"),
        qPrintable(QString::fromUtf8(err)));

    // The newest checkpoint is the step the run stopped at, and it is complete.
    const std::int64_t stopped = lastLoggedStep(run);
    QVERIFY2(stopped >= 3 && stopped < 48, qPrintable(QString("stopped at %1").arg(stopped)));
    const std::vector<std::int64_t> steps = checkpointSteps(run);
    QVERIFY(!steps.empty());
    QCOMPARE(steps.back(), stopped);
    const QString checkpoint = run + QString("/checkpoints/step-%1").arg(stopped);
    QCOMPARE(readJsonObject(checkpoint + "/trainer_state.json").value("step").toInteger(), stopped);
    QVERIFY(QFileInfo::exists(checkpoint + "/model/modules.json"));
    QVERIFY(QFileInfo::exists(checkpoint + "/model/model.safetensors"));
    QVERIFY(QFileInfo::exists(checkpoint + "/optimizer.safetensors"));
    // Nothing half-written next to the checkpoints (writes are atomic), and no final model yet.
    for (const QString &name :
        QDir(run + "/checkpoints").entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        QVERIFY2(QRegularExpression("^step-[0-9]+$").match(name).hasMatch(), qPrintable(name));
    QVERIFY(!QFileInfo::exists(run + "/model/modules.json"));
    QCOMPARE(readJsonObject(run + "/summary.json").value("status").toString(), QString("cancelled"));

    const CliResult resumed = runCli({ "train", "--resume", run, "--json", "--quiet" });
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    const QJsonObject summary = parseJsonObject(resumed.out);
    QCOMPARE(summary.value("status").toString(), QString("finished"));
    QCOMPARE(summary.value("steps").toInt(), 48); // 192 train pairs / 8 × 2 epochs
    QCOMPARE(summary.value("total_steps").toInt(), 48);
    QVERIFY(QFileInfo::exists(run + "/model/modules.json"));
    // The log holds every step exactly once.
    std::vector<std::int64_t> logged;
    for (const QJsonObject &event : readMetrics(run))
        if (event.value("type").toString() == "step")
            logged.push_back(event.value("step").toInteger());
    QCOMPARE(logged.size(), std::size_t(48));
    for (std::size_t i = 0; i < logged.size(); ++i)
        QCOMPARE(logged[i], std::int64_t(i + 1));
}

// A learning rate of 1e12 without clipping blows the weights up: the run must stop with one clear
// line naming the step and the last good checkpoint, which must exist and still be a usable model.
// Warm-up 3 makes step 1 run at lr 0 (λ(0) = 0), so step-1 still holds sane weights; step 2 applies
// lr ≈ 3e11 and the loss of step 3 is NaN. step-2 was written, but its weights are what produced the
// NaN: it is not a good state.
void TestTrainingCli::nonFiniteLoss()
{
    const QString data = writePairs("pairs.tsv", 64, 41);
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", data, "--base", m_model, "--out", run, "--lr", "1e12",
        "--warmup-steps", "3", "--max-grad-norm", "0", "--batch-size", "8", "--epochs", "3",
        "--checkpoint-every", "1", "--threads", "1", "--quiet" });
    QVERIFY2(r.exitCode != 0 && !r.crashed, qPrintable(r.describe()));
    const QStringList lines = r.errLines();
    QVERIFY2(lines.size() == 1, qPrintable(r.describe()));
    QVERIFY2(lines[0].startsWith("pairtune-cli: error:"), qPrintable(lines[0]));
    const QRegularExpressionMatch stepMatch = QRegularExpression("at step ([0-9]+)").match(lines[0]);
    QVERIFY2(stepMatch.hasMatch(), qPrintable(lines[0]));
    const int failedStep = stepMatch.captured(1).toInt();
    QVERIFY(failedStep >= 2);
    QVERIFY(lines[0].contains("NaN") || lines[0].contains("infinite"));
    const QRegularExpressionMatch pathMatch
        = QRegularExpression("(\\S*checkpoints/step-([0-9]+))").match(lines[0]);
    QVERIFY2(pathMatch.hasMatch(), qPrintable(lines[0]));
    const QString checkpoint = pathMatch.captured(1);
    QVERIFY(pathMatch.captured(2).toInt() < failedStep);
    QVERIFY2(QFileInfo::exists(checkpoint + "/trainer_state.json"), qPrintable(checkpoint));
    QVERIFY(QFileInfo::exists(checkpoint + "/optimizer.safetensors"));
    QVERIFY(!QFileInfo::exists(run + "/model/modules.json"));

    // "Last good": the checkpoint loads, and the model it holds still computes finite embeddings.
    const EmbedOutput e
        = embed(checkpoint + "/model", { "alpha bravo delta", "apple banana cherry" }, m_dir.path());
    QVERIFY2(e.cli.exitCode == 0, qPrintable(e.cli.describe()));
    QVERIFY2(allFinite(e.values),
        qPrintable(
            checkpoint + ", named as the last good state, holds weights that give non-finite embeddings"));
}

// Paths given relative to the folder training started in must still work when the run is resumed
// from somewhere else (the run folder records where its data and base model are).
void TestTrainingCli::resumeFromAnotherFolder()
{
    const QString work = freshFolder("relative");
    QDir().mkpath(work);
    QVERIFY(writeTsv(work + "/pairs.tsv", mappingPairs(48, 3)));
    QProcess process;
    process.setWorkingDirectory(work);
    process.start(cliPath(),
        { "train", "--data", "pairs.tsv", "--base", m_model, "--out", "run", "--epochs", "3", "--batch-size",
            "4", "--checkpoint-every", "1000", "--threads", "1", "--quiet" });
    QVERIFY(process.waitForStarted(30000));
    waitForStep(process, work + "/run", 2, 240000);
    QVERIFY2(process.state() == QProcess::Running, "the run ended before it could be interrupted");
    process.terminate();
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 130);

    const CliResult resumed = runCli({ "train", "--resume", work + "/run", "--quiet" }, 600000, m_dir.path());
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    QVERIFY(QFileInfo::exists(work + "/run/model/modules.json"));
}

// Several --data files are one data set (both hashed in config.json), and config.json's compute line
// describes the threads the run really used (--threads 2), so a run can be reproduced.
void TestTrainingCli::twoDataFilesAndThreadsRecorded()
{
    const QString first = writePairs("first.tsv", 20, 61);
    const QString second = writePairs("second.tsv", 20, 62);
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", first, second, "--base", m_model, "--out", run,
        "--epochs", "1", "--batch-size", "8", "--threads", "2", "--json", "--quiet" });
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject summary = parseJsonObject(r.out);
    QCOMPARE(summary.value("pairs").toInt() + summary.value("eval_pairs").toInt(), 40);
    const QJsonObject config = readJsonObject(run + "/config.json");
    const QJsonArray files = config.value("data").toArray();
    QCOMPARE(files.size(), 2);
    QVERIFY(files[0].toObject().value("sha256").toString() != files[1].toObject().value("sha256").toString());
    QCOMPARE(config.value("training").toObject().value("threads").toInt(), 2);
    const QString compute = config.value("compute").toString();
    QVERIFY2(compute.contains("2 intra-op thread"), qPrintable(compute));
}

// --bf16 (autocast) where the CPU has native bf16: the same run as float32 to within bf16's rounding,
// but not bit for bit (autocast really ran); where it has not: refused before anything is written.
void TestTrainingCli::bf16TracksFloat32()
{
    const QSet<QString> flags = cpuFlags();
    QVERIFY(!flags.isEmpty());
    const bool nativeBf16 = flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    const QString data = writePairs("bf16.tsv", 48, 71);
    std::vector<std::vector<double>> losses;
    for (const bool bf16 : { false, true }) {
        const QString run = freshFolder("run");
        QStringList args { "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "2",
            "--batch-size", "8", "--lr", "1e-3", "--warmup-steps", "0", "--no-dropout", "--quiet" };
        args << (bf16 ? "--bf16" : "--fp32"); // on a native-bf16 CPU the default is bf16 too
        const CliResult r = runCli(args);
        if (bf16 && !nativeBf16) {
            QVERIFY2(r.exitCode != 0 && r.err.contains("--bf16"), qPrintable(r.describe()));
            QVERIFY(!QFileInfo::exists(run + "/config.json"));
            QSKIP("this CPU has no native bf16: --bf16 is refused, as it should be");
        }
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(
            readJsonObject(run + "/config.json").value("training").toObject().value("bf16").toBool(), bf16);
        std::vector<double> runLosses;
        for (const QJsonObject &event : readMetrics(run))
            if (event.value("type").toString() == "step")
                runLosses.push_back(event.value("loss").toDouble());
        losses.push_back(runLosses);
    }
    QCOMPARE(losses[1].size(), losses[0].size());
    QVERIFY(losses[0].size() >= 8);
    double largest = 0.0;
    for (std::size_t i = 0; i < losses[0].size(); ++i)
        largest = std::max(largest, std::abs(losses[1][i] - losses[0][i]) / losses[0][i]);
    QVERIFY2(
        largest < 0.03, qPrintable(QString("bf16 loss differs from float32 by %1 (relative)").arg(largest)));
    QVERIFY2(largest > 0.0, "bf16 losses equal float32's bit for bit: autocast did not run");
    QVERIFY2(losses[1].back() < losses[1].front(), "the bf16 run did not learn");
}

QTEST_GUILESS_MAIN(TestTrainingCli)
#include "tst_trainingcli.moc"
