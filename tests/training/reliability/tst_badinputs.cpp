// Bad input at every CLI entry point (issue 7, docs/reliability.md), as tables: a damaged model folder
// (lying or cut safetensors headers, NaN weights, shapes that disagree with config.json, missing or
// corrupt config.json / modules.json / vocab.txt / tokenizer.json) given to every command that loads a
// model, and flags out of range for every command. Each must end with exit code 1 or 2 (never a crash,
// never 3 = internal error) and one line "pairtune-cli: error: ..." that names the file (or the flag)
// and the problem. Pair-file errors are in tst_trainingcli_inputs and tst_pairimportmalformed; library
// level model errors in tst_modelerrors.

#include "reliabilityhelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>
#include <limits>

using namespace reliabilitytest;

namespace {

using Breaker = std::function<void(const QString &folder)>;

// Rewrites model.safetensors' JSON header through `edit`, keeping the data bytes.
void editHeader(const QString &folder, const std::function<void(QJsonObject &)> &edit)
{
    const QByteArray bytes = readFile(folder + "/model.safetensors");
    quint64 length = 0;
    std::memcpy(&length, bytes.constData(), 8);
    QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(length))).object();
    edit(header);
    const QByteArray text = QJsonDocument(header).toJson(QJsonDocument::Compact);
    const quint64 newLength = static_cast<quint64>(text.size());
    QByteArray out(reinterpret_cast<const char *>(&newLength), 8);
    writeFile(folder + "/model.safetensors", out + text + bytes.mid(8 + static_cast<int>(length)));
}

// The name of the largest tensor (the word embeddings) in the header.
QString largestTensor(const QJsonObject &header)
{
    QString best;
    qint64 size = -1;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            continue;
        const QJsonArray offsets = it.value().toObject().value("data_offsets").toArray();
        const qint64 n = offsets.at(1).toInteger() - offsets.at(0).toInteger();
        if (n > size) {
            size = n;
            best = it.key();
        }
    }
    return best;
}

void truncateFile(const QString &path, qint64 size)
{
    QFile file(path);
    file.resize(size);
}

void replaceText(const QString &path, const QString &from, const QString &to)
{
    writeFile(path, QString::fromUtf8(readFile(path)).replace(from, to).toUtf8());
}

} // namespace

Q_DECLARE_METATYPE(Breaker)

class TestBadInputs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void damagedModel_data();
    void damagedModel();
    void flagOutOfRange_data();
    void flagOutOfRange();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
    QString m_texts;
    QString m_run;
    int m_counter = 0;
};

void TestBadInputs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    m_data = m_dir.filePath("pairs.tsv");
    QVERIFY(writeTsv(m_data, mappingPairs(40, 5)));
    m_texts = m_dir.filePath("texts.txt");
    QVERIFY(writeFile(m_texts, "alpha bravo\ncharlie delta\n"));
    m_run = m_dir.filePath("run");
    const CliResult run = runCli({ "train", "--data", m_data, "--base", m_model, "--out", m_run, "--epochs",
        "1", "--batch-size", "8", "--threads", "1", "--quiet" });
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
}

