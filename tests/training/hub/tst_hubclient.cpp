// The Hub client against the stand-in Hub (tests/common/standin_hub.py on 127.0.0.1): the cache laid out
// as huggingface_hub lays it out, offline use, untrusted file names, resume, corruption, tokens, cancel
// and two downloads at once. Expected etags come from QCryptographicHash, not from the client's code.

#include "core/error.h"
#include "core/log.h"
#include "hub/hubclient.h"
#include "standinhub.h"

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <sys/resource.h>
#include <thread>

using namespace pairtune;
using namespace pairtune::testhub;

namespace {

const QString kRepo = QStringLiteral("acme/tiny");
const QString kCommit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
const QString kToken = QStringLiteral("hf_SecretToken4242");

QByteArray randomBytes(int size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char &c : bytes)
        c = static_cast<char>(generator.bounded(256));
    return bytes;
}

// Two regular files (one nested) and two LFS files (one nested), as a small model repo has.
QMap<QString, QByteArray> repoFiles()
{
    return { { QStringLiteral("config.json"), QByteArray("{\"hidden_size\": 8}\n") },
        { QStringLiteral("sub/vocab.txt"), QByteArray("[PAD]\n[UNK]\nhello\n") },
        { QStringLiteral("model.safetensors"), randomBytes(300000, 1) },
        { QStringLiteral("onnx/deep/model.onnx"), randomBytes(70000, 2) } };
}

QString etagOf(const QString &file, const QByteArray &bytes)
{
    return file.endsWith(QStringLiteral(".safetensors")) || file.endsWith(QStringLiteral(".onnx"))
        ? sha256Hex(bytes)
        : gitBlobSha1(bytes);
}

QString storage(const QString &cache)
{
    return cache + QStringLiteral("/models--acme--tiny");
}

// Warnings the engine logged while alive.
class LogCapture
{
public:
    LogCapture()
    {
        setLogSink([this](LogLevel level, const std::string &message) {
            std::lock_guard lock(m_mutex);
            if (level == LogLevel::Warning)
                m_warnings.push_back(message);
        });
    }
    ~LogCapture() { setLogSink({}); }
    std::vector<std::string> warnings()
    {
        std::lock_guard lock(m_mutex);
        return m_warnings;
    }

private:
    std::mutex m_mutex;
    std::vector<std::string> m_warnings;
};

} // namespace

class TestHubClient : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_repos, m_cache, m_log;

    hub::HubSettings settingsFor(const StandinHub &server) const
    {
        hub::HubSettings settings;
        settings.endpoint = server.endpoint().toStdString();
        settings.cacheDir = m_cache.toStdString();
        settings.timeoutSeconds = 5;
        settings.maxRetries = 3;
        return settings;
    }
    hub::RepoRef repoRef(const QString &id = kRepo) const { return { id.toStdString(), "main" }; }
    std::unique_ptr<StandinHub> startHub(const QStringList &flags = {})
    {
        auto server = std::make_unique<StandinHub>(m_repos, flags, m_log);
        if (!server->started())
            qFatal("stand-in Hub did not start: %s", qPrintable(server->startError()));
        return server;
    }
    // The message of the pairtune::Error the download throws ("" when it succeeds).
    static QString downloadError(
        const hub::HubSettings &settings, const hub::RepoRef &repo, Error::Kind *kind = nullptr)
    {
        try {
            hub::snapshotDownload(settings, repo, {});
        } catch (const Error &e) {
            if (kind)
                *kind = e.kind();
            return QString::fromStdString(e.what());
        }
        return {};
    }
    void verifyCompleteCache(const QString &snapshot) const;
    void verifySharedDownload(const StandinHub &server, const QString &first, const QString &second);

private slots:
    void initTestCase();
    void init();
    void cacheIsLaidOutAsHuggingfaceHubLaysItOut();
    void secondCallNeedsNoNetwork();
    void missingFromCacheWithoutNetworkSaysWhatToDo();
    void pythonListingShowsAnIncompleteSnapshot();
    void unsafeFileNamesAreRefusedBeforeAnyDownload_data();
    void unsafeFileNamesAreRefusedBeforeAnyDownload();
    void droppedConnectionResumesWithRange();
    void corruptedBytesLeaveNothingUsable();
    void privateRepoNeedsTheToken();
    void unknownRepoAndRevisionAreNamed();
    void cancelStopsWithinASecondAndResumesLater();
    void twoDownloadsAtOnceShareTheCache();
    void twoProcessesAtOnceShareTheCache();
    void fullDiskNamesTheCacheFolder();
};

