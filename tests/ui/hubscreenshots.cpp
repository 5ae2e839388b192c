// pairtune-hub-screenshots: the Model page's Hugging Face Hub side for docs/screenshots
// (scripts/screenshots.sh runs it under Xvfb). Everything comes from the stand-in Hub server
// (tests/common/standin_hub.py on 127.0.0.1, HF_ENDPOINT pointing at it) and a throw-away Hub cache:
// a small model is downloaded for real, so the cache lists it, then a larger one is fetched from the
// server's slow mode and pictured mid-download. Not a test: it asserts nothing, but it exits non-zero
// when a step does not reach the state it waits for.

#include "screenshotkit.h"
#include "standinhubserver.h"
#include "studiofixture.h"
#include "ui/datapage.h"
#include "ui/hubdownload.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"

#include <QApplication>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace pairtune::ui;
using screenshots::shoot;
using screenshots::waitFor;

namespace {

const QString kStandinHub = QStringLiteral(PAIRTUNE_SOURCE_DIR "/tests/common/standin_hub.py");

// Starts the stand-in Hub and points HF_ENDPOINT at it.
bool startHub(studiotest::StandinHubServer &hub, const QString &repos, const QStringList &options)
{
    const QString endpoint = hub.start(kStandinHub, repos, options);
    if (endpoint.isEmpty()) {
        screenshots::fail(QStringLiteral("the stand-in Hub did not start: ") + hub.errors());
        return false;
    }
    qputenv("HF_ENDPOINT", endpoint.toUtf8());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto options = screenshots::setUp(app);
    if (!options)
        return 2;
    const QString shots = options->out;

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
            screenshots::fail(error);
            return 1;
        }
    if (!studiotest::addStandinRepo(repos, QStringLiteral("pairtune-demo/support-bert-mini"), small)
        || !studiotest::addStandinRepo(repos, QStringLiteral("pairtune-demo/support-bert-small"), larger))
        return 1;
    const QString data = work.filePath(QStringLiteral("pairs.tsv"));
    if (!studiotest::writePairFile(data, 60))
        return 1;

    MainWindow window;
    window.resize(options->width, options->height);
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
        studiotest::StandinHubServer hub;
        if (!startHub(hub, repos, {}))
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
    studiotest::StandinHubServer slowHub;
    if (!startHub(slowHub, repos, { QStringLiteral("--slow"), QStringLiteral("1500000") }))
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
