// TrainingRun's part of the verdict (issue 21, train/runverdict.h): the base model's ranks of the
// held-out pairs right after the step-0 evaluation, kept in the run folder; at the end the final
// model's ranks and the verdict, written to RUN/verdict.json before the final model's card. The do-no-harm
// check (train/generalcheck.h) follows the same two steps on the shipped general-English set. Under
// torchrun every process embeds its share of each set, as the evaluations do (train/groupencoder.h);
// rank 0 ranks them and writes every file.

#include "core/error.h"
#include "core/log.h"
#include "data/sha256.h"
#include "io/jsonfile.h"
#include "train/groupencoder.h"
#include "train/runverdict.h"
#include "train/trainingrunimpl.h"

namespace pairtune {
namespace {

const char *kHeldOutRows = "the verdict's embeddings of the held-out pairs";
const char *kGeneralRows = "the general check's embeddings";

// A rank other than 0 with a broken copy of the set takes no part; rank 0 reports its own error.
std::optional<GeneralCheck> loadGeneralCheckOnPeer()
{
    try {
        return loadGeneralCheck();
    } catch (const Error &) {
        return std::nullopt;
    }
}

} // namespace

TextEncoder TrainingRun::runEncoder(const char *what) const
{
    return groupEncoder(*m_model, m_group.get(), kEvalBatchSize, what);
}

TextEncoder TrainingRun::generalEncoder(const GeneralCheck *wanted, const char *what) const
{
    if (!m_group)
        return wanted ? runEncoder(what) : TextEncoder {};
    // The set comes from each node's own Pairtune resources (or PAIRTUNE_GENERAL_CHECK): rows gathered
    // from a rank holding another file would belong to other texts. One collective carries rank 0's
    // decision and every rank's fingerprint of its copy.
    const std::string mine = wanted ? sha256OfFile(wanted->path) : std::string("-");
    const std::vector<std::string> all
        = m_group->allGatherBytes(mine, "the general check set's fingerprints");
    if (all.front() == "-")
        return {};
    std::vector<int> differing;
    for (std::size_t r = 1; r < all.size(); ++r)
        if (all[r] != all.front())
            differing.push_back(static_cast<int>(r));
    if (differing.empty())
        return runEncoder(what);
    if (!writesRun())
        return {};
    std::string ranks;
    for (const int r : differing)
        ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
    logWarning("the general check's set differs on rank(s) " + ranks + " (or is missing there): rank 0 "
        + "embeds it alone (" + wanted->path + ")");
    return groupEncoder(*m_model, nullptr, kEvalBatchSize, what);
}

void TrainingRun::rankBaseline()
{
    // Every held-out pair, like the baseline and the last evaluation (never the eval_sample).
    if (m_evalSet.anchors.empty())
        return;
    if (!m_evalCorpus)
        m_evalCorpus = evalCorpus(m_evalSet);
    const EvalEmbeddings heldOut = embedEvalSet(*m_model, m_evalSet, *m_evalCorpus, runEncoder(kHeldOutRows));
    std::optional<GeneralCheck> general;
    EvalEmbeddings generalBase;
    if (m_config.generalCheck) { // without the shipped set the verdict says so at the end
        general = writesRun() ? loadGeneralCheck() : loadGeneralCheckOnPeer();
        if (const TextEncoder encode = generalEncoder(general ? &*general : nullptr, kGeneralRows))
            generalBase = embedEvalSet(*m_model, general->set, general->corpus, encode);
    }
    if (!writesRun())
        return;
    m_baseRanks = rankTruePositives(heldOut, *m_evalCorpus, kVerdictSearchDepth);
    writeBaseRanks(m_run, *m_baseRanks, *m_evalCorpus, kVerdictSearchDepth);
    if (general)
        writeGeneralBaseRanks(
            m_run, *general, rankTruePositives(generalBase, general->corpus, kVerdictSearchDepth));
}

TrainingRun::RunEndEmbeddings TrainingRun::embedRunEnd()
{
    RunEndEmbeddings ends;
    if (m_evalSet.anchors.empty())
        return ends;
    if (!m_evalCorpus)
        m_evalCorpus = evalCorpus(m_evalSet);
    ends.heldOut = embedEvalSet(*m_model, m_evalSet, *m_evalCorpus, runEncoder(kHeldOutRows));
    if (writesRun() && !m_baseRanks) // resumed: the ranks made before the first step
        m_baseRanks = readBaseRanks(m_run, *m_evalCorpus, kVerdictSearchDepth);
    if (!m_config.generalCheck)
        return ends;
    // Rank 0 needs the general set embedded only when the verdict is made and the run holds its base
    // ranks; the other ranks offer their own copy.
    std::optional<GeneralCheck> peerCopy;
    const GeneralCheck *wanted = nullptr;
    if (writesRun()) {
        if (m_baseRanks) {
            ends.general = readGeneralBaseline(m_run);
            if (ends.general.before)
                wanted = &*ends.general.check;
        }
    } else {
        peerCopy = loadGeneralCheckOnPeer();
        wanted = peerCopy ? &*peerCopy : nullptr;
    }
    if (const TextEncoder encode = generalEncoder(wanted, kGeneralRows))
        ends.generalAfter = embedEvalSet(*m_model, wanted->set, wanted->corpus, encode);
    return ends;
}

void TrainingRun::writeVerdict(TrainingResult &result, const RunEndEmbeddings &ends)
{
    if (m_evalSet.anchors.empty() || !m_evalCorpus)
        return;
    if (!m_baseRanks) {
        // A run started before the verdict existed: the studio's results panel computes it on request.
        TrainingEvent missing { TrainingEvent::Type::Message };
        missing.step = m_state.step;
        missing.message = "no verdict: the run holds no base-model ranks (started by an older Pairtune); "
                          "compute it in Try & Export";
        emit(missing);
        return;
    }
    const std::vector<QueryRank> after = rankTruePositives(ends.heldOut, *m_evalCorpus, kVerdictSearchDepth);
    RunVerdict verdict = runVerdict(*m_baseRanks, after, m_evalSet, *m_evalCorpus,
        m_config.baseRepoId.empty() ? m_config.basePath : m_config.baseRepoId, m_run.finalModelPath(),
        m_config.seed);
    if (m_config.generalCheck) {
        const GeneralBaseline &general = ends.general;
        if (general.before) {
            addGeneralVerdict(verdict,
                generalVerdict(*general.check, *general.before,
                    rankTruePositives(ends.generalAfter, general.check->corpus, kVerdictSearchDepth),
                    m_config.seed));
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