void TestHubClient::initTestCase()
{
    // The stand-in Hub is on 127.0.0.1: never through a proxy a machine may have configured.
    qputenv("no_proxy", "127.0.0.1,localhost");
    qputenv("NO_PROXY", "127.0.0.1,localhost");
}

void TestHubClient::init()
{
    QVERIFY(m_dir.isValid());
    const QString base = m_dir.path() + QLatin1Char('/') + QString::fromLatin1(QTest::currentTestFunction());
    QDir(base).removeRecursively();
    m_repos = base + QStringLiteral("/repos");
    m_cache = base + QStringLiteral("/cache");
    m_log = base + QStringLiteral("/requests.log");
    writeRepo(m_repos, kRepo, repoFiles(),
        QJsonObject { { QStringLiteral("commit"), kCommit },
            { QStringLiteral("lfs"),
                QJsonArray { QStringLiteral("*.safetensors"), QStringLiteral("*.onnx") } } });
}

void TestHubClient::verifyCompleteCache(const QString &snapshot) const
{
    QCOMPARE(snapshot, storage(m_cache) + QStringLiteral("/snapshots/") + kCommit);
    QFile ref(storage(m_cache) + QStringLiteral("/refs/main"));
    QVERIFY(ref.open(QIODevice::ReadOnly));
    QCOMPARE(ref.readAll(), kCommit.toLatin1()); // the commit, no newline
    const auto files = repoFiles();
    for (auto it = files.begin(); it != files.end(); ++it) {
        const QString etag = etagOf(it.key(), it.value());
        QFile blob(storage(m_cache) + QStringLiteral("/blobs/") + etag);
        QVERIFY2(blob.open(QIODevice::ReadOnly), qPrintable(blob.fileName()));
        QVERIFY2(blob.readAll() == it.value(), qPrintable(it.key()));
        const QString pointer = snapshot + QLatin1Char('/') + it.key();
        QVERIFY2(QFileInfo(pointer).isSymLink(), qPrintable(pointer));
        const QString depth = QStringLiteral("../").repeated(it.key().count(QLatin1Char('/')));
        QCOMPARE(QFile(pointer).symLinkTarget(), QFileInfo(blob).canonicalFilePath());
        QCOMPARE(QString::fromStdString(std::filesystem::read_symlink(pointer.toStdString()).string()),
            QStringLiteral("../../") + depth + QStringLiteral("blobs/") + etag);
    }
    QDirIterator leftovers(m_cache, { QStringLiteral("*.incomplete"), QStringLiteral("*.tmp-*") },
        QDir::Files, QDirIterator::Subdirectories);
    QVERIFY2(!leftovers.hasNext(), qPrintable(leftovers.hasNext() ? leftovers.next() : QString()));
}

void TestHubClient::cacheIsLaidOutAsHuggingfaceHubLaysItOut()
{
    auto server = startHub();
    std::vector<hub::DownloadProgress> reports;
    const std::string snapshot = hub::snapshotDownload(
        settingsFor(*server), repoRef(), {}, [&](const hub::DownloadProgress &p) { reports.push_back(p); });
    verifyCompleteCache(QString::fromStdString(snapshot));
    QVERIFY(QFileInfo::exists(m_cache + QStringLiteral("/CACHEDIR.TAG")));
    QVERIFY(QFileInfo::exists(m_cache + QStringLiteral("/.locks/models--acme--tiny/")
        + sha256Hex(repoFiles().value(QStringLiteral("model.safetensors"))) + QStringLiteral(".lock")));

    std::int64_t total = 0;
    for (const QByteArray &bytes : repoFiles())
        total += bytes.size();
    QVERIFY(!reports.empty());
    QCOMPARE(reports.back().filesDone, 4);
    QCOMPARE(reports.back().filesTotal, 4);
    QCOMPARE(reports.back().bytesDone, total);
    QCOMPARE(reports.back().bytesTotal, total);
    QCOMPARE(reports.back().repoId, kRepo.toStdString());

    // Files are asked for at the commit the API named, LFS bytes come from the redirect.
    int heads = 0, lfsGets = 0;
    for (const QJsonObject &r : server->requests()) {
        const QString path = r.value(QStringLiteral("path")).toString();
        if (r.value(QStringLiteral("method")).toString() == QStringLiteral("HEAD")) {
            ++heads;
            QVERIFY2(
                path.contains(QStringLiteral("/resolve/") + kCommit + QLatin1Char('/')), qPrintable(path));
        }
        lfsGets += path.startsWith(QStringLiteral("/lfs/")) ? 1 : 0;
    }
    QCOMPARE(heads, 4);
    QCOMPARE(lfsGets, 2);

    // A second call finds every file in place: no file is fetched again.
    const int before = int(server->requests().size());
    QCOMPARE(hub::snapshotDownload(settingsFor(*server), repoRef(), {}), snapshot);
    for (const QJsonObject &r : server->requests().mid(before))
        QVERIFY(r.value(QStringLiteral("method")).toString() == QStringLiteral("HEAD")
            || r.value(QStringLiteral("path")).toString().startsWith(QStringLiteral("/api/")));
}

