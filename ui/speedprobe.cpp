#include "ui/speedprobe.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "train/precision.h"
#include "ui/backgroundtask.h"

#include <exception>
#include <variant>

namespace pairtune::ui {
namespace {

// What changes the cost of a step; the learning rate, epochs and the schedule do not.
std::string key(const std::string &folder, const TrainingConfig &c, const PairDataset *dataset)
{
    return folder + '\n' + std::to_string(reinterpret_cast<std::uintptr_t>(dataset)) + '\n'
        + std::to_string(c.batchSize) + ' ' + std::to_string(c.maxSeqLength) + ' ' + c.loss + ' '
        + (c.dropout ? "d" : "-") + (usesBf16(c) ? "b" : "-") + ' ' + c.device + ' '
        + std::to_string(c.threads)
        + (c.gradCache ? " gradcache " + std::to_string(c.miniBatchSize) : std::string());
}

} // namespace

struct SpeedProbe::Request
{
    std::string key;
    std::string diskKey;
    StepTimingRequest request;
};

SpeedProbe::SpeedProbe(QObject *parent)
    : QObject(parent)
    , m_generation(std::make_shared<std::atomic<int>>(0))
{ }

SpeedProbe::~SpeedProbe()
{
    ++*m_generation; // a running measurement sees this and stops after its current step
}

void SpeedProbe::pause()
{
    m_pending.reset();
    if (m_running)
        ++*m_generation;
}

const MeasuredStepTiming *SpeedProbe::timing(
    const std::string &modelFolder, const TrainingConfig &config, std::shared_ptr<const PairDataset> dataset)
{
    if (modelFolder.empty() || !dataset || dataset->empty() || config.batchSize <= 0)
        return nullptr;
    const std::string k = key(modelFolder, config, dataset.get());
    if (const auto found = m_timings.find(k); found != m_timings.end())
        return &found->second;
    if (const auto failed = m_failures.find(k); failed != m_failures.end()) {
        m_lastError = failed->second;
        return nullptr;
    }
    if (k == m_runningKey || (m_pending && m_pending->key == k))
        return nullptr;
    std::vector<std::pair<std::string, std::string>> pairs = stepTimingSample(*dataset);
    auto [diskKey, added] = m_diskKeys.try_emplace(k);
    if (added)
        diskKey->second = stepTimingKey(modelFolder, config, pairs);
    // Measured at an earlier start of the studio on this computer, with everything that matters the same.
    if (std::optional<MeasuredStepTiming> stored = loadStepTiming(diskKey->second))
        return &(m_timings[k] = std::move(*stored));
    m_pending = std::make_unique<Request>();
    m_pending->key = k;
    m_pending->diskKey = diskKey->second;
    m_pending->request.modelFolder = modelFolder;
    m_pending->request.config = config;
    m_pending->request.pairs = std::move(pairs);
    startNext();
    return nullptr;
}

void SpeedProbe::measureAgain(
    const std::string &modelFolder, const TrainingConfig &config, std::shared_ptr<const PairDataset> dataset)
{
    if (!dataset)
        return;
    const std::string k = key(modelFolder, config, dataset.get());
    if (const auto diskKey = m_diskKeys.find(k); diskKey != m_diskKeys.end())
        forgetStepTiming(diskKey->second);
    m_diskKeys.erase(k); // the folder is read again too
    m_timings.erase(k);
    m_failures.erase(k);
    timing(modelFolder, config, std::move(dataset));
}

void SpeedProbe::startNext()
{
    if (m_running || !m_pending)
        return;
    m_running = true;
    m_runningKey = m_pending->key;
    const std::string diskKey = m_pending->diskKey;
    StepTimingRequest request = std::move(m_pending->request);
    m_pending.reset();
    // Paused or gone: stop after the current step (a newer request waits for this one instead).
    const std::string runningKey = m_runningKey;
    const int generation = *m_generation;
    request.cancelled = [counter = m_generation, generation] { return *counter != generation; };
    using Outcome = std::variant<StepTiming, QString>;
    runInBackground<Outcome>(
        this,
        [request = std::move(request)]() -> Outcome {
            try {
                return measureStepTiming(request);
            } catch (const std::exception &error) {
                return QString::fromUtf8(error.what());
            }
        },
        [this, runningKey, diskKey, generation](const Outcome &outcome) {
            m_running = false;
            m_runningKey.clear();
            if (*m_generation != generation) { // paused: neither a timing nor a failure
                startNext();
                return;
            }
            if (const auto *timing = std::get_if<StepTiming>(&outcome)) {
                const MeasuredStepTiming measured { *timing, QDateTime::currentDateTimeUtc() };
                m_timings[runningKey] = measured;
                storeStepTiming(diskKey, measured);
            } else {
                m_failures[runningKey] = std::get<QString>(outcome);
                m_lastError = std::get<QString>(outcome);
            }
            startNext();
            Q_EMIT measured();
        });
}

} // namespace pairtune::ui
