#include "train/runverdict.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "eval/verdictcard.h"
#include "eval/verdictjson.h"
#include "io/jsonfile.h"
#include "model/sentencemodelimpl.h"
#include "recipe/trainingconfig.h"
#include "train/basemodel.h"
#include "train/generalcheck.h"
#include "train/runfolder.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {

SentenceModel loadModelAsTrained(const std::string &folder, const TrainingConfig &config)
{
    SentenceModel model = SentenceModel::load(folder);
    if (config.maxSeqLength > 0)
        model.impl().config.maxSeqLength = config.maxSeqLength;
    return model;
}

std::string baseRanksPath(const RunFolder &run)
{
    return (fs::path(run.path()) / "eval-ranks-base.json").string();
}

std::string verdictPath(const RunFolder &run)
{
    return (fs::path(run.path()) / "verdict.json").string();
}

void writeRanksFile(
    const std::string &path, const std::vector<QueryRank> &ranks, const EvalCorpus &corpus, std::size_t depth)
{
    nlohmann::json rank = nlohmann::json::array(), topHit = nlohmann::json::array();
    for (const QueryRank &r : ranks) {
        rank.push_back(r.rank);
        topHit.push_back(r.topHit);
    }
    writeJsonFile(path,
        { { "format", 1 }, { "pairs", ranks.size() }, { "corpus", corpus.texts.size() }, { "depth", depth },
            { "rank", rank }, { "top_hit", topHit } },
        -1);
}

std::optional<std::vector<QueryRank>> readRanksFile(
    const std::string &path, const EvalCorpus &corpus, std::size_t depth)
{
    if (!fs::exists(path))
        return std::nullopt;
    const nlohmann::json stored = readJsonFile(path);
    const std::size_t pairs = corpus.positiveOf.size();
    if (stored.value("format", 0) != 1 || stored.value("pairs", std::size_t { 0 }) != pairs
        || stored.value("corpus", std::size_t { 0 }) != corpus.texts.size()
        || stored.value("depth", std::size_t { 0 }) != depth || stored.at("rank").size() != pairs
        || stored.at("top_hit").size() != pairs)
        return std::nullopt;
    std::vector<QueryRank> ranks(pairs);
    for (std::size_t i = 0; i < pairs; ++i) {
        ranks[i].rank = stored["rank"][i].get<std::size_t>();
        ranks[i].topHit = stored["top_hit"][i].get<std::size_t>();
        if (ranks[i].rank > depth || ranks[i].topHit >= corpus.texts.size())
            throw Error(locate(path, 0, 0,
                "holds a rank or hit outside the set it was made for; delete the file "
                "and compute the verdict again"));
    }
    return ranks;
}

void writeBaseRanks(
    const RunFolder &run, const std::vector<QueryRank> &ranks, const EvalCorpus &corpus, std::size_t depth)
{
    writeRanksFile(baseRanksPath(run), ranks, corpus, depth);
}

std::optional<std::vector<QueryRank>> readBaseRanks(
    const RunFolder &run, const EvalCorpus &corpus, std::size_t depth)
{
    return readRanksFile(baseRanksPath(run), corpus, depth);
}

RunVerdict runVerdict(const std::vector<QueryRank> &before, const std::vector<QueryRank> &after,
    const EvalSet &set, const EvalCorpus &corpus, const std::string &baseName, const std::string &tunedName,
    std::uint64_t seed)
{
    RunVerdict verdict;
    verdict.report = compareSeeded(before, after, kVerdictSearchDepth, VerdictOptions {}, seed);
    const VerdictTexts texts { set.anchors, set.positives, corpus.texts };
    verdict.json = { { "base", baseName }, { "tuned", tunedName }, { "seed", seed } };
    verdict.json.update(verdictJson(verdict.report, texts));
    verdict.cardSection = verdictCardSection(verdict.report, texts, baseName, tunedName, seed);
    verdict.line = verdictLine(verdict.report);
    return verdict;
}

EvalSet evalSetFromFile(const std::string &path)
{
    const PairDataset data = PairDataset::load(path);
    EvalSet set;
    set.scoresFromFile = data.hasScores();
    for (const PairRecord &r : data.records()) {
        set.anchors.push_back(r.anchor);
        set.positives.push_back(r.positive);
        set.negatives.push_back(r.negatives);
        set.scores.push_back(r.score.value_or(1.0f));
    }
    return set;
}

RunVerdict computeRunVerdict(const std::string &runPath, const VerdictProgress &callbacks)
{
    const RunFolder run = RunFolder::open(runPath);
    const TrainingConfig config = trainingConfigFromJson(run.readConfig().at("training"), run.configPath());
    const std::string pairsPath = (fs::path(run.path()) / "eval-pairs.tsv").string();
    if (!fs::exists(pairsPath))
        throw Error(
            locate(runPath, 0, 0, "holds no eval-pairs.tsv: the run kept no pairs back for evaluation"));
    if (!fs::exists(fs::path(run.finalModelPath()) / "modules.json"))
        throw Error(locate(runPath, 0, 0, "has no final model yet: finish the run (resume it) first"));
    const int total = 3;
    const auto step = [&](int done, const std::string &what) {
        if (callbacks.stopRequested && callbacks.stopRequested())
            throw Error("verdict: stopped", Error::Kind::Cancelled);
        if (callbacks.progress)
            callbacks.progress(done, total, what);
    };
    step(0, "reading the held-out pairs");
    const EvalSet set = evalSetFromFile(pairsPath);
    if (set.anchors.empty())
        throw Error(locate(pairsPath, 0, 0, "holds no pairs to evaluate"));
    const EvalCorpus corpus = evalCorpus(set);
    std::optional<std::vector<QueryRank>> before = readBaseRanks(run, corpus, kVerdictSearchDepth);
    const std::optional<GeneralCheck> general = config.generalCheck ? loadGeneralCheck() : std::nullopt;
    std::optional<std::vector<QueryRank>> generalBefore = general
        ? readRanksFile(generalBaseRanksPath(run), general->corpus, kVerdictSearchDepth)
        : std::nullopt;
    step(1, "ranking under the base model");
    if (!before || (general && !generalBefore)) { // one model in memory at a time
        const SentenceModel base = loadModelAsTrained(resolveBaseModel(config.basePath), config);
        if (!before) {
            before = rankTruePositives(base, set, corpus, kVerdictSearchDepth);
            writeBaseRanks(run, *before, corpus, kVerdictSearchDepth);
        }
        if (general && !generalBefore) {
            generalBefore = rankGeneralCheck(base, *general);
            writeRanksFile(generalBaseRanksPath(run), *generalBefore, general->corpus, kVerdictSearchDepth);
        }
    }
    step(2, "ranking under the tuned model");
    const SentenceModel tuned = loadModelAsTrained(run.finalModelPath(), config);
    const std::vector<QueryRank> after = rankTruePositives(tuned, set, corpus, kVerdictSearchDepth);
    RunVerdict verdict = runVerdict(*before, after, set, corpus,
        config.baseRepoId.empty() ? config.basePath : config.baseRepoId, run.finalModelPath(), config.seed);
    if (general)
        addGeneralVerdict(verdict,
            generalVerdict(*general, *generalBefore, rankGeneralCheck(tuned, *general), config.seed));
    writeJsonFile(verdictPath(run), verdict.json, 2);
    step(3, "done");
    return verdict;
}

} // namespace pairtune
