// `pairtune-cli train` end to end through the real executable: the recipe's defaults, the --json
// summary, evaluation and export of the run's models, cancel (SIGTERM) and resume, a diverging run,
// a table of malformed inputs and a table of odd but valid files. Every case uses a tiny model made
// by `pairtune-cli create` and pair data generated here with fixed seeds. The long cases (learning,
// kill -9 and resume) live in tst_trainingcli_slow.

#include "trainingclihelpers.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

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
    void malformed_data();
    void malformed();
    void failedStartCanBeRetried();
    void oddButValid_data();
    void oddButValid();
    void resumeFromAnotherFolder();
    void twoDataFilesAndThreadsRecorded();

private:
    bool ensureExportRun();
    QString scratch(const QString &name) const { return m_dir.filePath(name); }
    QString freshFolder(const QString &prefix)
    {
        return m_dir.filePath(QString("%1-%2").arg(prefix).arg(m_counter++));
    }
    QString writeData(const QString &name, const QByteArray &bytes)
    {
        const QString folder = freshFolder("data");
        QDir().mkpath(folder);
        const QString path = folder + "/" + name;
        writeFile(path, bytes);
        return path;
    }
    QString writePairs(const QString &name, int count, std::uint32_t seed)
    {
        const QString folder = freshFolder("data");
        QDir().mkpath(folder);
        const QString path = folder + "/" + name;
        writeTsv(path, mappingPairs(count, seed));
        return path;
    }

    QTemporaryDir m_dir;
    QString m_model; // hidden 32, max_seq_length 24
    QString m_finishedRun; // a short finished run, for "existing run" and export errors
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

    m_finishedRun = scratch("finished-run");
    const QString data = writePairs("pairs.tsv", 24, 5);
    const CliResult run = runCli({ "train", "--data", data, "--base", m_model, "--out", m_finishedRun,
        "--epochs", "1", "--batch-size", "8", "--quiet", "--threads", "1" });
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
}

// No recipe flag at all: the run must use the documented defaults (issue 3 acceptance, ARCHITECTURE.md).
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

    // Warm-up-linear with the exact step semantics (format-spec §5.2): λ(s) = s/100 for the s-th
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