void TestBadInputs::damagedModel_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<Breaker>("breaker");
    QTest::addColumn<QString>("file"); // the file the message must name (relative to the model)
    QTest::addColumn<QString>("problem"); // and a word of the problem

    struct Damage
    {
        const char *name;
        Breaker breaker;
        const char *file;
        const char *problem;
        bool tokenizerOnly; // also given to tokenize / inspect, which read only the tokenizer
    };
    const QString st = "/model.safetensors";
    const std::vector<Damage> damages = {
        { "safetensors cut in its data",
            [st](const QString &f) { truncateFile(f + st, QFileInfo(f + st).size() / 2); },
            "model.safetensors", "", false },
        { "safetensors cut in its header", [st](const QString &f) { truncateFile(f + st, 20); },
            "model.safetensors", "", false },
        { "safetensors header length beyond the file",
            [st](const QString &f) {
                QByteArray bytes = readFile(f + st);
                const quint64 huge = quint64(1) << 40;
                bytes.replace(0, 8, QByteArray(reinterpret_cast<const char *>(&huge), 8));
                writeFile(f + st, bytes);
            },
            "model.safetensors", "", false },
        { "safetensors offsets beyond the file",
            [](const QString &f) {
                editHeader(f, [](QJsonObject &h) {
                    const QString name = largestTensor(h);
                    QJsonObject t = h.value(name).toObject();
                    const qint64 end = t.value("data_offsets").toArray().at(1).toInteger();
                    t["data_offsets"] = QJsonArray { end, end * 4 };
                    h[name] = t;
                });
            },
            "model.safetensors", "", false },
        { "safetensors dtype lies (F64 over F32 data)",
            [](const QString &f) {
                editHeader(f, [](QJsonObject &h) {
                    const QString name = largestTensor(h);
                    QJsonObject t = h.value(name).toObject();
                    t["dtype"] = "F64";
                    h[name] = t;
                });
            },
            "model.safetensors", "", false },
        { "safetensors shape lies",
            [](const QString &f) {
                editHeader(f, [](QJsonObject &h) {
                    const QString name = largestTensor(h);
                    QJsonObject t = h.value(name).toObject();
                    t["shape"] = QJsonArray { 7, 3 };
                    h[name] = t;
                });
            },
            "model.safetensors", "", false },
        { "safetensors header not JSON",
            [st](const QString &f) {
                QByteArray bytes = readFile(f + st);
                bytes[8] = 'x';
                writeFile(f + st, bytes);
            },
            "model.safetensors", "", false },
        { "NaN weights",
            [st](const QString &f) {
                QByteArray bytes = readFile(f + st);
                quint64 length = 0;
                std::memcpy(&length, bytes.constData(), 8);
                const float nan = std::numeric_limits<float>::quiet_NaN();
                for (int i = 0; i < 64; ++i) // the first tensor's first values
                    std::memcpy(bytes.data() + 8 + length + 4 * i, &nan, 4);
                writeFile(f + st, bytes);
            },
            "model.safetensors", "NaN", false },
        { "intermediate_size disagrees with the weights",
            [](const QString &f) {
                replaceText(f + "/config.json", "\"intermediate_size\": 64", "\"intermediate_size\": 96");
            },
            "model.safetensors", "shape", false },
        { "config.json missing", [](const QString &f) { QFile::remove(f + "/config.json"); }, "config.json",
            "", false },
        { "config.json cut short", [](const QString &f) { truncateFile(f + "/config.json", 40); },
            "config.json", "", false },
        { "modules.json cut short", [](const QString &f) { truncateFile(f + "/modules.json", 30); },
            "modules.json", "", false },
        { "1_Pooling/config.json not JSON",
            [](const QString &f) { writeFile(f + "/1_Pooling/config.json", "{pool"); },
            "1_Pooling/config.json", "", false },
        { "tokenizer.json cut short",
            [](const QString &f) {
                truncateFile(f + "/tokenizer.json", QFileInfo(f + "/tokenizer.json").size() / 2);
            },
            "tokenizer.json", "", true },
        { "tokenizer.json and vocab.txt missing",
            [](const QString &f) {
                QFile::remove(f + "/tokenizer.json");
                QFile::remove(f + "/vocab.txt");
            },
            "", "", true },
        { "vocab.txt empty, no tokenizer.json",
            [](const QString &f) {
                QFile::remove(f + "/tokenizer.json");
                writeFile(f + "/vocab.txt", "");
            },
            "vocab.txt", "", true },
        { "vocab.txt without [UNK], no tokenizer.json",
            [](const QString &f) {
                QFile::remove(f + "/tokenizer.json");
                replaceText(f + "/vocab.txt", "[UNK]\n", "[UNKNOWN]\n");
            },
            "vocab.txt", "", true },
    };
    // Every damage through `embed`; a sample of them also through `eval` and `train --base` (the same
    // loader, so every row there would mostly add run time); tokenizer damages also through the
    // commands that read only the tokenizer.
    const QStringList alsoEvalAndTrain
        = { "safetensors cut in its data", "safetensors offsets beyond the file", "NaN weights",
              "config.json missing", "modules.json cut short", "tokenizer.json cut short" };
    for (const Damage &d : damages) {
        QStringList commands = { "embed" };
        if (alsoEvalAndTrain.contains(d.name))
            commands += { "eval", "train" };
        if (d.tokenizerOnly)
            commands += { "tokenize", "inspect" };
        for (const QString &command : commands)
            QTest::addRow("%s: %s", qPrintable(command), d.name)
                << command << d.breaker << QString(d.file) << QString(d.problem);
    }
}

