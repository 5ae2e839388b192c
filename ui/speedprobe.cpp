#include "ui/speedprobe.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "ui/backgroundtask.h"

#include <exception>
#include <variant>

namespace pairtune::ui {
namespace {

// Enough texts for a batch that looks like the data (the batch spreads over them).
constexpr std::size_t kSamplePairs = 512;

// What changes the cost of a step; the learning rate, epochs and the schedule do not.
std::string key(const std::string &folder, const TrainingConfig &c, const PairDataset *dataset)
{
    return folder + '\n' + std::to_string(reinterpret_cast<std::uintptr_t>(dataset)) + '\n'
        + std::to_string(c.batchSize) + ' ' + std::to_string(c.maxSeqLength) + ' ' + c.loss + ' '
        + (c.dropout ? "d" : "-") + (c.bf16 ? "b" : "-") + ' ' + c.device + ' ' + std::to_string(c.threads);
}

} // namespace

struct SpeedProbe::Request
{
    std::string key;
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

const StepTiming *SpeedProbe::timing(
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
    m_pending = std::make_unique<Request>();
    m_pending->key = k;
    StepTimingRequest &request = m_pending->request;
    request.modelFolder = modelFolder;
    request.config = config;
    const std::vector<PairRecord> &records = dataset->records();
    const std::size_t count = std::min(records.size(), kSamplePairs);
    for (std::size_t i = 0; i < count; ++i) {
        const PairRecord &record = records[i * records.size() / count];
        request.pairs.emplace_back(record.anchor, record.positive);
    }
    startNext();
    return nullptr;
}

void SpeedProbe::startNext()
{
    if (m_running || !m_pending)
        return;
    m_running = true;
    m_runningKey = m_pending->key;
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
        [this, runningKey, generation](const Outcome &outcome) {
            m_running = false;
            m_runningKey.clear();
            if (*m_generation != generation) { // paused: neither a timing nor a failure
                startNext();
                return;
            }
            if (const auto *timing = std::get_if<StepTiming>(&outcome)) {
                m_timings[runningKey] = *timing;
            } else {
                m_failures[runningKey] = std::get<QString>(outcome);
                m_lastError = std::get<QString>(outcome);
            }
            startNext();
            Q_EMIT measured();
        });
}

} // namespace pairtune::ui
