// TrainingRun's second phase: the step loop over the epochs' batches, with every evaluation and
// checkpoint of the run (before the first step, every --eval-every / --checkpoint-every steps, at each
// epoch's end, and once more when the loop stops).

#include "pairtune/version.h"
#include "train/checkpoint.h"
#include "train/exporter.h"
#include "train/groupencoder.h"
#include "train/trainingrunimpl.h"

#include <cmath>

namespace pairtune {

bool TrainingRun::runLoop(bool resumed)
{
    if (!resumed) {
        evaluateNow(0);
        rankBaseline();
    }

    bool cancelled = false;
    for (int epoch = m_state.position.epoch; epoch < m_config.epochs && !cancelled; ++epoch) {
        const auto batches = m_sampler->remainingBatches(m_state.position);
        std::size_t consumed = 0;
        for (const auto &batch : batches) {
            if (m_state.step >= m_totalSteps)
                break;
            if (stopRequested()) {
                cancelled = true;
                break;
            }
            runOneStep(batch, epoch);
            ++consumed;
            if (m_config.evalEvery > 0 && m_state.step % m_config.evalEvery == 0)
                evaluateNow(epoch);
            if (m_config.checkpointEvery > 0 && m_state.step % m_config.checkpointEvery == 0)
                checkpointNow(epoch);
        }
        if (cancelled || consumed < batches.size())
            break; // cancelled, or max-steps reached inside the epoch
        m_state.position = SamplerPosition { epoch + 1, 0 };
        if (m_lastEvalStep != m_state.step)
            evaluateNow(epoch);
        checkpointNow(epoch + 1); // also replaces a mid-epoch one at this step: it holds the new position
    }

    // The state the loop stopped in is checkpointed (a cancelled run resumes from it) and, unless
    // cancelled, evaluated: finish() exports it with these metrics.
    if (m_lastCheckpointStep != m_state.step || cancelled)
        checkpointNow(m_state.position.epoch);
    if (!cancelled && m_lastEvalStep != m_state.step)
        evaluateNow(m_state.position.epoch);
    return cancelled;
}

void TrainingRun::runOneStep(const std::vector<std::size_t> &batch, int epoch)
{
    const double lr = m_config.lr
        * lrFactor(m_schedule, m_state.step, m_config.warmupSteps, m_totalSteps, m_scheduleCycles);
    const TrainingClock::time_point start = TrainingClock::now();
    const double loss = trainStep(batch, lr);
    m_state.trainSeconds += secondsSince(start);
    ++m_state.step;
    ++m_state.position.batchInEpoch;
    if (!m_state.firstLoss)
        m_state.firstLoss = loss;
    m_state.lastLoss = loss;

    TrainingEvent event { TrainingEvent::Type::Step };
    event.step = m_state.step;
    event.epoch = epoch;
    event.loss = loss;
    event.smoothedLoss = m_state.smoother.add(loss);
    event.learningRate = lr;
    event.elapsedSeconds = secondsSince(m_started);
    const double pairsDone = static_cast<double>((m_state.step - m_stepsAtStart) * globalBatchSize());
    const double secondsHere = m_state.trainSeconds - m_trainSecondsAtStart;
    event.pairsPerSecond = secondsHere > 0 ? pairsDone / secondsHere : 0.0;
    const double perStep
        = secondsHere / static_cast<double>(std::max<std::int64_t>(1, m_state.step - m_stepsAtStart));
    const double perEval = m_evaluations > 0 ? m_evalSeconds / m_evaluations : 0.0;
    const std::int64_t stepsLeft = m_totalSteps - m_state.step;
    const std::int64_t evalsLeft
        = (m_config.evalEvery > 0 ? stepsLeft / m_config.evalEvery : 0) + (m_config.epochs - epoch);
    event.etaSeconds = perStep * static_cast<double>(stepsLeft) + perEval * static_cast<double>(evalsLeft);
    emit(event);
}

EvalOptions TrainingRun::evalOptions()
{
    EvalOptions options { m_config.loss, m_config.similarity, m_config.scale, kEvalBatchSize, m_config.seed };
    if (m_config.matryoshka) { // retrieval at every trained size (the card's size table, the studio's chart)
        options.truncateDims = m_config.matryoshkaDims;
        options.truncateWeights = m_config.matryoshkaWeights;
    }
    if (!m_group)
        return options;
    options.computeMetrics = writesRun();
    options.encode = groupEncoder(*m_model, m_group.get(), kEvalBatchSize, "the evaluation's embeddings");
    return options;
}

void TrainingRun::evaluateNow(int epoch)
{
    // Distributed: every process embeds its share of the held-out texts; rank 0 computes the metrics
    // and records them, the others go on to the next step's first collective.
    if (m_evalSet.anchors.empty())
        return;
    // NaN weights can still give finite-looking metrics (accuracy 0): they must never become best/.
    if (!weightsFinite())
        failNonFinite(
            "the weights became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    const TrainingClock::time_point start = TrainingClock::now();
    const EvalOptions options = evalOptions();
    TrainingEvent event { TrainingEvent::Type::Evaluation };
    // The baseline and the last evaluation score every held-out pair (the model card's before/after);
    // those in between the fixed sample (issue 18: a full evaluation of 200,000 pairs takes minutes).
    const EvalSet &sample = evalSample();
    const bool full = m_state.step == 0 || m_state.step >= m_totalSteps;
    const EvalSet &scored = full ? m_evalSet : sample;
    event.metrics = evaluate(*m_model, scored, options);
    if (!writesRun()) { // the same collectives as rank 0: the sample again at the last evaluation
        if (m_state.step > 0 && &scored != &sample)
            evaluate(*m_model, sample, options);
        m_lastEvalStep = m_state.step; // every rank must agree whether the loop's end evaluates
        return;
    }
    event.evalPairs = scored.anchors.size();
    event.evalScope = scored.anchors.size() == m_evalSet.anchors.size() ? "all" : "sample";
    // Finite but exploded weights can overflow to NaN embeddings: such a state is not good either.
    const auto cosPos = event.metrics.find("mean_cos_pos");
    if (cosPos != event.metrics.end() && !std::isfinite(cosPos->second))
        failNonFinite(
            "the embeddings became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    event.step = m_state.step;
    event.epoch = epoch;
    m_evalSeconds += secondsSince(start);
    m_lastEvalStep = m_state.step;
    m_lastMetrics = event.metrics;
    ++m_evaluations;
    event.elapsedSeconds = secondsSince(m_started);
    if (m_state.step == 0)
        m_state.evalBefore = event.metrics;

    // The best checkpoint compares like with like: the sample's value also at the last, full evaluation.
    const std::map<std::string, double> sampleMetrics
        = (m_state.step > 0 && &scored != &sample) ? evaluate(*m_model, sample, options) : event.metrics;
    const auto metric = sampleMetrics.find(m_config.bestMetric);
    if (m_state.step > 0 && metric != sampleMetrics.end() && std::isfinite(metric->second)) {
        const bool higher = higherIsBetter(m_config.bestMetric);
        const bool better = m_state.bestStep < 0
            || (higher ? metric->second > m_state.bestValue : metric->second < m_state.bestValue);
        if (better) {
            m_state.bestStep = m_state.step;
            m_state.bestValue = metric->second;
            exportRunModel(
                *m_model, m_run, m_config, m_state.evalBefore, event.metrics, m_run.bestModelPath());
            event.message = "best " + m_config.bestMetric + " so far";
        }
    }
    emit(event);
}

const EvalSet &TrainingRun::evalSample()
{
    if (!m_evalSample) {
        const auto count = static_cast<std::size_t>(std::max<std::int64_t>(m_config.evalSample, 0));
        if (count == 0 || count >= m_evalSet.anchors.size())
            return m_evalSet;
        m_evalSample = sampleEvalSet(m_evalSet, count, m_config.seed);
    }
    return *m_evalSample;
}

void TrainingRun::checkpointNow(int epoch)
{
    // Every rank's random stream (its dropout masks) goes into rank 0's checkpoint, so a resume under
    // torchrun continues each of them; the collective runs on every rank at the same step.
    const std::string rng = torchRngState();
    const std::vector<std::string> rankRngs
        = m_group ? m_group->allGatherBytes(rng) : std::vector<std::string> { rng };
    if (!writesRun()) {
        m_lastCheckpointStep = m_state.step; // every rank must agree whether the loop's end checkpoints
        return;
    }
    if (!weightsFinite())
        failNonFinite(
            "the weights became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    nlohmann::json state = m_state.toJson();
    state["torch_rng"] = rng;
    if (m_group) {
        state["torch_rng_ranks"] = rankRngs;
        state["processes"] = m_dist.worldSize;
    }
    state["pairtune_version"] = kVersion;
    const std::string folder = m_run.checkpointPath(m_state.step);
    saveCheckpoint(folder, *m_model, *m_optimizer, state);
    m_lastCheckpointStep = m_state.step;
    m_run.pruneCheckpoints(m_config.keepCheckpoints);
    TrainingEvent event { TrainingEvent::Type::Checkpoint };
    event.step = m_state.step;
    event.epoch = epoch;
    event.message = folder;
    emit(event);
}

} // namespace pairtune