void TestHubClient::secondCallNeedsNoNetwork()
{
    auto server = startHub();
    const std::string snapshot = hub::snapshotDownload(settingsFor(*server), repoRef(), {});
    hub::HubSettings settings = settingsFor(*server);
    server->stop();

    LogCapture log;
    settings.offline = true;
    QCOMPARE(hub::snapshotDownload(settings, repoRef(), {}), snapshot);
    QVERIFY(log.warnings().empty());
    QCOMPARE(hub::cachedSnapshot(settings, repoRef()).value_or(""), snapshot);
    QCOMPARE(
        hub::cachedSnapshot(settings, { kRepo.toStdString(), kCommit.toStdString() }).value_or(""), snapshot);

    settings.offline = false; // the server is gone: the cached copy is used, with a warning
    QCOMPARE(hub::snapshotDownload(settings, repoRef(), {}), snapshot);
    QCOMPARE(log.warnings().size(), std::size_t(1));
    QVERIFY(QString::fromStdString(log.warnings()[0]).contains(QStringLiteral("cached copy")));

    const auto models = hub::listCachedModels(settings);
    QCOMPARE(models.size(), std::size_t(1));
    QCOMPARE(models[0].repoId, kRepo.toStdString());
    QCOMPARE(models[0].refs, std::vector<std::string> { "main" });
    QCOMPARE(models[0].snapshotFolder, snapshot);
    std::int64_t total = 0;
    for (const QByteArray &bytes : repoFiles())
        total += bytes.size();
    QCOMPARE(models[0].bytes, total);
}

void TestHubClient::missingFromCacheWithoutNetworkSaysWhatToDo()
{
    auto server = startHub();
    hub::HubSettings settings = settingsFor(*server);
    server->stop();
    settings.offline = true;
    const QString offline = downloadError(settings, repoRef());
    QVERIFY2(offline.contains(QStringLiteral("not cached"))
            && offline.contains(QStringLiteral("HF_HUB_OFFLINE=1")) && offline.contains(m_cache),
        qPrintable(offline));
    settings.offline = false;
    const QString noNetwork = downloadError(settings, repoRef());
    QVERIFY2(noNetwork.contains(QStringLiteral("Cannot reach"))
            && noNetwork.contains(QStringLiteral("no complete cached copy"))
            && noNetwork.contains(QStringLiteral("~/.cache/huggingface")),
        qPrintable(noNetwork));
    QVERIFY(!hub::cachedSnapshot(settings, repoRef()));
    QVERIFY(hub::listCachedModels(settings).empty());
}

