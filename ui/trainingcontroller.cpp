#include "ui/trainingcontroller.h"

#include "core/error.h"

#include <QMetaObject>
#include <QTimer>

#include <exception>

namespace pairtune::ui {

TrainingController::TrainingController(QObject *parent)
    : QObject(parent)
{
    m_drainTimer = new QTimer(this);
    m_drainTimer->setInterval(kDrainIntervalMs);
    connect(m_drainTimer, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController()
{
    requestStop();
    waitForFinished();
}

bool TrainingController::start(const TrainingConfig &config, PairsToWrite pairs)
{
    return launch(QString::fromStdString(config.outPath),
        [config, pairs = std::move(pairs)](const TrainingCallbacks &callbacks) {
            pairs.write();
            return runTraining(config, callbacks);
        });
}

bool TrainingController::resume(const QString &runPath, int threads)
{
    const std::string path = runPath.toStdString();
    return launch(runPath, [path, threads](const TrainingCallbacks &callbacks) {
        return resumeTraining(path, callbacks, threads);
    });
}

bool TrainingController::launch(
    const QString &runPath, std::function<TrainingResult(const TrainingCallbacks &)> job)
{
    if (m_running)
        return false;
    waitForFinished(); // a previous worker that ended but was not joined yet
    m_stop = false;
    m_running = true;
    m_runPath = runPath;
    {
        const std::lock_guard lock(m_mutex);
        m_pending.clear();
        m_result.reset();
        m_error.clear();
    }
    m_drainTimer->start();
    Q_EMIT runningChanged(true);

    m_worker = std::thread([this, job = std::move(job)] {
        TrainingCallbacks callbacks;
        callbacks.onEvent = [this](const TrainingEvent &event) {
            const std::lock_guard lock(m_mutex);
            m_pending.push_back(event);
        };
        callbacks.stopRequested = [this] { return m_stop.load(); };
        std::optional<TrainingResult> result;
        QString error;
        // Nothing may escape this thread: an exception here would terminate the whole program.
        try {
            result = job(callbacks);
        } catch (const Error &e) {
            error = QString::fromUtf8(e.what());
        } catch (const std::bad_alloc &) {
            error = tr("The computer ran out of memory while training. Lower the batch size or the maximum "
                       "sequence length and try again.");
        } catch (const std::exception &e) {
            error = tr("The training engine stopped with an unexpected error: %1")
                        .arg(QString::fromUtf8(e.what()));
        } catch (...) {
            error = tr("The training engine stopped with an unknown error.");
        }
        {
            const std::lock_guard lock(m_mutex);
            m_result = std::move(result);
            m_error = error;
        }
        QMetaObject::invokeMethod(this, &TrainingController::workerDone, Qt::QueuedConnection);
    });
    return true;
}

void TrainingController::requestStop()
{
    m_stop = true;
}

void TrainingController::waitForFinished()
{
    if (m_worker.joinable())
        m_worker.join();
}

void TrainingController::drain()
{
    std::vector<TrainingEvent> events;
    {
        const std::lock_guard lock(m_mutex);
        events.swap(m_pending);
    }
    if (!events.empty())
        Q_EMIT eventsReady(events);
}

void TrainingController::workerDone()
{
    if (!m_running)
        return;
    waitForFinished();
    m_drainTimer->stop();
    drain(); // the last events (Finished, the final checkpoint) before the result
    std::optional<TrainingResult> result;
    QString error;
    {
        const std::lock_guard lock(m_mutex);
        result = std::move(m_result);
        m_result.reset();
        error = m_error;
    }
    m_running = false;
    Q_EMIT runningChanged(false);
    if (result)
        Q_EMIT finished(*result);
    else
        Q_EMIT failed(error);
}

} // namespace pairtune::ui