void TestTrainingCli::malformed_data()
{
    // args use {data} (the file written from `content`), {model}, {out} (a new folder), {run} (a
    // finished run), {folder} (an empty folder) and {notmodel} (a folder with a stray file).
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("mentions"); // {data} etc. are replaced too

    const QStringList train
        = { "train", "--data", "{data}", "--base", "{model}", "--out", "{out}", "--quiet" };
    const QByteArray good = "anchor\tpositive\nalpha\tapple\nbravo\tbanana\ncharlie\tcherry\ndelta\tdate\n";
    const QByteArray pair = R"({"anchor": "a", "positive": "b"})"
                            "\n";
    const QByteArray nul(1, '\0');

    QTest::newRow("empty file") << "empty.tsv" << QByteArray() << train << QStringList { "{data}", "empty" };
    QTest::newRow("header only") << "header.tsv" << QByteArray("anchor\tpositive\n") << train
                                 << QStringList { "{data}:1" };
    QTest::newRow("one column") << "one.tsv" << QByteArray("first text\nsecond text\nthird text\n") << train
                                << QStringList { "{data}:1" };
    QTest::newRow("unterminated quote")
        << "open.csv" << QByteArray("a,b\nc,\"d e\nf,g\n") << train << QStringList { "{data}:2:3", "quote" };
    QTest::newRow("stray quote") << "stray.csv" << QByteArray("a,b\nsay \"hi\",x\nc,d\n") << train
                                 << QStringList { "{data}:2:5" };
    QTest::newRow("invalid UTF-8") << "bad8.tsv" << QByteArray("a\tb\nc\xC0\x80\td\n") << train
                                   << QStringList { "{data}:2:2", "UTF-8" };
    QTest::newRow("Latin-1 text") << "latin1.tsv" << QByteArray("caf\xE9 au lait\tcoffee\ntea\tthe\n")
                                  << train << QStringList { "{data}:1:4" };
    QTest::newRow("truncated JSONL") << "cut.jsonl" << pair + R"({"anchor": "c", "pos)" << train
                                     << QStringList { "{data}:2:1" };
    QTest::newRow("unknown JSON keys") << "keys.jsonl" << QByteArray("{\"foo\": \"a\", \"bar\": \"b\"}\n")
                                       << train << QStringList { "{data}:1", "foo" };
    QTest::newRow("JSON syntax error")
        << "bad.json"
        << QByteArray("[{\"anchor\": \"a\", \"positive\": \"b\"},\n {\"anchor\": \"c\" "
                      "\"positive\": \"d\"}]")
        << train << QStringList { "{data}:2:" };
    QTest::newRow("NUL byte") << "nul.tsv" << QByteArray("a\tb\nc") + nul + QByteArray("d\te\n") << train
                              << QStringList { "{data}:2:2", "NUL" };
    QTest::newRow("1 MB line") << "long.tsv"
                               << QByteArray("a\tb\n") + QByteArray((1 << 20) + 1, 'x') + "\tb\nc\td\n"
                               << train << QStringList { "{data}:2:1" };
    QTest::newRow("non-numeric score")
        << "score.tsv" << QByteArray("sentence1\tsentence2\tscore\na\tb\t0.5\nc\td\thigh\n") << train
        << QStringList { "{data}:3:5", "high" };
    QTest::newRow("only one pair") << "single.tsv" << QByteArray("anchor\tpositive\nalpha\tapple\n") << train
                                   << QStringList { "{data}" };
    QTest::newRow("missing data file")
        << "" << QByteArray()
        << QStringList { "train", "--data", "{folder}/missing.tsv", "--base", "{model}", "--out", "{out}" }
        << QStringList { "{folder}/missing.tsv" };
    QTest::newRow("data path is a folder")
        << "" << QByteArray()
        << QStringList { "train", "--data", "{folder}", "--base", "{model}", "--out", "{out}" }
        << QStringList { "{folder}" };
    QTest::newRow("missing base folder")
        << "ok.tsv" << good
        << QStringList { "train", "--data", "{data}", "--base", "{folder}/nothing", "--out", "{out}" }
        << QStringList { "{folder}/nothing" };
    QTest::newRow("base folder is not a model")
        << "ok.tsv" << good
        << QStringList { "train", "--data", "{data}", "--base", "{notmodel}", "--out", "{out}" }
        << QStringList { "{notmodel}" };
    QTest::newRow("no --base") << "ok.tsv" << good
                               << QStringList { "train", "--data", "{data}", "--out", "{out}" }
                               << QStringList { "--base" };
    QTest::newRow("batch size 1 with mnrl") << "ok.tsv" << good << train + QStringList { "--batch-size", "1" }
                                            << QStringList { "batch size", "mnrl" };
    QTest::newRow("train fraction 1.5")
        << "ok.tsv" << good << train + QStringList { "--train-fraction", "1.5" }
        << QStringList { "fraction" };
    QTest::newRow("train fraction 0")
        << "ok.tsv" << good << train + QStringList { "--train-fraction", "0" } << QStringList { "fraction" };
    QTest::newRow("negative lr") << "ok.tsv" << good << train + QStringList { "--lr", "-1" }
                                 << QStringList { "learning rate" };
    QTest::newRow("unknown loss") << "ok.tsv" << good << train + QStringList { "--loss", "triplet" }
                                  << QStringList { "triplet" };
    QTest::newRow("unknown similarity")
        << "ok.tsv" << good << train + QStringList { "--similarity", "euclid" } << QStringList { "euclid" };
    QTest::newRow("zero epochs") << "ok.tsv" << good << train + QStringList { "--epochs", "0" }
                                 << QStringList { "epochs" };
    QTest::newRow("misspelt flag") << "ok.tsv" << good << train + QStringList { "--epoch", "3" }
                                   << QStringList { "--epoch" };
    QTest::newRow("unknown best metric")
        << "ok.tsv" << good << train + QStringList { "--best-metric", "bleu" } << QStringList { "bleu" };
    QTest::newRow("file scores required but absent")
        << "ok.tsv" << good << train + QStringList { "--file-scores", "require" }
        << QStringList { "{data}", "score" };
    // The device exists in name only: a CPU-only LibTorch has no CUDA, and no machine has a 98th GPU.
    QTest::newRow("unavailable CUDA device")
        << "ok.tsv" << good << train + QStringList { "--device", "cuda:97" } << QStringList { "cuda" };
    QTest::newRow("existing run folder")
        << "ok.tsv" << good
        << QStringList { "train", "--data", "{data}", "--base", "{model}", "--out", "{run}" }
        << QStringList { "{run}" };
    QTest::newRow("resume a folder that is no run")
        << "" << QByteArray() << QStringList { "train", "--resume", "{folder}" }
        << QStringList { "{folder}" };
    QTest::newRow("export to an existing folder")
        << "" << QByteArray() << QStringList { "export", "--run", "{run}", "--out", "{folder}" }
        << QStringList { "{folder}" };
    QTest::newRow("export a missing checkpoint")
        << "" << QByteArray()
        << QStringList { "export", "--run", "{run}", "--checkpoint", "step-999", "--out", "{out}" }
        << QStringList { "step-999" };
    QTest::newRow("export from a folder that is no run")
        << "" << QByteArray() << QStringList { "export", "--run", "{folder}", "--out", "{out}" }
        << QStringList { "{folder}" };
    QTest::newRow("eval on a malformed file")
        << "bad8.tsv" << QByteArray("a\tb\nc\xC0\x80\td\n")
        << QStringList { "eval", "--model", "{model}", "--data", "{data}" } << QStringList { "{data}:2:2" };
}