void TestHubClient::pythonListingShowsAnIncompleteSnapshot()
{
    auto server = startHub();
    hub::HubSettings settings = settingsFor(*server);
    const std::string snapshot = hub::snapshotDownload(settings, repoRef(), {});
    server->stop();
    // The listing huggingface_hub's snapshot_download keeps next to the snapshot, naming one more file
    // than the snapshot has (a Python download cut short leaves exactly that).
    QJsonObject files;
    const auto repo = repoFiles();
    for (auto it = repo.begin(); it != repo.end(); ++it)
        files.insert(it.key(),
            QJsonObject { { QStringLiteral("size"), it.value().size() },
                { QStringLiteral("blob_id"), gitBlobSha1(it.value()) } });
    files.insert(QStringLiteral("pytorch_model.bin"),
        QJsonObject {
            { QStringLiteral("size"), 5 }, { QStringLiteral("blob_id"), QString(40, QLatin1Char('a')) } });
    QDir().mkpath(storage(m_cache) + QStringLiteral("/trees"));
    QFile listing(storage(m_cache) + QStringLiteral("/trees/") + kCommit + QStringLiteral(".json"));
    QVERIFY(listing.open(QIODevice::WriteOnly));
    listing.write(QJsonDocument(
        QJsonObject { { QStringLiteral("format_version"), 1 }, { QStringLiteral("files"), files } })
                      .toJson());
    listing.close();

    settings.offline = true;
    QVERIFY(downloadError(settings, repoRef()).contains(QStringLiteral("not cached")));
    const hub::FileFilter withoutBin = [](const std::vector<std::string> &all) {
        std::vector<std::string> picked;
        for (const std::string &file : all)
            if (file != "pytorch_model.bin")
                picked.push_back(file);
        return picked;
    };
    QCOMPARE(hub::snapshotDownload(settings, repoRef(), withoutBin), snapshot);
}

void TestHubClient::unsafeFileNamesAreRefusedBeforeAnyDownload_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("parent") << QStringLiteral("../outside");
    QTest::newRow("nested parent") << QStringLiteral("sub/../../../outside");
    QTest::newRow("absolute") << (m_dir.path() + QStringLiteral("/outside"));
    QTest::newRow("backslash") << QStringLiteral("..\\..\\outside");
}

void TestHubClient::unsafeFileNamesAreRefusedBeforeAnyDownload()
{
    QFETCH(QString, name);
    QFile::remove(m_dir.path() + QStringLiteral("/outside"));
    auto server = startHub({ QStringLiteral("--extra-sibling"), name });
    const QString error = downloadError(settingsFor(*server), repoRef());
    QVERIFY2(error.contains(kRepo) && error.contains(name), qPrintable(error));
    for (const QJsonObject &r : server->requests()) // nothing but the file list was asked for
        QVERIFY2(r.value(QStringLiteral("path")).toString().startsWith(QStringLiteral("/api/")),
            qPrintable(r.value(QStringLiteral("path")).toString()));
    QDirIterator written(m_dir.path(), { QStringLiteral("outside") }, QDir::Files | QDir::System,
        QDirIterator::Subdirectories);
    QVERIFY(!written.hasNext());
    QVERIFY(!QFileInfo::exists(storage(m_cache) + QStringLiteral("/blobs")));
}

void TestHubClient::droppedConnectionResumesWithRange()
{
    LogCapture log;
    auto server = startHub({ QStringLiteral("--cut-once"), QStringLiteral("model.safetensors") });
    verifyCompleteCache(QString::fromStdString(hub::snapshotDownload(settingsFor(*server), repoRef(), {})));
    const QString lfsPath
        = QStringLiteral("/lfs/") + sha256Hex(repoFiles().value(QStringLiteral("model.safetensors")));
    bool resumed = false;
    for (const QJsonObject &r : server->requests()) {
        const QString range = r.value(QStringLiteral("range")).toString();
        if (r.value(QStringLiteral("path")).toString() == lfsPath
            && range.startsWith(QStringLiteral("bytes="))
            && range.mid(6).section(QLatin1Char('-'), 0, 0).toLongLong() > 0)
            resumed = true;
    }
    QVERIFY2(resumed, "no Range request resumed the file after the cut");
    QVERIFY(!log.warnings().empty()); // the retry is reported
}

void TestHubClient::corruptedBytesLeaveNothingUsable()
{
    auto server = startHub({ QStringLiteral("--corrupt"), QStringLiteral("model.safetensors") });
    Error::Kind kind {};
    const QString error = downloadError(settingsFor(*server), repoRef(), &kind);
    QVERIFY2(error.contains(QStringLiteral("checksum mismatch"))
            && error.contains(QStringLiteral("model.safetensors")),
        qPrintable(error));
    const QString sha = sha256Hex(repoFiles().value(QStringLiteral("model.safetensors")));
    QVERIFY(!QFileInfo::exists(storage(m_cache) + QStringLiteral("/blobs/") + sha));
    QVERIFY(!QFileInfo::exists(
        storage(m_cache) + QStringLiteral("/blobs/") + sha + QStringLiteral(".incomplete")));
    QVERIFY(!QFileInfo::exists(storage(m_cache) + QStringLiteral("/refs/main")));
    QVERIFY(!QFileInfo::exists(
        storage(m_cache) + QStringLiteral("/snapshots/") + kCommit + QStringLiteral("/model.safetensors")));
    hub::HubSettings offline = settingsFor(*server);
    offline.offline = true;
    QVERIFY(!hub::cachedSnapshot(offline, repoRef()));
    QVERIFY(!downloadError(offline, repoRef()).isEmpty());
}

