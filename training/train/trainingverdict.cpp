// TrainingRun's part of the verdict (issue 21, train/runverdict.h): the base model's ranks of the
// held-out pairs right after the step-0 evaluation, kept in the run folder; at the end the final
// model's ranks and the verdict, written to RUN/verdict.json before the final model's card. The do-no-harm
// check (train/generalcheck.h) follows the same two steps on the shipped general-English set.

#include "io/jsonfile.h"
#include "train/generalcheck.h"
#include "train/runverdict.h"
#include "train/trainingrunimpl.h"

namespace pairtune {

void TrainingRun::rankBaseline()
{
    // Every held-out pair, like the baseline and the last evaluation (never the eval_sample).
    if (m_evalSet.anchors.empty() || !writesRun())
        return;
    if (!m_evalCorpus)
        m_evalCorpus = evalCorpus(m_evalSet);
    m_baseRanks = rankTruePositives(*m_model, m_evalSet, *m_evalCorpus, kVerdictSearchDepth);
    writeBaseRanks(m_run, *m_baseRanks, *m_evalCorpus, kVerdictSearchDepth);
    if (m_config.generalCheck)
        rankGeneralBaseline(*m_model, m_run); // without the shipped set the verdict says so at the end
}

void TrainingRun::writeVerdict(TrainingResult &result, const EvalEmbeddings &finalHeldOut)
{
    if (m_evalSet.anchors.empty() || !m_evalCorpus)
        return;
    if (!m_baseRanks) // resumed: the ranks made before the first step
        m_baseRanks = readBaseRanks(m_run, *m_evalCorpus, kVerdictSearchDepth);
    if (!m_baseRanks) {
        // A run started before the verdict existed: the studio's results panel computes it on request.
        TrainingEvent missing { TrainingEvent::Type::Message };
        missing.step = m_state.step;
        missing.message = "no verdict: the run holds no base-model ranks (started by an older Pairtune); "
                          "compute it in Try & Export";
        emit(missing);
        return;
    }
    const std::vector<QueryRank> after = rankTruePositives(finalHeldOut, *m_evalCorpus, kVerdictSearchDepth);
    RunVerdict verdict = runVerdict(*m_baseRanks, after, m_evalSet, *m_evalCorpus,
        m_config.baseRepoId.empty() ? m_config.basePath : m_config.baseRepoId, m_run.finalModelPath(),
        m_config.seed);
    if (m_config.generalCheck) {
        const GeneralVerdictResult general = runGeneralVerdict(*m_model, m_run, m_config.seed);
        if (general.verdict) {
            addGeneralVerdict(verdict, *general.verdict);
        } else {
            TrainingEvent missing { TrainingEvent::Type::Message };
            missing.step = m_state.step;
            missing.message = "no general check: " + general.missing;
            emit(missing);
        }
    }
    writeJsonFile(verdictPath(m_run), verdict.json, 2);
    result.verdict = verdict.line;
    result.generalCheck = verdict.generalLine;
    result.verdictCard = verdict.cardSection;
    TrainingEvent event { TrainingEvent::Type::Message };
    event.step = m_state.step;
    event.message = std::string(kVerdictMessagePrefix) + verdict.line;
    emit(event);
}

} // namespace pairtune
