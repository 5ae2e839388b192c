// pairtune-cli with models named as on the Hugging Face Hub, end to end: the real executable against the
// stand-in Hub (tests/common/standin_hub.py) on 127.0.0.1, HF_ENDPOINT pointing at it and HF_HUB_CACHE in
// a scratch folder. The repos it serves are copies of one tiny model folder made by `pairtune-cli create`,
// so every download must embed exactly as that folder does. Every command is bounded in time.

#include "../train/trainingclihelpers.h"

#include <QDirIterator>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QtTest/QtTest>

#include <csignal>

using namespace traintest;

namespace {

const QByteArray kToken = "hf_StandInPrivateToken0123456789abcdefXYZ";
const int kCommandTimeoutMs = 180000;

bool copyFolder(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    QDirIterator it(from, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = to + "/" + QDir(from).relativeFilePath(file);
        QDir().mkpath(QFileInfo(target).path());
        if (!QFile::copy(file, target))
            return false;
    }
    return true;
}

// Every file under folder whose bytes contain needle (the token must never be written anywhere).
QStringList filesContaining(const QString &folder, const QByteArray &needle)
{
    QStringList found;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        if (readFile(file).contains(needle))
            found << file;
    }
    return found;
}

// The stand-in Hub as a child process; it exits when its stdin closes.
class HubServer
{
public:
    bool start(const QString &repos, const QString &log, const QStringList &extra = {})
    {
        m_process.setProgram("/usr/bin/python3");
        m_process.setArguments(
            QStringList { QStringLiteral(PAIRTUNE_SOURCE_DIR "/tests/common/standin_hub.py"), repos, "--log",
                log, "--lifetime", "900" }
            + extra);
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (!m_process.canReadLine() && timer.elapsed() < 20000)
            m_process.waitForReadyRead(200);
        m_port = m_process.readLine().trimmed().toInt();
        return m_port > 0;
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    ~HubServer() { stop(); }
    QString endpoint() const { return QString("http://127.0.0.1:%1").arg(m_port); }
    bool running() const { return m_process.state() == QProcess::Running; }

private:
    QProcess m_process;
    int m_port = 0;
};

} // namespace

class TestHubCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_source; // the tiny model every repo is a copy of
    QString m_repos;
    QString m_cache;
    QString m_log;
    QString m_pairs;
    QString m_texts;
    QByteArray m_sourceEmbedding; // .npy bytes of embed --model m_source
    HubServer m_hub;
    QString m_endpoint;
    int m_counter = 0;

    QProcessEnvironment environment(bool withToken, bool offline = false, const QString &cache = {}) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : { "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE",
                 "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE" })
            env.remove(name);
        env.insert("HF_ENDPOINT", m_endpoint);
        env.insert("HF_HOME", m_dir.filePath("hf-home")); // no saved token from the real home
        env.insert("HF_HUB_CACHE", cache.isEmpty() ? m_cache : cache);
        env.insert("HF_HUB_DOWNLOAD_TIMEOUT", "5");
        if (withToken)
            env.insert("HF_TOKEN", QString::fromLatin1(kToken));
        if (offline)
            env.insert("HF_HUB_OFFLINE", "1");
        return env;
    }

    CliResult run(const QStringList &args, const QProcessEnvironment &env, const QString &workDir = {})
    {
        QProcess process;
        process.setProcessEnvironment(env);
        if (!workDir.isEmpty())
            process.setWorkingDirectory(workDir);
        process.start(cliPath(), args);
        return finishCli(process, kCommandTimeoutMs);
    }

    // embed --model name; the .npy bytes, empty on failure (the result says why).
    QByteArray embedBytes(const QString &name, const QProcessEnvironment &env, CliResult &result,
        const QStringList &extra = {}, const QString &workDir = {})
    {
        const QString output = m_dir.filePath(QString("embedding-%1.npy").arg(m_counter++));
        result = run(
            QStringList { "embed", "--model", name, "--input", m_texts, "--output", output, "--threads", "1" }
                + extra,
            env, workDir);
        return result.exitCode == 0 && !result.crashed ? readFile(output) : QByteArray();
    }

    QString repoCache(const QString &repoId, const QString &cache = {}) const
    {
        return (cache.isEmpty() ? m_cache : cache) + "/models--" + QString(repoId).replace("/", "--");
    }

    qint64 requestsLogged() const { return QFileInfo(m_log).size(); }

    CliResult train(const QString &base, const QString &out, const QProcessEnvironment &env)
    {
        return run(
            { "train", "--base", base, "--data", m_pairs, "--out", out, "--epochs", "1", "--batch-size", "4",
                "--max-steps", "2", "--warmup-steps", "0", "--threads", "1", "--quiet" },
            env);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_source = m_dir.filePath("source-model");
        const CliResult created = createModel(m_source);
        QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
        m_repos = m_dir.filePath("repos");
        m_cache = m_dir.filePath("hub-cache");
        m_log = m_dir.filePath("hub-requests.jsonl");
        // A bare name's repo carries the files a Hub repo has besides the model, which must stay there.
        const QString bare = m_repos + "/sentence-transformers/tiny-minilm";
        QVERIFY(copyFolder(m_source, bare));
        QVERIFY(QDir().mkpath(bare + "/onnx"));
        QVERIFY(writeFile(bare + "/onnx/model.onnx", "not a model"));
        QVERIFY(writeFile(bare + "/tf_model.h5", "not a model"));
        QVERIFY(writeFile(bare + "/pytorch_model.bin", "not a model"));
        QVERIFY(writeFile(bare + "/train_script.py", "raise SystemExit('never run')\n"));
        QVERIFY(
            writeFile(m_repos + "/sentence-transformers/tiny-minilm.json", R"({"lfs": ["*.safetensors"]})"));
        QVERIFY(copyFolder(m_source, m_repos + "/acme/tiny-public"));
        QVERIFY(copyFolder(m_source, m_repos + "/acme/tiny-private"));
        QVERIFY(writeFile(m_repos + "/acme/tiny-private.json",
            R"({"lfs": ["*.safetensors"], "token": ")" + kToken + R"("})"));

        // Repos that need Python code from the repo: an architecture (auto_map) and a module type.
        const QString customModel = m_repos + "/acme/custom-architecture";
        QVERIFY(copyFolder(m_source, customModel));
        QJsonObject config = readJsonObject(customModel + "/config.json");
        config.insert("auto_map", QJsonObject { { "AutoModel", "modeling_custom.CustomModel" } });
        QVERIFY(writeFile(customModel + "/config.json", QJsonDocument(config).toJson()));
        QVERIFY(writeFile(customModel + "/modeling_custom.py", "raise SystemExit('never run')\n"));
        const QString customModule = m_repos + "/acme/custom-module";
        QVERIFY(copyFolder(m_source, customModule));
        QString modules = QString::fromUtf8(readFile(customModule + "/modules.json"));
        const QRegularExpression poolingType("\"sentence_transformers\\.[a-z_.]*Pooling\"");
        QVERIFY(modules.contains(poolingType));
        modules.replace(poolingType, "\"custom_pooling.Pooling\"");
        QVERIFY(writeFile(customModule + "/modules.json", modules.toUtf8()));

        m_texts = m_dir.filePath("texts.txt");
        QVERIFY(writeFile(m_texts, "alpha bravo delta\napple banana cherry\na longer text about grapes\n"));
        m_pairs = writePairs(m_dir.filePath("data"), "pairs.tsv", 24, 11);

        CliResult local;
        m_sourceEmbedding = embedBytes(m_source, QProcessEnvironment::systemEnvironment(), local);
        QVERIFY2(!m_sourceEmbedding.isEmpty(), qPrintable(local.describe()));

        QVERIFY(m_hub.start(m_repos, m_log));
        m_endpoint = m_hub.endpoint();
    }

    void namesEmbedAndTrain_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("repoId");
        QTest::addColumn<bool>("token");
        QTest::newRow("bare name") << "tiny-minilm"
                                   << "sentence-transformers/tiny-minilm" << false;
        QTest::newRow("owner/name") << "acme/tiny-public"
                                    << "acme/tiny-public" << false;
        QTest::newRow("private, HF_TOKEN") << "acme/tiny-private"
                                           << "acme/tiny-private" << true;
    }

    // Downloaded into huggingface_hub's layout, only the model's files, embedding exactly as the folder
    // the repo was made from; a run trains from it and records where it came from, never the token.
    void namesEmbedAndTrain()
    {
        QFETCH(QString, name);
        QFETCH(QString, repoId);
        QFETCH(bool, token);
        const QProcessEnvironment env = environment(token);

        CliResult result;
        QCOMPARE(embedBytes(name, env, result), m_sourceEmbedding);
        QVERIFY2(result.err.contains("downloading " + repoId.toUtf8()), qPrintable(result.describe()));
        QVERIFY(!result.err.contains(kToken) && !result.out.contains(kToken));
        CliResult again; // cached now: the Hub is asked which commit main is, nothing is transferred
        QCOMPARE(embedBytes(name, env, again), m_sourceEmbedding);
        QVERIFY2(again.err.isEmpty(), qPrintable(again.describe()));

        const QString commit = QString::fromLatin1(readFile(repoCache(repoId) + "/refs/main"));
        QVERIFY2(QRegularExpression("^[0-9a-f]{40}$").match(commit).hasMatch(), qPrintable(commit));
        const QString snapshot = repoCache(repoId) + "/snapshots/" + commit;
        for (const char *file :
            { "modules.json", "config.json", "model.safetensors", "1_Pooling/config.json" })
            QVERIFY2(QFileInfo::exists(snapshot + "/" + file), file);
        for (const char *file : { "onnx", "tf_model.h5", "pytorch_model.bin", "train_script.py" })
            QVERIFY2(!QFileInfo::exists(snapshot + "/" + file), file);

        const QString out = m_dir.filePath("run-" + QString(repoId).replace("/", "-"));
        const CliResult trained = train(name, out, env);
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        const QJsonObject config = readJsonObject(out + "/config.json").value("training").toObject();
        QCOMPARE(config.value("base_repo_id").toString(), repoId);
        QCOMPARE(config.value("base_revision").toString(), QString("main"));
        QCOMPARE(config.value("base_commit").toString(), commit);
        QVERIFY(readFile(out + "/model/README.md").contains("\nbase_model: " + repoId.toUtf8() + "\n"));
        QVERIFY2(filesContaining(out, kToken).isEmpty(), qPrintable(filesContaining(out, kToken).join(", ")));
        QVERIFY(!trained.err.contains(kToken) && !trained.out.contains(kToken));
    }

    // Names sentence-transformers refuses never reach the network; an existing folder wins over a Hub id.
    void namesResolvedAsSentenceTransformers()
    {
        const qint64 before = requestsLogged();
        for (const QString &name : { QString("a/b/c"), QString("acme\\tiny-public"), QString("bad name!") }) {
            CliResult result;
            QVERIFY(embedBytes(name, environment(false), result).isEmpty());
            QVERIFY2(result.exitCode == 1 && result.errLines().size() == 1, qPrintable(result.describe()));
            QVERIFY2(result.err.contains("not a Hugging Face Hub model id"), qPrintable(result.describe()));
        }
        const QString workDir = m_dir.filePath("workdir");
        QVERIFY(copyFolder(m_source, workDir + "/acme/tiny-public"));
        QVERIFY(writeFile(workDir + "/acme/config.json", "{}"));
        CliResult local;
        QCOMPARE(embedBytes("acme/tiny-public", environment(false), local, {}, workDir), m_sourceEmbedding);
        CliResult file;
        QVERIFY(embedBytes("acme/config.json", environment(false), file, {}, workDir).isEmpty());
        QVERIFY2(file.err.contains("is a file, not a folder"), qPrintable(file.describe()));
        QCOMPARE(requestsLogged(), before);
    }

    void clearErrors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("private, no token") << "acme/tiny-private"
                                           << "HF_TOKEN";
        QTest::newRow("unknown owner/name") << "acme/no-such-model"
                                            << "acme/no-such-model";
        QTest::newRow("unknown bare name") << "no-such-model"
                                           << "sentence-transformers/no-such-model";
        // Refused by the loader, after the download, before anything runs: the message says why.
        QTest::newRow("custom architecture") << "acme/custom-architecture"
                                             << "\"auto_map\"";
        QTest::newRow("custom module") << "acme/custom-module"
                                       << "\"custom_pooling.Pooling\"";
    }

    // One line on stderr naming what to do, a non-zero exit, never a hang (bounded by the timeout).
    void clearErrors()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        const QString cache = m_dir.filePath(QString("cache-errors-%1").arg(m_counter++));
        for (const QString &command : { QString("embed"), QString("train") }) {
            const CliResult result = command == "embed"
                ? run(
                    { "embed", "--model", name, "--input", m_texts, "--output", m_dir.filePath("never.npy") },
                    environment(false, false, cache))
                : run({ "train", "--base", name, "--data", m_pairs, "--out", m_dir.filePath("never-run") },
                    environment(false, false, cache));
            QVERIFY2(!result.crashed && result.exitCode == 1, qPrintable(result.describe()));
            // A refusal after the download follows its progress line; nothing else is printed.
            const QStringList lines = result.errLines().filter(QRegularExpression("^(?!downloading )"));
            QVERIFY2(lines.size() == 1 && lines[0].startsWith("pairtune-cli: error: ")
                    && lines[0].contains(expected)
                    && (!name.startsWith("acme/custom") || lines[0].contains("trust_remote_code")),
                qPrintable(result.describe()));
        }
        // No run started: a Hub error comes before the run folder, a refused model before its config.
        QVERIFY(!QFileInfo::exists(m_dir.filePath("never-run/config.json")));
    }

    // Ctrl-C during a slow download ends the command promptly with the cancel status and one line.
    void interruptCancelsDownload()
    {
        HubServer slow;
        QVERIFY(slow.start(m_repos, m_dir.filePath("slow-requests.jsonl"), { "--slow", "100000" }));
        QProcessEnvironment env = environment(false, false, m_dir.filePath("cache-cancel"));
        env.insert("HF_ENDPOINT", slow.endpoint());
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(cliPath(),
            { "embed", "--model", "acme/tiny-public", "--input", m_texts, "--output",
                m_dir.filePath("cancel.npy") });
        QVERIFY(process.waitForStarted(10000));
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (
            !err.contains("downloading") && timer.elapsed() < 60000 && process.state() == QProcess::Running) {
            process.waitForReadyRead(100);
            err += process.readAllStandardError();
        }
        QVERIFY2(err.contains("downloading"), err.constData());
        QTest::qWait(500);
        QVERIFY(process.state() == QProcess::Running); // 4 MB at 100 kB/s: far from done
        ::kill(static_cast<pid_t>(process.processId()), SIGINT);
        timer.restart();
        QVERIFY(process.waitForFinished(10000));
        err += process.readAllStandardError();
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 130, err.constData());
        QVERIFY2(err.trimmed().split('\n').last().startsWith("pairtune-cli: error: "), err.constData());
        QVERIFY(!QFileInfo::exists(m_dir.filePath("cancel.npy")));
    }

    // With the server gone, every command finds the cached snapshots: offline mode and a failing
    // network alike, a new run and the resume of one that has to restart from its base model.
    void worksWithTheServerStopped()
    {
        m_hub.stop();
        for (const bool offline : { true, false }) {
            for (const QString &name : { QString("tiny-minilm"), QString("acme/tiny-public") }) {
                CliResult result;
                QCOMPARE(embedBytes(name, environment(false, offline), result), m_sourceEmbedding);
                QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
            }
            CliResult privateRepo;
            QCOMPARE(
                embedBytes("acme/tiny-private", environment(true, offline), privateRepo), m_sourceEmbedding);
        }
        // A commit is immutable: its cached snapshot is used as is, without trying the network first.
        const QString commit
            = QString::fromLatin1(readFile(repoCache("sentence-transformers/tiny-minilm") + "/refs/main"));
        CliResult pinned;
        QCOMPARE(embedBytes("tiny-minilm", environment(false), pinned, { "--revision", commit }),
            m_sourceEmbedding);
        QVERIFY2(pinned.err.isEmpty(), qPrintable(pinned.describe()));

        const QProcessEnvironment offline = environment(false, true);
        const QString out = m_dir.filePath("run-offline");
        const CliResult trained = train("tiny-minilm", out, offline);
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.describe()));
        for (const QStringList &args :
            { QStringList { "tokenize", "--model", "tiny-minilm", "--input", m_texts },
                QStringList { "eval", "--model", "tiny-minilm", "--data", m_pairs, "--threads", "1" },
                QStringList { "inspect", "--model", "tiny-minilm", "--data", m_pairs } }) {
            const CliResult result = run(args, offline);
            QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
        }

        // A resume that starts again from the base model (no checkpoint kept) reads the recorded
        // snapshot: no network, not even the environment's offline switch.
        QVERIFY(QDir(out + "/checkpoints").removeRecursively());
        const CliResult resumed = run({ "train", "--resume", out, "--quiet" }, environment(false));
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));

        // Not cached and no server: still one clear line.
        const CliResult missing = run({ "embed", "--model", "acme/never-downloaded", "--input", m_texts,
                                          "--output", m_dir.filePath("never.npy") },
            environment(false));
        QVERIFY2(missing.exitCode == 1 && missing.errLines().size() == 1, qPrintable(missing.describe()));
    }
};

QTEST_GUILESS_MAIN(TestHubCli)
#include "tst_hubcli.moc"