void TestBadInputs::damagedModel()
{
    QFETCH(QString, command);
    QFETCH(Breaker, breaker);
    QFETCH(QString, file);
    QFETCH(QString, problem);

    const QString model = m_dir.filePath(QString("damaged-%1").arg(m_counter++));
    QVERIFY(runTool("cp", { "-r", m_model, model }));
    breaker(model);
    const QString out = m_dir.filePath(QString("out-%1").arg(m_counter));
    QStringList args;
    if (command == "embed")
        args = { "embed", "--model", model, "--input", m_texts, "--output", out + ".npy" };
    else if (command == "eval")
        args = { "eval", "--model", model, "--data", m_data };
    else if (command == "train")
        args = { "train", "--data", m_data, "--base", model, "--out", out, "--epochs", "1", "--quiet" };
    else if (command == "tokenize")
        args = { "tokenize", "--model", model, "--input", m_texts };
    else
        args = { "inspect", "--data", m_data, "--model", model };

    const CliResult r = runCli(args, 120000);
    QVERIFY2(!r.crashed, qPrintable(r.describe()));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    // One error line, last; before it at most warnings about the same folder (e.g. a special token
    // missing from vocab.txt is first a warning, then the reason the tokenizer cannot work).
    QStringList lines = r.errLines();
    QVERIFY2(!lines.isEmpty(), qPrintable(r.describe()));
    const QString error = lines.takeLast();
    for (const QString &warning : lines)
        QVERIFY2(warning.startsWith("warning: " + model), qPrintable("unexpected line:\n" + r.describe()));
    QVERIFY2(error.startsWith("pairtune-cli: error: "), qPrintable(error));
    QVERIFY2(error.contains(model), qPrintable(error + "\ndoes not name the model folder " + model));
    QVERIFY2(error.contains(file), qPrintable(error + "\ndoes not name " + file));
    QVERIFY2(error.contains(problem), qPrintable(error + "\ndoes not say " + problem));
    // (a failed `train` may leave its empty run folder: the same command can be retried)
    QVERIFY2(!QFileInfo::exists(out + "/config.json") && !QFileInfo::exists(out + ".npy"),
        "an output was written");
}