// Every row: a non-zero exit (no crash) and exactly one line on stderr, "pairtune-cli: error: ...",
// that names the file (with line:column where the data has them) or the setting at fault.
void TestTrainingCli::malformed()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, args);
    QFETCH(QStringList, mentions);

    const QString folder = freshFolder("case");
    QDir().mkpath(folder + "/empty");
    QDir().mkpath(folder + "/notmodel");
    writeFile(folder + "/notmodel/notes.txt", "not a model\n");
    const QString data = folder + "/" + fileName;
    if (!fileName.isEmpty())
        QVERIFY(writeFile(data, content));
    const auto substitute = [&](QString text) {
        return text.replace("{data}", data)
            .replace("{model}", m_model)
            .replace("{out}", folder + "/run")
            .replace("{run}", m_finishedRun)
            .replace("{folder}", folder + "/empty")
            .replace("{notmodel}", folder + "/notmodel");
    };
    QStringList commandLine;
    for (const QString &a : args)
        commandLine << substitute(a);

    const CliResult r = runCli(commandLine, 120000);
    QVERIFY2(!r.crashed, qPrintable(r.describe()));
    QVERIFY2(r.exitCode != 0, qPrintable(r.describe()));
    const QStringList lines = r.errLines();
    QVERIFY2(lines.size() == 1, qPrintable(QString("expected one line on stderr:\n") + r.describe()));
    QVERIFY2(lines[0].startsWith("pairtune-cli: error: "), qPrintable(lines[0]));
    for (const QString &mention : mentions)
        QVERIFY2(lines[0].contains(substitute(mention)),
            qPrintable(QString("\"%1\" does not mention \"%2\"").arg(lines[0], substitute(mention))));
    QVERIFY2(!QFileInfo::exists(folder + "/run/model/modules.json"), "a failed run exported a model");
}

// A run that fails before its first step (bad data) must not block the same command once the data is
// fixed: the half-made run folder must not count as "already holds a training run".
void TestTrainingCli::failedStartCanBeRetried()
{
    const QString folder = freshFolder("retry");
    QDir().mkpath(folder);
    const QString data = folder + "/pairs.tsv";
    const QString run = folder + "/run";
    const QStringList command = { "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "1",
        "--batch-size", "8", "--quiet", "--threads", "1" };
    QVERIFY(writeFile(data, "a\tb\nc\xC0\x80\td\n"));
    const CliResult failed = runCli(command);
    QVERIFY2(failed.exitCode != 0, qPrintable(failed.describe()));
    QVERIFY(writeTsv(data, mappingPairs(24, 9)));
    const CliResult retried = runCli(command);
    QVERIFY2(retried.exitCode == 0, qPrintable(retried.describe()));
    QVERIFY(QFileInfo::exists(run + "/model/modules.json"));
}

