#include "ui/hubdownload.h"

#include "core/error.h"
#include "train/basemodel.h"
#include "ui/backgroundtask.h"

#include <QTimer>

#include <atomic>
#include <mutex>

namespace pairtune::ui {

// Shared by the GUI thread and the download's thread; outlives the HubDownload when the window
// closes mid-download (the thread then only sees the cancel flag).
struct HubDownload::State
{
    std::atomic<bool> cancelRequested { false };
    std::mutex mutex;
    hub::DownloadProgress latest; // guarded by mutex
    bool updated = false; // guarded by mutex
};

namespace {

struct DownloadResult
{
    QString folder;
    QString error;
    bool cancelled = false;
};

} // namespace

HubDownload::HubDownload(QObject *parent)
    : QObject(parent)
    , m_poll(new QTimer(this))
{
    m_poll->setInterval(150);
    connect(m_poll, &QTimer::timeout, this, &HubDownload::publishProgress);
}

HubDownload::~HubDownload()
{
    if (m_state)
        m_state->cancelRequested = true;
}

bool HubDownload::isCancelling() const
{
    return m_state && m_state->cancelRequested;
}

void HubDownload::start(const QString &repoId, const QString &revision)
{
    abandon();
    auto state = std::make_shared<State>();
    m_state = state;
    m_repoId = repoId;
    m_revision = revision;
    m_progress = {};
    m_progress.repoId = repoId.toStdString();
    m_poll->start();
    Q_EMIT progressChanged();
    runInBackground<DownloadResult>(
        this,
        [state, repo = repoId.toStdString(), rev = revision.toStdString()]() {
            DownloadResult result;
            ModelResolveOptions options;
            options.revision = rev;
            options.progress = [state](const hub::DownloadProgress &progress) {
                const std::lock_guard lock(state->mutex);
                state->latest = progress;
                state->updated = true;
            };
            options.cancel = [state] { return state->cancelRequested.load(); };
            try {
                result.folder = QString::fromStdString(resolveModel(repo, options));
            } catch (const Error &error) {
                result.error = QString::fromUtf8(error.what());
                result.cancelled = error.kind() == Error::Kind::Cancelled;
            } catch (const std::exception &error) {
                result.error = tr("%1 could not be downloaded: %2")
                                   .arg(QString::fromStdString(repo), QString::fromUtf8(error.what()));
            }
            // A cancel that came too late to stop anything still means the user no longer wants it.
            if (state->cancelRequested && result.error.isEmpty()) {
                result.folder.clear();
                result.cancelled = true;
            }
            return result;
        },
        [this, state](const DownloadResult &result) {
            if (state != m_state)
                return; // replaced by a newer download
            publishProgress();
            m_state.reset();
            m_poll->stop();
            if (result.cancelled)
                Q_EMIT failed(
                    result.error.isEmpty() ? tr("The download was cancelled.") : result.error, true);
            else if (!result.error.isEmpty())
                Q_EMIT failed(result.error, false);
            else
                Q_EMIT finished(result.folder);
        });
}

void HubDownload::cancel()
{
    if (!m_state || m_state->cancelRequested)
        return;
    m_state->cancelRequested = true;
    Q_EMIT progressChanged(); // isCancelling() changed
}

void HubDownload::abandon()
{
    if (!m_state)
        return;
    m_state->cancelRequested = true;
    m_state.reset();
    m_poll->stop();
    Q_EMIT progressChanged(); // isRunning() changed
}

void HubDownload::publishProgress()
{
    if (!m_state)
        return;
    {
        const std::lock_guard lock(m_state->mutex);
        if (!m_state->updated)
            return;
        m_progress = m_state->latest;
        m_state->updated = false;
    }
    Q_EMIT progressChanged();
}

} // namespace pairtune::ui
