#pragma once

#include "hub/hubclient.h"

#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace pairtune::ui {

// One Hub model being fetched into the Hugging Face cache by the engine (resolveModel, which picks the
// files a sentence-transformers model needs), on Qt's thread pool so the window never freezes. The
// engine's progress callback only stores the newest numbers; a timer on the GUI thread publishes them a
// few times a second. Cancel sets the flag the engine's cancel callback reads.
class HubDownload : public QObject
{
    Q_OBJECT

public:
    explicit HubDownload(QObject *parent = nullptr);
    // Cancels a running download (its thread ends at the engine's next cancel check).
    ~HubDownload() override;

    // Starts fetching repoId@revision. A download already running is cancelled and its result dropped.
    void start(const QString &repoId, const QString &revision);
    // Asks the running download to stop; failed(..., true) follows once the engine has stopped.
    void cancel();
    // Cancels the running download and forgets it at once: no signal follows (for a new choice that
    // replaces it).
    void abandon();
    bool isRunning() const { return m_state != nullptr; }
    bool isCancelling() const;
    QString repoId() const { return m_repoId; }
    QString revision() const { return m_revision; }
    // The newest progress the engine reported (zeros before the first report).
    hub::DownloadProgress progress() const { return m_progress; }

Q_SIGNALS:
    void progressChanged();
    // The snapshot folder with every file the model needs.
    void finished(const QString &folder);
    // The engine's message; cancelled when the user asked to stop.
    void failed(const QString &message, bool cancelled);

private:
    struct State;
    void publishProgress();

    std::shared_ptr<State> m_state; // of the running download; null when none runs
    QString m_repoId;
    QString m_revision;
    hub::DownloadProgress m_progress;
    QTimer *m_poll = nullptr;
};

} // namespace pairtune::ui
