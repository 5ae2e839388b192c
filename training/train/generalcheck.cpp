#include "train/generalcheck.h"

#include "eval/verdictcard.h"
#include "eval/verdictjson.h"
#include "train/basemodel.h"
#include "train/runfolder.h"
#include "train/runverdict.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

const char *kPairsName = "general English pairs";

std::string fixed(double value, const char *format = "%.4f")
{
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

std::string cardSection(const VerdictReport &report, const GeneralCheck &check, std::uint64_t seed)
{
    return "### General English (do-no-harm check)\n\n**" + toString(report.verdict) + "** ("
        + report.headline + ") on " + std::to_string(report.queries)
        + " general English pairs that ship with Pairtune (WordNet usage example ↔ definition, `"
        + fs::path(check.path).filename().string()
        + "`), ranked under the base and the tuned model: Worse means tuning to this data damaged general "
          "behaviour. Same paired bootstrap as above (seed "
        + std::to_string(seed) + ").\n\n" + verdictMetricsTable(report);
}

} // namespace

std::string generalCheckDataPath()
{
    if (const char *env = std::getenv("PAIRTUNE_GENERAL_CHECK"))
        return env;
    const std::string resources = resourcesFolder();
    if (resources.empty())
        return {};
    const fs::path path = fs::path(resources) / "data" / kGeneralCheckFile;
    std::error_code ec;
    return fs::is_regular_file(path, ec) ? path.string() : std::string();
}

std::string generalBaseRanksPath(const RunFolder &run)
{
    return (fs::path(run.path()) / "general-ranks-base.json").string();
}

std::optional<GeneralCheck> loadGeneralCheck()
{
    const std::string path = generalCheckDataPath();
    if (path.empty())
        return std::nullopt;
    GeneralCheck check { path, evalSetFromFile(path), {} };
    check.corpus = evalCorpus(check.set);
    return check;
}

std::vector<QueryRank> rankGeneralCheck(const SentenceModel &model, const GeneralCheck &check)
{
    return rankTruePositives(model, check.set, check.corpus, kVerdictSearchDepth);
}

GeneralVerdict generalVerdict(const GeneralCheck &check, const std::vector<QueryRank> &before,
    const std::vector<QueryRank> &after, std::uint64_t seed)
{
    GeneralVerdict verdict;
    VerdictOptions options;
    options.listed = 5; // a few examples of what changed; the user's own data is the focus
    verdict.report = compareSeeded(before, after, kVerdictSearchDepth, options, seed);
    const VerdictTexts texts { check.set.anchors, check.set.positives, check.corpus.texts };
    verdict.json = { { "data", fs::path(check.path).filename().string() }, { "seed", seed } };
    verdict.json.update(verdictJson(verdict.report, texts));
    verdict.cardSection = cardSection(verdict.report, check, seed);
    verdict.line = verdictLine(verdict.report, kPairsName);
    return verdict;
}

void writeGeneralBaseRanks(
    const RunFolder &run, const GeneralCheck &check, const std::vector<QueryRank> &ranks)
{
    writeRanksFile(generalBaseRanksPath(run), ranks, check.corpus, kVerdictSearchDepth);
}

GeneralBaseline readGeneralBaseline(const RunFolder &run)
{
    GeneralBaseline baseline;
    baseline.check = loadGeneralCheck();
    if (!baseline.check) {
        baseline.missing = std::string(kGeneralCheckFile)
            + " was not found with Pairtune's resources (reinstall Pairtune)";
        return baseline;
    }
    baseline.before = readRanksFile(generalBaseRanksPath(run), baseline.check->corpus, kVerdictSearchDepth);
    if (!baseline.before)
        baseline.missing
            = "the run holds no base-model ranks of the general set (it started with the check off)";
    return baseline;
}

void addGeneralVerdict(RunVerdict &verdict, const GeneralVerdict &general)
{
    verdict.json["general_check"] = general.json;
    verdict.cardSection += "\n" + general.cardSection;
    verdict.generalLine = general.line;
}

std::string generalCheckSummary(const nlohmann::json &generalCheck)
{
    const std::string headline = generalCheck.value("headline", std::string("mrr@10"));
    std::string out = "General English (do-no-harm): " + generalCheck.value("verdict", std::string("?"));
    const auto metrics = generalCheck.find("metrics");
    if (metrics != generalCheck.end() && metrics->contains(headline)) {
        const nlohmann::json &m = metrics->at(headline);
        out += ", " + headline + " " + fixed(m.value("before", 0.0)) + " → " + fixed(m.value("after", 0.0))
            + ", " + fixed(generalCheck.value("confidence", 0.95) * 100.0, "%g") + " % interval ["
            + fixed(m.value("low", 0.0), "%+.4f") + ", " + fixed(m.value("high", 0.0), "%+.4f") + "]";
    }
    return out;
}

} // namespace pairtune