void TestBadInputs::flagOutOfRange_data()
{
    // {model}, {data}, {texts}, {run}, {out} (a new folder) are substituted.
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mention");
    const QStringList train
        = { "train", "--data", "{data}", "--base", "{model}", "--out", "{out}", "--quiet" };
    const auto trainWith = [&](const char *name, QStringList extra, const char *mention) {
        QTest::newRow(name) << train + extra << QString(mention);
    };
    trainWith("train --lr 0", { "--lr", "0" }, "learning rate");
    trainWith("train --lr nan", { "--lr", "nan" }, "learning rate");
    trainWith("train --lr inf", { "--lr", "inf" }, "learning rate");
    trainWith("train --batch-size 0", { "--batch-size", "0" }, "--batch-size");
    trainWith("train --batch-size -4", { "--batch-size", "-4" }, "--batch-size");
    trainWith("train --epochs -2", { "--epochs", "-2" }, "--epochs");
    trainWith("train --train-fraction -0.2", { "--train-fraction", "-0.2" }, "training fraction");
    trainWith("train --train-fraction nan", { "--train-fraction", "nan" }, "training fraction");
    trainWith("train --warmup-steps -1", { "--warmup-steps", "-1" }, "--warmup-steps");
    trainWith("train --weight-decay -0.1", { "--weight-decay", "-0.1" }, "eight decay");
    trainWith("train --max-grad-norm -1", { "--max-grad-norm", "-1" }, "gradient-norm");
    trainWith("train --scale 0", { "--scale", "0" }, "scale");
    trainWith("train --score-scaling 0", { "--score-scaling", "0" }, "scaling");
    trainWith("train --max-seq-length -5", { "--max-seq-length", "-5" }, "sequence length");
    trainWith("train --eval-every -1", { "--eval-every", "-1" }, "Evaluate every");
    trainWith("train --checkpoint-every -1", { "--checkpoint-every", "-1" }, "Checkpoint every");
    trainWith("train --keep-checkpoints -1", { "--keep-checkpoints", "-1" }, "checkpoints");
    trainWith("train --max-steps -1", { "--max-steps", "-1" }, "step limit");
    trainWith("train --threads -2", { "--threads", "-2" }, "thread");
    trainWith("train --schedule bogus", { "--schedule", "bogus" }, "schedule");
    trainWith("train --seed -1", { "--seed", "-1" }, "--seed");
    trainWith("train --epochs 1e9", { "--epochs", "1000000000" }, "--epochs");
    QTest::newRow("train --resume --epochs x")
        << QStringList { "train", "--resume", "{run}", "--allow-changed-data", "--epochs", "x" }
        << "--epochs";
    QTest::newRow("embed --batch-size 0") << QStringList { "embed", "--model", "{model}", "--input",
        "{texts}", "--output", "{out}.npy", "--batch-size", "0" }
                                          << "--batch-size";
    QTest::newRow("embed --threads -1") << QStringList { "embed", "--model", "{model}", "--input", "{texts}",
        "--output", "{out}.npy", "--threads", "-1" }
                                        << "--threads";
    QTest::newRow("embed --input missing") << QStringList { "embed", "--model", "{model}", "--input",
        "{out}-missing.txt", "--output", "{out}.npy" }
                                           << "{out}-missing.txt";
    QTest::newRow("eval --threads -1")
        << QStringList { "eval", "--model", "{model}", "--data", "{data}", "--threads", "-1" } << "--threads";
    QTest::newRow("eval --scale 0") << QStringList { "eval", "--model", "{model}", "--data", "{data}",
        "--scale", "0" } << "scale";
    QTest::newRow("eval --loss bogus")
        << QStringList { "eval", "--model", "{model}", "--data", "{data}", "--loss", "bogus" } << "bogus";
    QTest::newRow("inspect --train-fraction 2")
        << QStringList { "inspect", "--data", "{data}", "--train-fraction", "2" } << "--train-fraction";
    QTest::newRow("inspect --seed -3")
        << QStringList { "inspect", "--data", "{data}", "--seed", "-3" } << "--seed";
    QTest::newRow("export --checkpoint bogus") << QStringList { "export", "--run", "{run}", "--checkpoint",
        "bogus", "--out", "{out}" } << "--checkpoint";
    QTest::newRow("export --checkpoint step-99") << QStringList { "export", "--run", "{run}", "--checkpoint",
        "step-99", "--out", "{out}" } << "step-99";
    const QStringList create = { "create", "--out", "{out}", "--vocab", vocabPath() };
    QTest::newRow("create --hidden 0") << create + QStringList { "--hidden", "0" } << "hidden";
    QTest::newRow("create --layers 0") << create + QStringList { "--layers", "0" } << "layers";
    QTest::newRow("create --heads 0") << create + QStringList { "--heads", "0" } << "heads";
    QTest::newRow("create --intermediate 0")
        << create + QStringList { "--intermediate", "0" } << "intermediate";
    QTest::newRow("create --max-seq-length 0")
        << create + QStringList { "--max-seq-length", "0" } << "max-seq-length";
    QTest::newRow("create --max-positions 0")
        << create + QStringList { "--max-positions", "0" } << "max-positions";
    QTest::newRow("create --max-seq-length beyond positions")
        << create + QStringList { "--max-positions", "64", "--max-seq-length", "500" } << "max-seq-length";
    QTest::newRow("tokenize --input missing") << QStringList { "tokenize", "--model", "{model}", "--input",
        "{out}-missing.txt" } << "{out}-missing.txt";
}

void TestBadInputs::flagOutOfRange()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mention);
    const QString out = m_dir.filePath(QString("flags-%1").arg(m_counter++));
    const auto substitute = [&](QString text) {
        return text.replace("{data}", m_data)
            .replace("{model}", m_model)
            .replace("{texts}", m_texts)
            .replace("{run}", m_run)
            .replace("{out}", out);
    };
    QStringList commandLine;
    for (const QString &a : args)
        commandLine << substitute(a);
    const CliResult r = runCli(commandLine, 120000);
    QVERIFY2(!r.crashed, qPrintable(r.describe()));
    QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(r.describe()));
    const QStringList lines = r.errLines();
    QVERIFY2(lines.size() == 1, qPrintable("expected one line on stderr:\n" + r.describe()));
    QVERIFY2(lines[0].startsWith("pairtune-cli: error: "), qPrintable(lines[0]));
    QVERIFY2(lines[0].contains(substitute(mention), Qt::CaseInsensitive),
        qPrintable(lines[0] + "\ndoes not mention " + substitute(mention)));
    QVERIFY2(!QFileInfo::exists(out + "/model") && !QFileInfo::exists(out + ".npy")
            && !QFileInfo::exists(out + "/modules.json"),
        "an output was written");
}

QTEST_GUILESS_MAIN(TestBadInputs)
#include "tst_badinputs.moc"