void TestTrainingCli::oddButValid_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("extraArgs");
    QTest::addColumn<int>("records");
    QTest::addColumn<QByteArrayList>("evalPairsMustNotContain"); // raw bytes

    const std::vector<Pair> pairs = mappingPairs(12, 77);
    QByteArray bomCrlf = "\xEF\xBB\xBF"
                         "anchor\tpositive\r\n";
    QByteArray noHeader;
    QByteArray quotedCsv = "anchor,positive\r\n";
    QByteArray semicolon = "query;answer\n";
    QByteArray jsonl;
    QByteArray jsonArray = "[\n";
    QByteArray negatives = "anchor\tpositive\tnegative\n";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const QByteArray a = pairs[i].anchor.toUtf8();
        const QByteArray p = pairs[i].positive.toUtf8();
        bomCrlf += a + "\t" + p + "\r\n";
        noHeader += a + "\t" + p + "\n";
        // Quoted fields holding the delimiter, doubled quotes and a line break.
        quotedCsv += "\"" + a + ", said \"\"they\"\"\",\"" + p + "\nsecond line\"\r\n";
        semicolon += a + ";\"" + p + "; with a semicolon\"\n";
        jsonl += "{\"sentence1\": \"" + a + "\", \"sentence2\": \"" + p
            + "\", \"score\": " + QByteArray::number(0.1 + 0.07 * static_cast<double>(i)) + "}\n";
        jsonArray += QByteArray(i ? ",\n" : "") + "{\"query\": \"" + a + "\", \"answer\": \"" + p + "\"}";
        negatives += a + "\t" + p + "\t" + pairs[(i + 5) % pairs.size()].positive.toUtf8() + "\n";
    }
    jsonArray += "\n]\n";
    // Very long texts: 3000 words each, cut by --max-seq-length.
    QByteArray longTexts = "anchor\tpositive\n";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        QByteArray text;
        for (int w = 0; w < 1000; ++w)
            text += pairs[i].anchor.toUtf8() + " ";
        longTexts += text + "\t" + pairs[i].positive.toUtf8() + "\n";
    }

    QTest::newRow("BOM + CRLF TSV") << "bom.tsv" << bomCrlf << QStringList {} << 12
                                    << QByteArrayList { "\r", "\xEF\xBB\xBF" };
    QTest::newRow("TSV without header")
        << "plain.tsv" << noHeader << QStringList {} << 12 << QByteArrayList {};
    QTest::newRow("quoted CSV with delimiters and newlines")
        << "quoted.csv" << quotedCsv << QStringList {} << 12 << QByteArrayList { "\"\"", "\r" };
    QTest::newRow("semicolon CSV query/answer")
        << "semi.csv" << semicolon << QStringList {} << 12 << QByteArrayList {};
    QTest::newRow("JSONL sentence1/sentence2/score, cosine loss")
        << "scores.jsonl" << jsonl << QStringList { "--loss", "cosine", "--similarity", "cos" } << 12
        << QByteArrayList {};
    QTest::newRow("JSON array query/answer")
        << "rows.json" << jsonArray << QStringList {} << 12 << QByteArrayList {};
    QTest::newRow("extra column as hard negative")
        << "neg.tsv" << negatives << QStringList {} << 12 << QByteArrayList {};
    QTest::newRow("very long texts cut by max_seq_length")
        << "long.tsv" << longTexts << QStringList { "--max-seq-length", "16" } << 12 << QByteArrayList {};
}

void TestTrainingCli::oddButValid()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, extraArgs);
    QFETCH(int, records);
    QFETCH(QByteArrayList, evalPairsMustNotContain);

    const QString data = writeData(fileName, content);
    const QString run = freshFolder("run");
    const CliResult r
        = runCli(QStringList { "train", "--data", data, "--base", m_model, "--out", run, "--epochs", "1",
                     "--batch-size", "4", "--train-fraction", "0.75", "--threads", "1", "--json", "--quiet" }
            + extraArgs);
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.describe()));
    const QJsonObject summary = parseJsonObject(r.out);
    QCOMPARE(summary.value("pairs").toInt() + summary.value("eval_pairs").toInt(), records);
    QVERIFY(std::isfinite(summary.value("last_loss").toDouble()));
    QVERIFY(QFileInfo::exists(run + "/model/modules.json"));

    const QString evalPairs = QString::fromUtf8(readFile(run + "/eval-pairs.tsv"));
    QCOMPARE(
        evalPairs.count('\n'), records - summary.value("pairs").toInt() + 1); // header + one line per pair
    const QByteArray evalPairsBytes = readFile(run + "/eval-pairs.tsv");
    for (const QByteArray &bad : evalPairsMustNotContain)
        QVERIFY2(!evalPairsBytes.contains(bad),
            qPrintable(
                QString("eval-pairs.tsv contains the bytes %1").arg(QString::fromLatin1(bad.toHex()))));

    if (fileName == "scores.jsonl") {
        // Real scores: the similarity metrics against them are reported.
        QVERIFY(summary.value("eval_after").toObject().contains("spearman"));
        QVERIFY(evalPairs.startsWith("anchor\tpositive\tscore\n"));
    } else {
        QVERIFY(!summary.value("eval_after").toObject().contains("spearman"));
    }
    if (fileName == "long.tsv") {
        // The exported model keeps the length it was trained with.
        QCOMPARE(
            readJsonObject(run + "/model/sentence_bert_config.json").value("max_seq_length").toInt(), 16);
    }
    if (fileName == "quoted.csv")
        QVERIFY2(
            evalPairs.contains("said \"they\"") && evalPairs.contains(" second line"), qPrintable(evalPairs));

    // RUN/eval-pairs.tsv is there to be read back (`eval`, the GUI's before/after search), whatever
    // the texts hold.
    const CliResult ev = runCli(
        { "eval", "--model", run + "/model", "--data", run + "/eval-pairs.tsv", "--json", "--threads", "1" });
    QVERIFY2(ev.exitCode == 0, qPrintable(ev.describe()));
    QCOMPARE(parseJsonObject(ev.out).value("pairs").toInt(), records - summary.value("pairs").toInt());
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

QTEST_GUILESS_MAIN(TestTrainingCli)
#include "tst_trainingcli.moc"
