// The Model page's Hugging Face Hub side: the suggested models, the local Hub cache (a folder laid out
// as huggingface_hub lays it out, found without network), repo id validation, and downloads through the
// stand-in Hub server (tests/common/standin_hub.py on 127.0.0.1) with progress and Cancel.

#include "hub/hubclient.h"
#include "recipe/trainingconfig.h"
#include "standinhubserver.h"
#include "studiofixture.h"
#include "ui/downloadtext.h"
#include "ui/hubdownload.h"
#include "ui/hubdownloadpanel.h"
#include "ui/hubmodelpicker.h"
#include "ui/loadedmodel.h"
#include "ui/modelpage.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QLocale>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <arpa/inet.h>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;
const QString kStandinHub = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/../common/standin_hub.py");
const QString kCommit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");

// Puts the files of modelFolder into cache as huggingface_hub's file_download.py does for repoId:
// blobs named by their sha256, snapshots/<commit>/<file> as relative symlinks to them, refs/main
// holding the commit (no newline).
bool addToHubCache(const QString &cache, const QString &repoId, const QString &modelFolder)
{
    namespace fs = std::filesystem;
    const fs::path repo = fs::path(cache.toStdString())
        / ("models--" + repoId.toStdString().replace(repoId.indexOf(QLatin1Char('/')), 1, "--"));
    std::error_code ec;
    fs::create_directories(repo / "blobs", ec);
    fs::create_directories(repo / "refs", ec);
    QDirIterator it(modelFolder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        const QByteArray bytes = file.readAll();
        const std::string sha
            = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().toStdString();
        QFile blob(QString::fromStdString((repo / "blobs" / sha).string()));
        if (!blob.open(QIODevice::WriteOnly) || blob.write(bytes) != bytes.size())
            return false;
        const fs::path relative = QDir(modelFolder).relativeFilePath(path).toStdString();
        const fs::path link = repo / "snapshots" / kCommit.toStdString() / relative;
        fs::create_directories(link.parent_path(), ec);
        fs::path target = "../..";
        for (auto part = relative.begin(); std::next(part) != relative.end(); ++part)
            target /= "..";
        fs::create_symlink(target / "blobs" / sha, link, ec);
        if (ec)
            return false;
    }
    QFile ref(QString::fromStdString((repo / "refs" / "main").string()));
    return ref.open(QIODevice::WriteOnly) && ref.write(kCommit.toLatin1()) == kCommit.size();
}

// An endpoint where nothing listens: any attempt to use the network fails at once.
QString deadEndpoint()
{
    // Binding port 0 picks a free port; closing the socket leaves it free (and refusing connections).
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 9; // discard: nothing listens there on a test machine
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        ::close(fd);
    return QStringLiteral("http://127.0.0.1:%1").arg(port);
}

QTreeWidgetItem *findItem(QTreeWidgetItem *group, const QString &repoId)
{
    for (int i = 0; i < group->childCount(); ++i)
        if (group->child(i)->data(0, HubModelPicker::RepoRole).toString() == repoId)
            return group->child(i);
    return nullptr;
}

} // namespace

