#pragma once

#include "data/pairfilewriter.h"
#include "recipe/trainingconfig.h"
#include "train/trainer.h"
#include "train/trainingevent.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

class QTimer;

namespace pairtune::ui {

// A new run as the studio starts it: the configuration, and the pairs the worker writes to their
// path (which config.dataPaths names) before the trainer reads them; pairs is empty when the run
// reads the user's files as they are.
struct RunStart
{
    TrainingConfig config;
    PairsToWrite pairs;
};

// Runs the engine's trainer on a worker thread for the GUI (docs/architecture.md "Threads"):
// - the engine's callback only appends events to a buffer under a mutex; a GUI-side timer drains it
//   at most every kDrainIntervalMs, so the charts repaint at most ~25 times a second however fast
//   the steps are;
// - cancelling sets an atomic flag that the trainer polls before each step (never a queued slot: a
//   busy worker would not see it); the trainer then writes a checkpoint and returns;
// - every exception is caught on the worker and comes back as failed(message);
// - the destructor requests a stop and joins, so the worker never outlives the controller;
// - pairs prepared in memory (cleaned or re-mapped on the Data page) are written on the worker too,
//   before the trainer reads them: a big file never freezes the window.
class TrainingController : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDrainIntervalMs = 40;

    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    // Starts a new run (config.outPath is the run folder), first writing pairs (when set) on the
    // worker; a failed write comes back as failed(message). False when a run is already going.
    bool start(const TrainingConfig &config, PairsToWrite pairs = {});
    // Continues the run in runPath from its newest complete checkpoint.
    bool resume(const QString &runPath, int threads = 0);
    // Asks the trainer to stop before its next step; finished() follows with result.cancelled.
    void requestStop();
    bool isRunning() const { return m_running; }
    bool stopRequested() const { return m_stop.load(); }
    // Blocks until the worker has ended (its finished/failed signal is still delivered later).
    void waitForFinished();
    QString runPath() const { return m_runPath; }

Q_SIGNALS:
    void runningChanged(bool running);
    // Events in the order the trainer sent them, delivered in batches on the GUI thread.
    void eventsReady(const std::vector<pairtune::TrainingEvent> &events);
    void finished(const pairtune::TrainingResult &result);
    void failed(const QString &message);

private:
    bool launch(const QString &runPath, std::function<TrainingResult(const TrainingCallbacks &)> job);
    void drain();
    void workerDone();

    std::thread m_worker;
    std::atomic<bool> m_stop { false };
    bool m_running = false;
    QString m_runPath;
    QTimer *m_drainTimer = nullptr;

    std::mutex m_mutex; // guards everything below
    std::vector<TrainingEvent> m_pending;
    std::optional<TrainingResult> m_result;
    QString m_error;
};

} // namespace pairtune::ui
