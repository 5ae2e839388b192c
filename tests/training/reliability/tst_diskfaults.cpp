// Full and read-only destinations (issue 7, docs/reliability.md): every writing command of
// pairtune-cli, pointed at a destination that cannot take the data, must stop with one clear line that
// names the path and the system's reason, exit non-zero without crashing, and leave nothing
// half-written under a final name (and no staging leftovers either).
// Faults: RLIMIT_FSIZE in the child with SIGXFSZ ignored (EFBIG, works without root), a 1 MiB tmpfs
// (ENOSPC; needs mount, skipped without it), and a read-only destination (chmod 0555 when not root;
// as root, where permissions do not stop writes, a read-only tmpfs mount; skipped when neither works).

#include "reliabilityhelpers.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace reliabilitytest;

namespace {

// A destination folder with a fault; undone (unmounted, made writable) when it goes out of scope.
class FaultyFolder
{
public:
    FaultyFolder(const QString &path, const QString &fault)
        : m_path(path)
    {
        QDir().mkpath(path);
        if (fault == "full") {
            m_mounted = runTool("mount", { "-t", "tmpfs", "-o", "size=1m", "tmpfs", path });
            m_ready = m_mounted;
            m_why = "cannot mount a small tmpfs here (needs root and mount rights)";
        } else if (fault == "read-only") {
            if (::geteuid() != 0) {
                m_chmodded = ::chmod(path.toLocal8Bit().constData(), 0555) == 0;
                m_ready = m_chmodded;
                m_why = "chmod failed";
            } else {
                m_mounted = runTool("mount", { "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", path });
                m_ready = m_mounted;
                m_why = "running as root, where chmod does not stop writes, and a read-only tmpfs cannot be "
                        "mounted here";
            }
        } else {
            m_ready = true; // "too large": the limit is set on the child process
        }
    }
    ~FaultyFolder()
    {
        if (m_mounted)
            runTool("umount", { m_path });
        if (m_chmodded)
            ::chmod(m_path.toLocal8Bit().constData(), 0755);
    }
    bool ready() const { return m_ready; }
    const QString &why() const { return m_why; }

private:
    QString m_path;
    bool m_mounted = false;
    bool m_chmodded = false;
    bool m_ready = false;
    QString m_why;
};

} // namespace

class TestDiskFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void refused_data();
    void refused();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
    QString m_texts;
    QString m_run; // a finished run to export from
    int m_counter = 0;
};

void TestDiskFaults::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    m_data = m_dir.filePath("pairs.tsv");
    QVERIFY(writeTsv(m_data, mappingPairs(40, 3)));
    QStringList texts;
    for (int i = 0; i < 300; ++i)
        texts << QString("text number %1").arg(i);
    m_texts = m_dir.filePath("texts.txt");
    QVERIFY(writeFile(m_texts, texts.join('\n').toUtf8() + '\n'));
    m_run = m_dir.filePath("finished-run");
    const CliResult run = runCli({ "train", "--data", m_data, "--base", m_model, "--out", m_run, "--epochs",
        "1", "--batch-size", "8", "--threads", "1", "--quiet" });
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
}