class TestModelHub : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model; // a tiny sentence-transformers folder made by pairtune-cli create

    // A fresh, empty Hub cache and an endpoint; HF_HOME is private too, so no token file is read.
    QString useFreshCache(const QString &name, const QString &endpoint)
    {
        const QString home = m_dir.filePath(name);
        QDir().mkpath(home + QStringLiteral("/hub"));
        qputenv("HF_HOME", home.toUtf8());
        qputenv("HF_HUB_CACHE", (home + QStringLiteral("/hub")).toUtf8());
        qputenv("HF_ENDPOINT", endpoint.toUtf8());
        return home + QStringLiteral("/hub");
    }

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        for (const char *name : { "HF_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "HF_HUB_DOWNLOAD_TIMEOUT" })
            qunsetenv(name);
        qputenv("HF_HUB_DOWNLOAD_TIMEOUT", "5");
        m_model = m_dir.filePath(QStringLiteral("tiny"));
        const QString error = studiotest::createTinyModel(m_model);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void progressInWords()
    {
        QCOMPARE(bytesProgressText(12'300'000, 90'900'000), QStringLiteral("12.3 MB of 90.9 MB"));
        QCOMPARE(bytesProgressText(512, 0), QStringLiteral("512 bytes"));
        QCOMPARE(transferRateText(4'100'000), QStringLiteral("4.1 MB/s"));
        QCOMPARE(transferRateText(0), QString());
        // 78.6 MB left at 4.1 MB/s: 19.2 s.
        QCOMPARE(downloadProgressText(12'300'000, 90'900'000, 4'100'000),
            QStringLiteral("12.3 MB of 90.9 MB · 4.1 MB/s · about 19 s left"));
        QCOMPARE(secondsLeft(1, 0, 1000), -1.0); // no total
        QCOMPARE(secondsLeft(1, 10, 0), -1.0); // no rate yet
        QCOMPARE(downloadProgressText(3'000'000, 0, 0), QStringLiteral("3.0 MB"));
    }

    void suggestedModelsAreListed()
    {
        useFreshCache(QStringLiteral("empty"), deadEndpoint());
        ModelPage page;
        HubModelPicker *picker = page.hubPicker();
        QTreeWidgetItem *suggested = picker->suggestedGroup();
        for (const char *repoId : { "sentence-transformers/all-MiniLM-L6-v2", "BAAI/bge-small-en-v1.5",
                 "intfloat/e5-small-v2", "sentence-transformers/multi-qa-MiniLM-L6-cos-v1",
                 "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2" })
            QVERIFY2(findItem(suggested, QString::fromLatin1(repoId)), repoId);
        // The recipe's default comes first, with its size and language.
        QTreeWidgetItem *first = suggested->child(0);
        QCOMPARE(first->text(0), QStringLiteral("sentence-transformers/all-MiniLM-L6-v2"));
        QVERIFY(first->text(1).contains(QStringLiteral("22.7M")));
        QVERIFY(first->text(1).contains(QStringLiteral("MB")));
        QCOMPARE(first->text(2), QStringLiteral("English"));
        QVERIFY(
            findItem(suggested, QStringLiteral("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"))
                ->text(2)
                .contains(QStringLiteral("50+")));
        // Picking one fills the fields.
        picker->modelList()->setCurrentItem(findItem(suggested, QStringLiteral("BAAI/bge-small-en-v1.5")));
        QCOMPARE(picker->repoIdEdit()->text(), QStringLiteral("BAAI/bge-small-en-v1.5"));
        QCOMPARE(picker->revisionEdit()->text(), QStringLiteral("main"));
        QVERIFY(picker->useButton()->isEnabled());
    }

    void invalidRepoIdsAreRefused()
    {
        useFreshCache(QStringLiteral("invalid"), deadEndpoint());
        ModelPage page;
        HubModelPicker *picker = page.hubPicker();
        for (const char *bad :
            { "owner/bad--name", "owner/name/extra", "../etc", "owner/with space", "a..b" }) {
            picker->repoIdEdit()->setText(QString::fromLatin1(bad));
            QVERIFY2(!picker->useButton()->isEnabled(), bad);
            QVERIFY2(!picker->repoIdProblem().isEmpty(), bad);
        }
        // A bare name is a sentence-transformers model, as SentenceTransformer(name) reads it.
        picker->repoIdEdit()->setText(QStringLiteral("all-MiniLM-L6-v2"));
        QVERIFY(picker->useButton()->isEnabled());

        page.chooseHubModel(QStringLiteral("owner/bad--name"));
        QVERIFY(!page.isDownloading());
        QVERIFY(!page.isComplete());
        QVERIFY2(page.errorText().contains(QStringLiteral("not a valid Hugging Face repo id")),
            qPrintable(page.errorText()));
    }

    void cachedModelsAreListedAndLoadWithoutNetwork()
    {
        // Nothing listens at the endpoint: a model found in the cache must not need it.
        const QString cache = useFreshCache(QStringLiteral("cached"), deadEndpoint());
        QVERIFY(addToHubCache(cache, QStringLiteral("acme/tiny-bert"), m_model));
        QVERIFY(addToHubCache(cache, QStringLiteral("sentence-transformers/all-MiniLM-L6-v2"), m_model));

        ModelPage page;
        QSignalSpy refreshed(&page, &ModelPage::cacheRefreshed);
        page.refreshHubCache();
        QVERIFY(refreshed.wait(kWaitMs));
        HubModelPicker *picker = page.hubPicker();
        QTreeWidgetItem *cached = findItem(picker->cachedGroup(), QStringLiteral("acme/tiny-bert"));
        QVERIFY(cached);
        QVERIFY(findItem(picker->cachedGroup(), QStringLiteral("sentence-transformers/all-MiniLM-L6-v2")));
        // The suggestion that is in the cache is marked, the others are not.
        QVERIFY(findItem(picker->suggestedGroup(), QStringLiteral("sentence-transformers/all-MiniLM-L6-v2"))
                    ->text(3)
            == QStringLiteral("✓"));
        QVERIFY(
            findItem(picker->suggestedGroup(), QStringLiteral("BAAI/bge-small-en-v1.5"))->text(3).isEmpty());

        // Choosing it loads the snapshot and shows the same summary as a folder, with no download.
        picker->modelList()->setCurrentItem(cached);
        QCOMPARE(picker->repoIdEdit()->text(), QStringLiteral("acme/tiny-bert"));
        picker->useButton()->click();
        QVERIFY(!page.isDownloading());
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QVERIFY2(page.errorText().isEmpty(), qPrintable(page.errorText()));
        QCOMPARE(page.source(), ModelPage::Source::Hub);
        const QString snapshot = cache + QStringLiteral("/models--acme--tiny-bert/snapshots/") + kCommit;
        QCOMPARE(QString::fromStdString(page.model()->folder()), snapshot);
        QCOMPARE(page.model()->summary().hidden, 32);
        // The run trains from the snapshot and records the repo, the revision asked for and the commit.
        TrainingConfig config;
        page.describeBase(config);
        QCOMPARE(QString::fromStdString(config.basePath), snapshot);
        QCOMPARE(config.baseRepoId, std::string("acme/tiny-bert"));
        QCOMPARE(config.baseRevision, std::string("main"));
        QCOMPARE(QString::fromStdString(config.baseCommit), kCommit);

        // A commit hash as the revision finds the same snapshot; a revision the cache lacks needs the
        // network, which here fails with the engine's message in the banner.
        page.chooseHubModel(QStringLiteral("acme/tiny-bert"), kCommit);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        page.chooseHubModel(QStringLiteral("acme/tiny-bert"), QStringLiteral("v2"));
        QTRY_VERIFY_WITH_TIMEOUT(!page.isDownloading(), kWaitMs);
        QVERIFY(!page.isComplete());
        QVERIFY2(page.errorText().contains(QStringLiteral("could not be downloaded")),
            qPrintable(page.errorText()));
    }

    void downloadsThroughTheHubWithProgress()
    {
        QTemporaryDir repos;
        QVERIFY(studiotest::addStandinRepo(repos.path(), QStringLiteral("acme/tiny-bert"), m_model));
        studiotest::StandinHubServer hub;
        const QString endpoint = hub.start(kStandinHub, repos.path());
        QVERIFY2(!endpoint.isEmpty(), qPrintable(hub.errors()));
        const QString cache = useFreshCache(QStringLiteral("download"), endpoint);

        ModelPage page;
        std::int64_t largestTotal = 0;
        bool sawRate = false;
        connect(page.hubDownload(), &HubDownload::progressChanged, this, [&] {
            largestTotal = std::max<std::int64_t>(largestTotal, page.hubDownload()->progress().bytesTotal);
            sawRate = sawRate || !page.downloadPanel()->bytesText().isEmpty();
        });
        page.chooseHubModel(QStringLiteral("acme/tiny-bert"));
        QVERIFY(page.isDownloading());
        QVERIFY(!page.isComplete());
        QTRY_VERIFY_WITH_TIMEOUT(!page.isDownloading(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QVERIFY2(page.errorText().isEmpty(), qPrintable(page.errorText()));
        QVERIFY(page.downloadPanel()->isHidden());
        QCOMPARE(page.hubRepoId(), QStringLiteral("acme/tiny-bert"));
        QVERIFY(QString::fromStdString(page.model()->folder())
                    .startsWith(cache + QStringLiteral("/models--acme--tiny-bert/snapshots/")));
        QCOMPARE(page.basePath(), QString::fromStdString(page.model()->folder()));
        QCOMPARE(page.model()->summary().hidden, 32);
        // Progress counted the weights' bytes at least.
        QVERIFY(largestTotal >= QFileInfo(m_model + QStringLiteral("/model.safetensors")).size());
        QCOMPARE(page.hubDownload()->progress().bytesDone, page.hubDownload()->progress().bytesTotal);
        QVERIFY(sawRate);
        // The downloaded model is now listed as cached.
        QTRY_VERIFY_WITH_TIMEOUT(
            findItem(page.hubPicker()->cachedGroup(), QStringLiteral("acme/tiny-bert")), kWaitMs);
    }

    void cancelStopsADownload()
    {
        QTemporaryDir repos;
        QVERIFY(studiotest::addStandinRepo(repos.path(), QStringLiteral("acme/tiny-bert"), m_model));
        studiotest::StandinHubServer hub;
        // 100 kB/s: the weights take tens of seconds, so Cancel lands mid-file.
        const QString endpoint
            = hub.start(kStandinHub, repos.path(), { QStringLiteral("--slow"), QStringLiteral("100000") });
        QVERIFY2(!endpoint.isEmpty(), qPrintable(hub.errors()));
        useFreshCache(QStringLiteral("cancel"), endpoint);

        ModelPage page;
        page.show();
        page.chooseHubModel(QStringLiteral("acme/tiny-bert"));
        QTRY_VERIFY_WITH_TIMEOUT(page.hubDownload()->progress().bytesDone > 0, kWaitMs);
        QVERIFY(page.downloadPanel()->isVisible());
        QVERIFY(page.downloadPanel()->fileText().contains(QStringLiteral("file")));
        QVERIFY(page.downloadPanel()->cancelButton()->isEnabled());
        QElapsedTimer clock;
        clock.start();
        page.downloadPanel()->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!page.isDownloading(), 10000);
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!page.isComplete());
        QVERIFY(!page.model());
        QVERIFY2(page.messageText().contains(QStringLiteral("cancelled")), qPrintable(page.messageText()));
        QVERIFY(page.errorText().isEmpty()); // a cancel is not an error
        QVERIFY(page.downloadPanel()->isHidden());
        // The weights never reached the snapshot (a partial blob may wait to be resumed).
        const auto snapshot
            = hub::cachedSnapshot(hub::HubSettings::fromEnvironment(), { "acme/tiny-bert", "main" });
        QVERIFY(!snapshot || !QFile::exists(QString::fromStdString(*snapshot + "/model.safetensors")));
    }
};

QTEST_MAIN(TestModelHub)
#include "tst_modelhub.moc"
