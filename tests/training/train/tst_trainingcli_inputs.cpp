// `pairtune-cli train` (and the commands around a run) on bad and odd input: a table of malformed
// files and settings, each of which must end in one clear located error line; a start that failed
// must not block a retry; and a table of odd but valid files that must train. Data generated here.

#include "trainingclihelpers.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace traintest;

class TestTrainingCliInputs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void malformed_data();
    void malformed();
    void failedStartCanBeRetried();
    void oddButValid_data();
    void oddButValid();

private:
    QString freshFolder(const QString &prefix) { return traintest::freshFolder(m_dir, prefix, m_counter); }
    QString writeData(const QString &name, const QByteArray &bytes)
    {
        const QString folder = freshFolder("data");
        QDir().mkpath(folder);
        writeFile(folder + "/" + name, bytes);
        return folder + "/" + name;
    }

    QTemporaryDir m_dir;
    QString m_model; // hidden 32, max_seq_length 24
    QString m_finishedRun; // a short finished run, for "existing run" and export errors
    int m_counter = 0;
};

void TestTrainingCliInputs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath()));
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0 && !created.crashed, qPrintable(created.describe()));

    m_finishedRun = m_dir.filePath("finished-run");
    const QString data = traintest::writePairs(freshFolder("data"), "pairs.tsv", 24, 5);
    const CliResult run = runCli({ "train", "--data", data, "--base", m_model, "--out", m_finishedRun,
        "--epochs", "1", "--batch-size", "8", "--quiet", "--threads", "1" });
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
}

void TestTrainingCliInputs::malformed_data()
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
void TestTrainingCliInputs::malformed()
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
void TestTrainingCliInputs::failedStartCanBeRetried()
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

void TestTrainingCliInputs::oddButValid_data()
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
    QByteArray leadingQuotes = "anchor,positive\n";
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
        // Texts that start with a quote: written back raw into eval-pairs.tsv, they must read back as is.
        leadingQuotes += "\"\"\"" + a + ",\"\" she said\",\"" + p + " \"\"quoted\"\"\"\n";
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
    QTest::newRow("CSV texts starting with quotes")
        << "leading.csv" << leadingQuotes << QStringList {} << 12 << QByteArrayList {};
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

void TestTrainingCliInputs::oddButValid()
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
    // The model card names the loss by its sentence-transformers class, in the "loss:<class>" tag that
    // sentence-transformers' own cards carry, and describes only the knobs that loss used: the cosine
    // loss always compares by cosine and has no scale.
    const QByteArray card = readFile(run + "/model/README.md");
    const QByteArray lossClass
        = extraArgs.contains("cosine") ? "CosineSimilarityLoss" : "MultipleNegativesRankingLoss";
    QVERIFY2(card.contains("\n- loss:" + lossClass + "\n"), card.constData());
    QVERIFY2(card.contains("- Loss: " + lossClass
                 + (extraArgs.contains("cosine") ? " (similarity cos)\n" : " (similarity dot, scale 1)\n")),
        card.constData());

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
    if (fileName == "neg.tsv")
        QVERIFY2(evalPairs.startsWith("anchor\tpositive\tnegative_1\n"), qPrintable(evalPairs.left(80)));
    if (fileName == "quoted.csv")
        QVERIFY2(
            evalPairs.contains("said \"they\"") && evalPairs.contains(" second line"), qPrintable(evalPairs));

    // RUN/eval-pairs.tsv is there to be read back (`eval`, the GUI's before/after search), whatever
    // the texts hold.
    const CliResult ev = runCli(
        { "eval", "--model", run + "/model", "--data", run + "/eval-pairs.tsv", "--json", "--threads", "1" });
    QVERIFY2(ev.exitCode == 0, qPrintable(ev.describe()));
    QCOMPARE(parseJsonObject(ev.out).value("pairs").toInt(), records - summary.value("pairs").toInt());
    // The texts survive the trip through eval-pairs.tsv: the exported model on them gives the run's
    // last evaluation.
    const QJsonObject metrics = parseJsonObject(ev.out).value("metrics").toObject();
    const QJsonObject after = summary.value("eval_after").toObject();
    QCOMPARE(metrics.keys(), after.keys());
    for (const QString &key : after.keys()) {
        // eval_loss differs by design where eval cannot know what the run used: another loss (cosine
        // row). Hard negatives travel in eval-pairs.tsv, so the neg.tsv row must match too.
        if (key == "eval_loss" && extraArgs.contains("cosine"))
            continue;
        QVERIFY2(std::abs(metrics.value(key).toDouble() - after.value(key).toDouble()) <= 1e-6,
            qPrintable(QString("%1: eval %2, run %3")
                           .arg(key)
                           .arg(metrics.value(key).toDouble(), 0, 'g', 10)
                           .arg(after.value(key).toDouble(), 0, 'g', 10)));
    }
}

QTEST_GUILESS_MAIN(TestTrainingCliInputs)
#include "tst_trainingcli_inputs.moc"
