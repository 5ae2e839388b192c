// The pairtune-cli contract (docs/architecture.md): commands, exit codes, one clear error line.

#include "io/npy.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result runCli(const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    process.start(QStringLiteral(PAIRTUNE_CLI_PATH), arguments);
    if (!input.isNull()) {
        process.write(input);
        process.closeWriteChannel();
    }
    process.waitForFinished(180000);
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        process.readAllStandardOutput(), process.readAllStandardError() };
}

QString vocabPath()
{
    return QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt");
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(QStringLiteral("model"));
        const Result r = runCli({ "create", "--out", m_model, "--vocab", vocabPath(), "--layers", "1",
            "--hidden", "32", "--heads", "2", "--intermediate", "64", "--max-seq-length", "16" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFile::exists(m_model + QStringLiteral("/modules.json")));
    }

    void versionAndHelp()
    {
        const Result version = runCli({ "--version" });
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("pairtune-cli "));
        const Result help = runCli({ "--help" });
        QCOMPARE(help.exitCode, 0);
        for (const char *command : { "embed", "tokenize", "inspect", "train", "eval", "export", "create" })
            QVERIFY2(help.out.contains(command), command);
    }

    void tokenizeReproducesKnownIds()
    {
        const Result r = runCli({ "tokenize", "--model", m_model, "--input", "-" }, "Hello world!\n");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject line = QJsonDocument::fromJson(r.out.trimmed()).object();
        const QJsonArray ids = line.value(QStringLiteral("input_ids")).toArray();
        const QList<int> expected { 101, 7592, 2088, 999, 102 };
        QCOMPARE(ids.size(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(ids.at(i).toInt(), expected.at(i));
    }

    void tokenizeTruncatesToMaxSeqLength()
    {
        const QByteArray longText = QByteArray("word ").repeated(50) + '\n';
        const Result r = runCli({ "tokenize", "--model", m_model, "--input", "-" }, longText);
        QCOMPARE(r.exitCode, 0);
        const QJsonArray ids
            = QJsonDocument::fromJson(r.out.trimmed()).object().value(QStringLiteral("input_ids")).toArray();
        QCOMPARE(ids.size(), 16);
        QCOMPARE(ids.last().toInt(), 102);
    }

    void embedWritesNpyAndJsonl()
    {
        QFile texts(m_dir.filePath(QStringLiteral("texts.txt")));
        QVERIFY(texts.open(QIODevice::WriteOnly));
        texts.write("first text\nsecond, longer text\n\nthird\n");
        texts.close();
        const QString npy = m_dir.filePath(QStringLiteral("e.npy"));
        Result r = runCli({ "embed", "--model", m_model, "--input", texts.fileName(), "--output", npy });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        std::size_t rows = 0, cols = 0;
        const std::vector<float> values = pairtune::readNpyFloat32(npy.toStdString(), rows, cols);
        QCOMPARE(rows, std::size_t { 4 });
        QCOMPARE(cols, std::size_t { 32 });
        double norm = 0;
        for (std::size_t j = 0; j < cols; ++j)
            norm += double(values[j]) * values[j];
        QVERIFY(std::abs(norm - 1.0) < 1e-5); // the default model normalizes

        const QString jsonl = m_dir.filePath(QStringLiteral("e.jsonl"));
        r = runCli({ "embed", "--model", m_model, "--input", texts.fileName(), "--output", jsonl });
        QCOMPARE(r.exitCode, 0);
        QFile file(jsonl);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        const QJsonArray first
            = QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("embedding")).toArray();
        QCOMPARE(first.size(), 32);
        QVERIFY(std::abs(first.at(0).toDouble() - values[0]) < 1e-6);
    }

    void errorsAreOneClearLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("create without vocab")
            << QStringList { "create", "--out", "/tmp/pairtune-x" } << "--vocab";
        QTest::newRow("embed bad extension") << QStringList { "embed", "--model", "MODEL", "--input", "-",
            "--output", "out.txt" } << ".npy or .jsonl";
        QTest::newRow("not a model folder")
            << QStringList { "tokenize", "--model", PAIRTUNE_TEST_DATA_DIR, "--input", "-" } << "config.json";
        QTest::newRow("heads do not divide hidden") << QStringList { "create", "--out", "/tmp/pairtune-y",
            "--vocab", "VOCAB", "--hidden", "30", "--heads", "4" }
                                                    << "multiple of --heads";
    }

    void errorsAreOneClearLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        arguments.replaceInStrings(QStringLiteral("MODEL"), m_model);
        arguments.replaceInStrings(QStringLiteral("VOCAB"), vocabPath());
        const Result r = runCli(arguments, "x\n");
        QVERIFY(r.exitCode != 0);
        const QByteArray err = r.err.trimmed();
        QVERIFY2(!err.contains('\n'), err.constData());
        QVERIFY2(err.startsWith("pairtune-cli: error:"), err.constData());
        QVERIFY2(err.contains(expected.toUtf8()), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