void TestHubClient::privateRepoNeedsTheToken()
{
    writeRepo(m_repos, QStringLiteral("acme/private"), repoFiles(),
        QJsonObject { { QStringLiteral("token"), kToken },
            { QStringLiteral("lfs"),
                QJsonArray { QStringLiteral("*.safetensors"), QStringLiteral("*.onnx") } } });
    auto server = startHub();
    hub::HubSettings settings = settingsFor(*server);
    const QString anonymous = downloadError(settings, repoRef(QStringLiteral("acme/private")));
    QVERIFY2(anonymous.contains(QStringLiteral("401")) && anonymous.contains(QStringLiteral("HF_TOKEN"))
            && anonymous.contains(QStringLiteral("private")),
        qPrintable(anonymous));

    settings.token = "hf_WrongToken999";
    const QString wrong = downloadError(settings, repoRef(QStringLiteral("acme/private")));
    QVERIFY2(wrong.contains(QStringLiteral("refused")) && !wrong.contains(QStringLiteral("hf_WrongToken999")),
        qPrintable(wrong));

    settings.token = kToken.toStdString();
    const int before = int(server->requests().size());
    const std::string snapshot = hub::snapshotDownload(settings, repoRef(QStringLiteral("acme/private")), {});
    QVERIFY(QFileInfo(QString::fromStdString(snapshot) + QStringLiteral("/model.safetensors")).isFile());
    for (const QJsonObject &r : server->requests().mid(before)) // the token went along (same server)
        QVERIFY2(
            r.value(QStringLiteral("auth")).toBool(), qPrintable(r.value(QStringLiteral("path")).toString()));

    // Errors with the right token set (a missing file, no network) never show it either.
    const QString missing = downloadError(settings, repoRef(QStringLiteral("acme/nothing")));
    server->stop();
    settings.cacheDir = (m_cache + QStringLiteral("-empty")).toStdString();
    const QString noNetwork = downloadError(settings, repoRef(QStringLiteral("acme/private")));
    for (const QString &message : { anonymous, missing, noNetwork })
        QVERIFY2(!message.isEmpty() && !message.contains(kToken), qPrintable(message));
}

void TestHubClient::unknownRepoAndRevisionAreNamed()
{
    auto server = startHub();
    const QString repo = downloadError(settingsFor(*server), repoRef(QStringLiteral("acme/missing")));
    QVERIFY2(repo.contains(QStringLiteral("acme/missing")) && repo.contains(QStringLiteral("not found"))
            && repo.contains(QStringLiteral("404")),
        qPrintable(repo));
    const QString revision = downloadError(settingsFor(*server), { kRepo.toStdString(), "v9" });
    QVERIFY2(
        revision.contains(QStringLiteral("revision not found")) && revision.contains(QStringLiteral("v9")),
        qPrintable(revision));
    const QString invalid = downloadError(settingsFor(*server), repoRef(QStringLiteral("acme/../etc")));
    QVERIFY2(invalid.contains(QStringLiteral("not a valid")), qPrintable(invalid));
}

