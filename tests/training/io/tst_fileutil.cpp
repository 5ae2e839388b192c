#include "core/error.h"
#include "io/atomicdirectory.h"
#include "io/atomicfile.h"
#include "io/fileutil.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>

using namespace pairtune;

namespace {

QStringList allEntries(const QString &dir)
{
    QStringList out;
    QDirIterator it(
        dir, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

// Expects `fn` to throw Error::Kind::Io whose message names `path` and contains `reason`.
template <typename Fn> bool failsWithIo(Fn fn, const std::string &path, const QString &reason)
{
    try {
        fn();
    } catch (const Error &e) {
        const QString what = QString::fromUtf8(e.what());
        if (e.kind() != Error::Kind::Io || !what.contains(QString::fromStdString(path))
            || !what.contains(reason)) {
            qWarning("unexpected error: %s", e.what());
            return false;
        }
        return true;
    }
    qWarning("no error");
    return false;
}

} // namespace

class TestFileUtil : public QObject
{
    Q_OBJECT

private slots:
    void readFileBytesReadsBinary()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("b.bin").toStdString();
        std::string bytes;
        for (int i = 0; i < 300000; ++i)
            bytes += static_cast<char>(i * 7);
        writeFileAtomic(path, bytes);
        QCOMPARE(readFileBytes(path), bytes);
        writeFileAtomic(path, "");
        QCOMPARE(readFileBytes(path), std::string());
        // Files whose size stat() does not know are read to the end.
        QVERIFY(readFileBytes("/proc/self/status").find("Name:") != std::string::npos);
    }

    void readFileBytesErrors()
    {
        QTemporaryDir dir;
        const std::string missing = dir.filePath("missing.txt").toStdString();
        QVERIFY(failsWithIo([&] { readFileBytes(missing); }, missing, "No such file or directory"));
        const std::string folder = dir.path().toStdString();
        QVERIFY(failsWithIo([&] { readFileBytes(folder); }, folder, "is a directory"));
    }

    void atomicWriteReplacesContent()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("state.json").toStdString();
        writeFileAtomic(path, "first version, longer than the second");
        QCOMPARE(readFileBytes(path), std::string("first version, longer than the second"));
        writeFileAtomic(path, "second");
        QCOMPARE(readFileBytes(path), std::string("second"));
        QCOMPARE(allEntries(dir.path()), QStringList { "state.json" });
    }

