#pragma once

// Measures how fast the chosen model trains on this computer at the chosen settings (a few real steps,
// train/steptiming.h) on a worker thread, so the Settings page's time estimate comes from measurement
// instead of a guess. Only what changes a step's cost starts a new measurement (model, data, batch
// size, max length, loss, dropout, bf16, device, threads); earlier results are kept per setting, and on
// disk (ui/speedcache.h) so the next start of the studio shows the measured estimate at once.

#include "recipe/trainingconfig.h"
#include "train/steptiming.h"
#include "ui/speedcache.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <map>
#include <memory>

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class SpeedProbe : public QObject
{
    Q_OBJECT

public:
    explicit SpeedProbe(QObject *parent = nullptr);
    ~SpeedProbe() override;

    // The timing for these inputs if it was measured (now or at an earlier start on this computer), else
    // null; starts measuring it (one measurement at a time: the newest request wins) unless it is
    // running or failed already.
    const MeasuredStepTiming *timing(const std::string &modelFolder, const TrainingConfig &config,
        std::shared_ptr<const PairDataset> dataset);
    // Forgets the timing for these inputs, here and on disk, and measures it again ("Measure again":
    // the computer was busy, or got faster).
    void measureAgain(const std::string &modelFolder, const TrainingConfig &config,
        std::shared_ptr<const PairDataset> dataset);
    bool measuring() const { return m_running; }
    // Stops the running measurement after its current step and forgets the waiting one, so it does not
    // compete with a training run for the cores; the next timing() call starts it again.
    void pause();
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void measured(); // a timing arrived (or a measurement failed): ask timing() again

private:
    struct Request;
    void startNext();

    // By the in-memory key (model folder, data set, settings); each entry also knows its disk key
    // (ui/speedcache.h), which is slower to compute: it reads the folder and hashes the sampled texts.
    std::map<std::string, MeasuredStepTiming> m_timings;
    std::map<std::string, std::string> m_diskKeys;
    std::map<std::string, QString> m_failures;
    std::unique_ptr<Request> m_pending;
    std::string m_runningKey;
    bool m_running = false;
    // Bumped by pause() and the destructor: a worker started under an older generation stops and its
    // result is dropped (read from the worker thread, hence atomic).
    std::shared_ptr<std::atomic<int>> m_generation;
    QString m_lastError;
};

} // namespace pairtune::ui