void TestHubClient::cancelStopsWithinASecondAndResumesLater()
{
    const QString sha = sha256Hex(repoFiles().value(QStringLiteral("model.safetensors")));
    const QString partial
        = storage(m_cache) + QStringLiteral("/blobs/") + sha + QStringLiteral(".incomplete");
    {
        auto server = startHub({ QStringLiteral("--slow"), QStringLiteral("100000") });
        std::atomic<bool> stop { false };
        QElapsedTimer sinceCancel;
        std::thread canceller([&] {
            QElapsedTimer waiting;
            waiting.start();
            while (QFileInfo(partial).size() < 20000 && waiting.elapsed() < 15000)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            sinceCancel.start();
            stop = true;
        });
        Error::Kind kind {};
        QElapsedTimer total;
        total.start();
        const QString error = [&] {
            try {
                hub::snapshotDownload(settingsFor(*server), repoRef(), {}, {}, [&] { return stop.load(); });
            } catch (const Error &e) {
                kind = e.kind();
                return QString::fromStdString(e.what());
            }
            return QString();
        }();
        canceller.join();
        QVERIFY2(kind == Error::Kind::Cancelled, qPrintable(error));
        QVERIFY2(sinceCancel.elapsed() < 1000, qPrintable(QString::number(sinceCancel.elapsed())));
        qInfo(
            "cancel honoured %lld ms after it was asked for", static_cast<long long>(sinceCancel.elapsed()));
        QVERIFY(total.elapsed() < 20000);
    }
    QVERIFY(QFileInfo(partial).size() >= 20000); // kept for next time
    QVERIFY(!QFileInfo::exists(storage(m_cache) + QStringLiteral("/refs/main")));

    QFile::remove(m_log);
    auto server = startHub();
    verifyCompleteCache(QString::fromStdString(hub::snapshotDownload(settingsFor(*server), repoRef(), {})));
    bool resumed = false;
    for (const QJsonObject &r : server->requests())
        resumed = resumed || r.value(QStringLiteral("range")).toString().startsWith(QStringLiteral("bytes="));
    QVERIFY2(resumed, "the second download did not resume the kept part");
}

void TestHubClient::twoDownloadsAtOnceShareTheCache()
{
    auto server = startHub({ QStringLiteral("--slow"), QStringLiteral("2000000") });
    const hub::HubSettings settings = settingsFor(*server);
    std::string results[2];
    std::string errors[2];
    std::thread threads[2];
    for (int i = 0; i < 2; ++i) {
        threads[i] = std::thread([&, i] {
            try {
                results[i] = hub::snapshotDownload(settings, repoRef(), {});
            } catch (const std::exception &e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + errors[1]).c_str());
    verifySharedDownload(*server, QString::fromStdString(results[0]), QString::fromStdString(results[1]));
}

void TestHubClient::twoProcessesAtOnceShareTheCache()
{
    auto server = startHub({ QStringLiteral("--slow"), QStringLiteral("2000000") });
    QProcess processes[2];
    for (QProcess &process : processes) {
        process.start(QStringLiteral(PAIRTUNE_HUB_DOWNLOAD), { server->endpoint(), m_cache, kRepo });
        QVERIFY(process.waitForStarted(10000));
    }
    QString results[2];
    for (int i = 0; i < 2; ++i) {
        QVERIFY(processes[i].waitForFinished(60000));
        QVERIFY2(processes[i].exitCode() == 0, processes[i].readAllStandardError().constData());
        results[i] = QString::fromLocal8Bit(processes[i].readAllStandardOutput()).trimmed();
    }
    verifySharedDownload(*server, results[0], results[1]);
}

void TestHubClient::verifySharedDownload(
    const StandinHub &server, const QString &first, const QString &second)
{
    QCOMPARE(first, second);
    verifyCompleteCache(first);
    int lfsGets = 0;
    for (const QJsonObject &r : server.requests())
        lfsGets += r.value(QStringLiteral("path")).toString().startsWith(QStringLiteral("/lfs/")) ? 1 : 0;
    QCOMPARE(lfsGets, 2); // the lock let one of them fetch each blob, the other found it in place
}

void TestHubClient::fullDiskNamesTheCacheFolder()
{
    auto server = startHub(); // before the limit: the server itself must not be limited
    // A file-size limit makes writes past 100 kB fail (EFBIG) as a full disk would (ENOSPC), through the
    // same path; SIGXFSZ is ignored so the write returns the error instead of killing the test.
    rlimit old {};
    getrlimit(RLIMIT_FSIZE, &old);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 100000;
    setrlimit(RLIMIT_FSIZE, &small);
    Error::Kind kind {};
    const QString error = downloadError(settingsFor(*server), repoRef(), &kind);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    QVERIFY2(kind == Error::Kind::Io && error.contains(m_cache)
            && error.contains(QStringLiteral("File too large")),
        qPrintable(error));
    QVERIFY(!QFileInfo::exists(storage(m_cache) + QStringLiteral("/refs/main")));
}

QTEST_GUILESS_MAIN(TestHubClient)
#include "tst_hubclient.moc"