void TestDiskFaults::refused_data()
{
    // fault: "too large" (RLIMIT_FSIZE = limit), "full" (1 MiB tmpfs) or "read-only".
    // {dest} is a path inside the faulty folder; `absent` must not exist afterwards.
    QTest::addColumn<QString>("fault");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("absent");
    const QStringList train = { "train", "--data", "{data}", "--base", "{model}", "--out", "{dest}/run",
        "--epochs", "1", "--batch-size", "8", "--threads", "1", "--checkpoint-every", "1", "--quiet" };
    const QStringList exportCopy = { "export", "--run", "{run}", "--out", "{dest}/exported" };
    const QStringList exportHalf = exportCopy + QStringList { "--float16" };
    const QStringList create = { "create", "--out", "{dest}/created", "--vocab", vocabPath(), "--hidden",
        "32", "--heads", "4", "--intermediate", "64", "--layers", "2" };
    const QStringList embedNpy
        = { "embed", "--model", "{model}", "--input", "{texts}", "--output", "{dest}/vectors.npy" };
    const QStringList embedJsonl
        = { "embed", "--model", "{model}", "--input", "{texts}", "--output", "{dest}/vectors.jsonl" };
    const QStringList tokenize
        = { "tokenize", "--model", "{model}", "--input", "{texts}", "--output", "{dest}/ids.jsonl" };
    const qint64 mib = 1 << 20;

    QTest::newRow("train, file too large") << "too large" << mib << train << "{dest}/run/model";
    QTest::newRow("export, file too large") << "too large" << mib << exportCopy << "{dest}/exported";
    QTest::newRow("export --float16, file too large")
        << "too large" << mib << exportHalf << "{dest}/exported";
    QTest::newRow("create, file too large") << "too large" << mib << create << "{dest}/created";
    QTest::newRow("embed .npy, file too large")
        << "too large" << qint64(4096) << embedNpy << "{dest}/vectors.npy";
    QTest::newRow("embed .jsonl, file too large")
        << "too large" << qint64(4096) << embedJsonl << "{dest}/vectors.jsonl";
    QTest::newRow("tokenize, file too large")
        << "too large" << qint64(2048) << tokenize << "{dest}/ids.jsonl";

    QTest::newRow("train, disk full") << "full" << qint64(0) << train << "{dest}/run/model";
    QTest::newRow("export, disk full") << "full" << qint64(0) << exportCopy << "{dest}/exported";
    QTest::newRow("create, disk full") << "full" << qint64(0) << create << "{dest}/created";

    QTest::newRow("train, read-only") << "read-only" << qint64(0) << train << "{dest}/run";
    QTest::newRow("export, read-only") << "read-only" << qint64(0) << exportCopy << "{dest}/exported";
    QTest::newRow("create, read-only") << "read-only" << qint64(0) << create << "{dest}/created";
    QTest::newRow("embed, read-only") << "read-only" << qint64(0) << embedNpy << "{dest}/vectors.npy";
}

void TestDiskFaults::refused()
{
    QFETCH(QString, fault);
    QFETCH(qint64, limit);
    QFETCH(QStringList, args);
    QFETCH(QString, absent);

    const QString dest = m_dir.filePath(QString("dest-%1").arg(m_counter++));
    const FaultyFolder folder(dest, fault);
    if (!folder.ready())
        QSKIP(qPrintable(folder.why()));
    const auto substitute = [&](QString text) {
        return text.replace("{data}", m_data)
            .replace("{model}", m_model)
            .replace("{texts}", m_texts)
            .replace("{run}", m_run)
            .replace("{dest}", dest);
    };
    QStringList commandLine;
    for (const QString &a : args)
        commandLine << substitute(a);

    const CliResult r = runCliWith(commandLine, {}, static_cast<rlim_t>(limit));
    QVERIFY2(!r.crashed, qPrintable(r.describe()));
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe())); // an engine error, not an internal one (3)
    // Progress lines ("[  0%] copying vocab.txt": export prints its stages on stderr, one line each when
    // stderr is not a terminal) may come before the error; the error itself must be one line.
    QStringList lines = r.errLines();
    static const QRegularExpression progressLine(QStringLiteral("^\\[\\s*\\d+%\\] "));
    lines.removeIf([](const QString &line) { return progressLine.match(line).hasMatch(); });
    QVERIFY2(lines.size() == 1, qPrintable("expected one line on stderr:\n" + r.describe()));
    QVERIFY2(lines[0].startsWith("pairtune-cli: error: "), qPrintable(lines[0]));
    QVERIFY2(lines[0].contains(dest), qPrintable(lines[0] + "\ndoes not name the destination " + dest));
    const QString reason = fault == "too large" ? "File too large"
        : fault == "full"                       ? "No space left on device"
        : ::geteuid() == 0                      ? "Read-only file system"
                                                : "Permission denied";
    QVERIFY2(lines[0].contains(reason), qPrintable(lines[0] + "\ndoes not say \"" + reason + "\""));

    QVERIFY2(!QFileInfo::exists(substitute(absent)), qPrintable(substitute(absent) + " exists"));
    const QStringList leftovers = stagingLeftovers(dest);
    QVERIFY2(leftovers.isEmpty(), qPrintable("left behind: " + leftovers.join(", ")));
    if (QFileInfo::exists(dest + "/run/config.json")) {
        // A run that got started keeps only complete pieces and can be resumed once there is room.
        std::map<QString, QDateTime> checked;
        const QStringList problems = runFolderProblems(dest + "/run", m_dir.path(), checked);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        QVERIFY(checkpointSteps(dest + "/run").empty());
    }
}

QTEST_GUILESS_MAIN(TestDiskFaults)
#include "tst_diskfaults.moc"
