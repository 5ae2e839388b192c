// TrainingRun's last phase: the final model's export, the result the caller gets, the Finished event
// and summary.json; and the result's JSON form (the CLI's `train --json`).

#include "train/exporter.h"
#include "train/similaritythreshold.h"
#include "train/trainingrunimpl.h"

namespace pairtune {

TrainingResult TrainingRun::finish(bool cancelled)
{
    TrainingResult result;
    result.cancelled = cancelled;
    // Under torchrun every process embeds its share of the final model's sets; rank 0 alone writes.
    const RunEndEmbeddings ends = cancelled ? RunEndEmbeddings {} : embedRunEnd();
    if (!cancelled && writesRun()) {
        result.modelPath = m_run.finalModelPath();
        writeVerdict(result, ends); // before the export: the model card holds it
        exportRunModel(*m_model, m_run, m_config, m_state.evalBefore, m_lastMetrics, m_run.finalModelPath(),
            result.verdictCard);
        if (!m_evalCorpus)
            m_evalCorpus = evalCorpus(m_evalSet);
        storeRunThreshold(ends.heldOut, m_evalSet, *m_evalCorpus, m_run.finalModelPath()); // issue 21 part 2
        // best/ is another state: rank 0 loads and embeds it alone (the others hold only the final weights).
        if (m_state.bestStep >= 0)
            storeBestRunThreshold(m_evalSet, m_run.finalModelPath(), m_run.bestModelPath(),
                m_state.bestStep == m_state.step, m_config);
    }
    result.steps = m_state.step;
    result.totalSteps = m_totalSteps;
    result.trainPairs = m_data->split.train.size();
    result.evalPairs = m_data->split.eval.size();
    result.trainSeconds = m_state.trainSeconds;
    result.pairsPerSecond = m_state.trainSeconds > 0
        ? static_cast<double>(m_state.step * globalBatchSize()) / m_state.trainSeconds
        : 0.0;
    result.bf16 = m_config.bf16 == Bf16Mode::On; // resolved in setUp
    result.firstLoss = m_state.firstLoss.value_or(0.0);
    result.lastLoss = m_state.lastLoss;
    result.evalBefore = m_state.evalBefore;
    result.evalAfter = m_lastMetrics;
    result.bestStep = m_state.bestStep;
    result.bestValue = m_state.bestValue;
    result.runPath = m_run.path();
    result.bestModelPath = m_state.bestStep >= 0 ? m_run.bestModelPath() : std::string();

    TrainingEvent finished { TrainingEvent::Type::Finished };
    finished.step = m_state.step;
    finished.epoch = m_state.position.epoch;
    finished.message = cancelled ? "cancelled; continue with resume" : "finished";
    emit(finished);
    if (writesRun())
        writeSummary(m_run, toJson(result));
    return result;
}

nlohmann::json toJson(const TrainingResult &r)
{
    return { { "status", r.cancelled ? "cancelled" : "finished" }, { "pairs", r.trainPairs },
        { "eval_pairs", r.evalPairs }, { "steps", r.steps }, { "total_steps", r.totalSteps },
        { "train_seconds", r.trainSeconds }, { "pairs_per_second", r.pairsPerSecond },
        { "precision", r.bf16 ? "bf16" : "fp32" }, { "first_loss", r.firstLoss }, { "last_loss", r.lastLoss },
        { "eval_before", r.evalBefore }, { "eval_after", r.evalAfter }, { "best_step", r.bestStep },
        { "best_value", r.bestValue }, { "run", r.runPath }, { "model", r.modelPath },
        { "best_model", r.bestModelPath }, { "verdict", r.verdict }, { "general_check", r.generalCheck } };
}

} // namespace pairtune