    void atomicFileIsInvisibleUntilCommit()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.bin").toStdString();
        writeFileAtomic(path, "old");
        {
            AtomicFile file(path);
            file.write("new ");
            file.write("content");
            QCOMPARE(readFileBytes(path), std::string("old"));
            QVERIFY(file.temporaryPath().rfind(path + ".tmp-", 0) == 0);
            QCOMPARE(allEntries(dir.path()).size(), 2);
            file.commit();
        }
        QCOMPARE(readFileBytes(path), std::string("new content"));
        {
            AtomicFile abandoned(path);
            abandoned.write("never published");
        }
        QCOMPARE(readFileBytes(path), std::string("new content"));
        QCOMPARE(allEntries(dir.path()), QStringList { "big.bin" });
    }

    void writeFailuresAreIoErrors()
    {
        // Tests run as root, so permissions cannot be used to provoke failures: use paths the kernel
        // refuses instead.
        QTemporaryDir dir;
        const std::string noParent = dir.filePath("no/such/folder/out.json").toStdString();
        QVERIFY(failsWithIo([&] { writeFileAtomic(noParent, "x"); }, noParent, "No such file or directory"));
        const std::string inSys = "/sys/pairtune-test-output.json";
        QVERIFY(failsWithIo([&] { writeFileAtomic(inSys, "x"); }, inSys, "Permission denied"));
        const std::string inProc = "/proc/pairtune-test-output.json";
        QVERIFY(failsWithIo([&] { writeFileAtomic(inProc, "x"); }, inProc, "cannot write"));
        QVERIFY(allEntries(dir.path()).isEmpty());
    }

    void writeErrorMidwayRemovesTemporaryFile()
    {
        // A file size limit makes write() fail with EFBIG after the temporary file exists, like a
        // full disk would.
        QTemporaryDir dir;
        const std::string path = dir.filePath("large.bin").toStdString();
        writeFileAtomic(path, "keep me");
        rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const bool failed
            = failsWithIo([&] { writeFileAtomic(path, std::string(100000, 'z')); }, path, "File too large");
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previousHandler);
        QVERIFY(failed);
        QCOMPARE(readFileBytes(path), std::string("keep me"));
        QCOMPARE(allEntries(dir.path()), QStringList { "large.bin" });
    }

    void syncDirectoryErrors()
    {
        QTemporaryDir dir;
        syncDirectory(dir.path().toStdString());
        const std::string missing = dir.filePath("gone").toStdString();
        QVERIFY(failsWithIo([&] { syncDirectory(missing); }, missing, "No such file or directory"));
    }

    void randomSuffixesDiffer()
    {
        QSet<QString> seen;
        for (int i = 0; i < 1000; ++i)
            seen.insert(QString::fromStdString(randomFileSuffix()));
        QCOMPARE(seen.size(), 1000);
        QCOMPARE(parentDirectoryOf("a/b/c.txt"), std::string("a/b"));
        QCOMPARE(parentDirectoryOf("c.txt"), std::string("."));
        QCOMPARE(parentDirectoryOf("/c.txt"), std::string("/"));
        QCOMPARE(parentDirectoryOf("a/b/"), std::string("a"));
    }

    void atomicDirectoryCommit()
    {
        QTemporaryDir root;
        const std::string finalPath = root.filePath("export/model").toStdString();
        {
            AtomicDirectory out(finalPath);
            const QString staging = QString::fromStdString(out.stagingPath());
            QVERIFY(QFileInfo(staging).isDir());
            QVERIFY(QFileInfo(staging).fileName().startsWith(".model.partial-"));
            QCOMPARE(QFileInfo(staging).dir().absolutePath(), root.filePath("export"));
            writeFileAtomic(out.stagingPath() + "/config.json", "{}");
            QVERIFY(QDir().mkpath(staging + "/1_Pooling"));
            writeFileAtomic(out.stagingPath() + "/1_Pooling/config.json", "{\"p\":1}");
            QVERIFY(QDir().mkpath(staging + "/2_Normalize")); // empty folders are kept too
            QVERIFY(!QFileInfo::exists(QString::fromStdString(finalPath)));
            out.commit();
            QVERIFY(out.isCommitted());
        }
        QCOMPARE(allEntries(root.filePath("export")),
            (QStringList { "model", "model/1_Pooling", "model/1_Pooling/config.json", "model/2_Normalize",
                "model/config.json" }));
        QCOMPARE(readFileBytes(finalPath + "/1_Pooling/config.json"), std::string("{\"p\":1}"));
    }

    void atomicDirectoryAbort()
    {
        QTemporaryDir root;
        const std::string finalPath = root.filePath("model").toStdString();
        try {
            AtomicDirectory out(finalPath);
            writeFileAtomic(out.stagingPath() + "/model.safetensors", "half written");
            throw std::runtime_error("cancelled");
        } catch (const std::runtime_error &) { }
        QVERIFY(allEntries(root.path()).isEmpty());
    }

    void atomicDirectoryExistingTarget()
    {
        QTemporaryDir root;
        const std::string finalPath = root.filePath("model").toStdString();
        QVERIFY(QDir().mkpath(QString::fromStdString(finalPath)));
        writeFileAtomic(finalPath + "/old.txt", "old");

        // Without replaceExisting: refused up front, the old folder untouched, nothing staged.
        try {
            AtomicDirectory out(finalPath);
            QFAIL("an existing folder was accepted");
        } catch (const Error &e) {
            QVERIFY(QString(e.what()).contains(QString::fromStdString(finalPath)));
            QVERIFY(QString(e.what()).contains("already exists"));
        }
        QCOMPARE(allEntries(root.path()), (QStringList { "model", "model/old.txt" }));

        // With replaceExisting: the new content replaces the old, no leftovers.
        {
            AtomicDirectory out(finalPath, true);
            writeFileAtomic(out.stagingPath() + "/new.txt", "new");
            QCOMPARE(readFileBytes(finalPath + "/old.txt"), std::string("old"));
            out.commit();
        }
        QCOMPARE(allEntries(root.path()), (QStringList { "model", "model/new.txt" }));
        QCOMPARE(readFileBytes(finalPath + "/new.txt"), std::string("new"));
    }

    void atomicDirectoryTargetAppearsDuringWork()
    {
        // Someone else creates the final folder while we stage: commit must not clobber it.
        QTemporaryDir root;
        const std::string finalPath = root.filePath("model").toStdString();
        AtomicDirectory out(finalPath);
        writeFileAtomic(out.stagingPath() + "/a.txt", "ours");
        QVERIFY(QDir().mkpath(QString::fromStdString(finalPath)));
        QVERIFY_THROWS_EXCEPTION(Error, out.commit());
        QVERIFY(allEntries(QString::fromStdString(finalPath)).isEmpty());
    }

    void atomicDirectoryUnwritableParent()
    {
        const std::string finalPath = "/proc/pairtune-test/model";
        try {
            AtomicDirectory out(finalPath);
            QFAIL("created a folder under /proc");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), Error::Kind::Io);
            QVERIFY2(QString(e.what()).contains("/proc/pairtune-test"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestFileUtil)
#include "tst_fileutil.moc"
