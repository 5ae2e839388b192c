// pairtune-hub-screenshots: the Model page's Hugging Face Hub side for docs/screenshots
// (scripts/screenshots.sh runs it under Xvfb). Everything comes from the stand-in Hub server
// (tests/common/standin_hub.py on 127.0.0.1, HF_ENDPOINT pointing at it) and a throw-away Hub cache:
// a small model is downloaded for real, so the cache lists it, then a larger one is fetched from the
// server's slow mode and pictured mid-download. Not a test: it asserts nothing, but it exits non-zero
// when a step does not reach the state it waits for.

#include "studiofixture.h"
#include "ui/datapage.h"
#include "ui/hubdownload.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <filesystem>
#include <memory>

using namespace pairtune::ui;

namespace {

bool waitFor(const std::function<bool()> &condition, int ms, const char *what)
{
    if (QTest::qWaitFor(condition, ms))
        return true;
    std::fprintf(stderr, "pairtune-hub-screenshots: timed out waiting for %s\n", what);
    return false;
}

bool shoot(QWidget *window, const QString &folder, const QString &name)
{
    QTest::qWait(400); // let queued layouts settle
    const QString path = QDir(folder).filePath(name + QStringLiteral(".png"));
    if (!window->grab().save(path)) {
        std::fprintf(stderr, "pairtune-hub-screenshots: cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("wrote %s\n", qPrintable(path));
    return true;
}

// The stand-in Hub serving reposDir; it exits when its stdin closes (when this object goes).
class StandinHub
{
public:
    ~StandinHub()
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
    bool start(const QString &reposDir, const QStringList &options)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral("/usr/bin/python3"),
            QStringList { QStringLiteral(PAIRTUNE_SOURCE_DIR "/tests/common/standin_hub.py"), reposDir }
                + options);
        if (!m_process.waitForStarted(10000))
            return false;
        while (!m_process.canReadLine())
            if (!m_process.waitForReadyRead(15000))
                return false;
        const int port = m_process.readLine().trimmed().toInt();
        qputenv("HF_ENDPOINT", QStringLiteral("http://127.0.0.1:%1").arg(port).toUtf8());
        return port > 0;
    }

private:
    QProcess m_process;
};

// reposDir/owner/name: a model folder, its weights in LFS as on huggingface.co.
bool addRepo(const QString &reposDir, const QString &repoId, const QString &modelFolder)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path repo = fs::path(reposDir.toStdString()) / repoId.toStdString();
    fs::create_directories(repo.parent_path(), ec);
    fs::copy(modelFolder.toStdString(), repo, fs::copy_options::recursive, ec);
    QFile options(reposDir + QLatin1Char('/') + repoId + QStringLiteral(".json"));
    return !ec && options.open(QIODevice::WriteOnly) && options.write("{\"lfs\": [\"*.safetensors\"]}") > 0;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationName(QStringLiteral("Pairtune screenshots"));
    studiotest::isolateSettings(); // never touch the user's own preferences

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption out(
        QStringLiteral("out"), QStringLiteral("Folder for the PNG files."), QStringLiteral("folder"));
    const QCommandLineOption width(QStringLiteral("width"), QStringLiteral("Window width."),
        QStringLiteral("px"), QStringLiteral("1280"));
    const QCommandLineOption height(QStringLiteral("height"), QStringLiteral("Window height."),
        QStringLiteral("px"), QStringLiteral("860"));
    parser.addOptions({ out, width, height });
    parser.process(app);
    const QString shots = parser.value(out);
    if (shots.isEmpty() || !QDir().mkpath(shots)) {
        std::fprintf(stderr, "pairtune-hub-screenshots: give a writable --out folder\n");
        return 2;
    }

    // A private Hub cache and no token: nothing of the user's is read or written.
    QTemporaryDir work;
    qputenv("HF_HOME", work.filePath(QStringLiteral("hf-home")).toUtf8());
    qputenv("HF_HUB_CACHE", work.filePath(QStringLiteral("hf-home/hub")).toUtf8());
    for (const char *name : { "HF_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE" })
        qunsetenv(name);
    const QString repos = work.filePath(QStringLiteral("repos"));
    const QString small = work.filePath(QStringLiteral("small"));
    const QString larger = work.filePath(QStringLiteral("larger"));
    for (const QString &error : { studiotest::createModel(small, 2, 64, 4, 128, 128),
             studiotest::createModel(larger, 4, 256, 4, 512, 256) })
        if (!error.isEmpty()) {
            std::fprintf(stderr, "pairtune-hub-screenshots: %s\n", qPrintable(error));
            return 1;
        }
    if (!addRepo(repos, QStringLiteral("pairtune-demo/support-bert-mini"), small)
        || !addRepo(repos, QStringLiteral("pairtune-demo/support-bert-small"), larger))
        return 1;
    const QString data = work.filePath(QStringLiteral("pairs.tsv"));
    if (!studiotest::writePairFile(data, 60))
        return 1;

    MainWindow window;
    window.resize(parser.value(width).toInt(), parser.value(height).toInt());
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    window.dataPage()->addFiles({ data });
    if (!waitFor([&] { return window.dataPage()->isComplete(); }, 30000, "the data"))
        return 1;
    window.goNext();
    ModelPage *page = window.modelPage();

    // 1. A small model fetched from the (fast) stand-in Hub: it is now in the cache, with its summary.
    {
        StandinHub hub;
        if (!hub.start(repos, {}))
            return 1;
        page->chooseHubModel(QStringLiteral("pairtune-demo/support-bert-mini"));
        if (!waitFor([&] { return page->isComplete(); }, 120000, "the first download"))
            return 1;
    }
    bool listed = false;
    QObject::connect(page, &ModelPage::cacheRefreshed, &window, [&] { listed = true; });
    page->refreshHubCache();
    if (!waitFor([&] { return listed; }, 10000, "the cache listing"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("2-model-hub")))
        return 1;

    // 2. A larger model from the server's slow mode, pictured a third of the way through.
    StandinHub slowHub;
    if (!slowHub.start(repos, { QStringLiteral("--slow"), QStringLiteral("1500000") }))
        return 1;
    page->chooseHubModel(QStringLiteral("pairtune-demo/support-bert-small"));
    HubDownload *download = page->hubDownload();
    if (!waitFor(
            [&] {
                const auto p = download->progress();
                return p.bytesTotal > 0 && p.bytesDone * 3 > p.bytesTotal && p.bytesPerSecond > 0;
            },
            120000, "the slow download"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("2-model-hub-download")))
        return 1;
    page->cancelDownload();
    if (!waitFor([&] { return !page->isDownloading(); }, 10000, "the cancel"))
        return 1;
    return 0;
}
