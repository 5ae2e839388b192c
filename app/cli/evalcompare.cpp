#include "cli/evalcompare.h"

#include "cli/commands.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "eval/verdictcard.h"
#include "eval/verdictjson.h"
#include "io/jsonfile.h"
#include "model/sentencemodel.h"
#include "train/generalcheck.h"
#include "train/modelverdict.h"
#include "train/runverdict.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <vector>

namespace pairtune::cli {
namespace {

// Rows of cells, each column padded to its widest cell (in code points: texts may be any script).
std::string alignedTable(const std::vector<std::vector<std::string>> &rows)
{
    std::vector<std::size_t> widths;
    for (const auto &row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], codePointCount(row[c]));
    }
    std::string out;
    for (const auto &row : rows) {
        std::string line = "  ";
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size())
                line += std::string(widths[c] - codePointCount(row[c]) + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string fixed(double value, bool sign = false)
{
    char text[32];
    std::snprintf(text, sizeof text, sign ? "%+.4f" : "%.4f", value);
    return text;
}

std::string percent(double confidence)
{
    char text[16];
    std::snprintf(text, sizeof text, "%g %%", confidence * 100.0);
    return text;
}

nlohmann::json reportJson(const EvalCompareArgs &args, const VerdictReport &report, const VerdictTexts &texts)
{
    nlohmann::json out = { { "base", args.base }, { "tuned", args.tuned }, { "seed", args.seed } };
    out.update(verdictJson(report, texts));
    return out;
}

std::string changesTable(
    const std::vector<RankChange> &changes, const VerdictTexts &texts, std::size_t depth, bool gains)
{
    std::vector<std::vector<std::string>> rows
        = { { "query", "true positive", "rank", gains ? "base ranked first" : "tuned ranks first" } };
    for (const RankChange &c : changes) {
        const QueryRank &shown = gains ? c.before : c.after;
        rows.push_back({ clipLine(texts.queries[c.query], 36), clipLine(texts.positives[c.query], 36),
            rankText(c.before.rank, depth) + " -> " + rankText(c.after.rank, depth),
            shown.rank == 1 ? "-" : clipLine(texts.corpus[shown.topHit], 36) });
    }
    return alignedTable(rows);
}

std::string reportText(const EvalCompareArgs &args, const VerdictReport &report, const VerdictTexts &texts)
{
    const std::string level = percent(report.bootstrap.confidence);
    std::string out = "Verdict: " + toString(report.verdict) + " (" + report.headline + ", " + level
        + " interval of tuned - base from " + std::to_string(report.bootstrap.resamples)
        + " paired bootstrap resamples of the " + std::to_string(report.queries) + " queries, seed "
        + std::to_string(args.seed) + ")\n";
    out += "base:  " + args.base + "\ntuned: " + args.tuned + "\n" + std::to_string(report.queries)
        + " pairs, each anchor searched among " + std::to_string(texts.corpus.size())
        + " distinct positives\n\n";
    std::vector<std::vector<std::string>> rows
        = { { "metric", "base", "tuned", "difference", level + " interval", "verdict" } };
    for (const MetricChange &m : report.metrics)
        rows.push_back({ m.name, fixed(m.before), fixed(m.after), fixed(m.after - m.before, true),
            "[" + fixed(m.difference.low, true) + ", " + fixed(m.difference.high, true) + "]",
            toString(m.verdict) });
    out += alignedTable(rows);
    out += "\nBiggest gains (rank of the true positive, base -> tuned; " + std::to_string(report.gains.size())
        + " shown):\n";
    out += report.gains.empty() ? "  none\n" : changesTable(report.gains, texts, report.depth, true);
    out += "\nBiggest losses (" + std::to_string(report.losses.size()) + " shown):\n";
    out += report.losses.empty() ? "  none\n" : changesTable(report.losses, texts, report.depth, false);
    return out;
}

// One line per pair in file order: its index, and its positive's rank under each model (empty beyond the
// search depth), for sorting and joining in a spreadsheet.
std::string ranksTsv(const std::vector<QueryRank> &before, const std::vector<QueryRank> &after)
{
    const auto cell = [](std::size_t rank) { return rank == 0 ? std::string() : std::to_string(rank); };
    std::string out = "pair\trank_before\trank_after\n";
    for (std::size_t i = 0; i < before.size(); ++i)
        out += std::to_string(i) + '\t' + cell(before[i].rank) + '\t' + cell(after[i].rank) + '\n';
    return out;
}

// A model's ranks of the pair file's set and, when asked for, of the general check's; the model is loaded
// once.
struct ModelRanks
{
    std::vector<QueryRank> data;
    std::vector<QueryRank> general;
};

ModelRanks ranksOf(const std::string &argument, const std::string &revision, const EvalSet &set,
    const EvalCorpus &corpus, const std::optional<GeneralCheck> &general)
{
    const SentenceModel model = SentenceModel::load(resolveModelArgument(argument, revision).folder);
    ModelRanks ranks { rankTruePositives(model, set, corpus, kVerdictSearchDepth), {} };
    if (general)
        ranks.general = rankGeneralCheck(model, *general);
    return ranks;
}

std::string generalText(const GeneralVerdict &general)
{
    std::string out = "\n" + generalCheckSummary(general.json) + " on "
        + std::to_string(general.report.queries) + " general English pairs shipped with Pairtune\n";
    std::vector<std::vector<std::string>> rows
        = { { "metric", "base", "tuned", "difference", "interval", "verdict" } };
    for (const MetricChange &m : general.report.metrics)
        rows.push_back({ m.name, fixed(m.before), fixed(m.after), fixed(m.after - m.before, true),
            "[" + fixed(m.difference.low, true) + ", " + fixed(m.difference.high, true) + "]",
            toString(m.verdict) });
    return out + alignedTable(rows);
}

} // namespace

EvalSet readEvalSet(const std::string &path)
{
    return evalSetFromFile(path);
}

void runEvalCompare(const EvalCompareArgs &args)
{
    const EvalSet set = readEvalSet(args.data);
    if (set.anchors.empty())
        throw Error(args.data + ": no pairs to evaluate");
    const EvalCorpus corpus = evalCorpus(set);
    std::optional<GeneralCheck> general;
    if (args.generalCheck) {
        general = loadGeneralCheck();
        if (!general)
            throw Error(std::string(kGeneralCheckFile)
                + " was not found with Pairtune's resources: reinstall Pairtune or set "
                  "PAIRTUNE_GENERAL_CHECK");
    }
    // One model in memory at a time.
    const ModelRanks base = ranksOf(args.base, args.revision, set, corpus, general);
    const ModelRanks tuned = ranksOf(args.tuned, args.revision, set, corpus, general);
    const std::vector<QueryRank> &before = base.data;
    const std::vector<QueryRank> &after = tuned.data;
    VerdictOptions options;
    options.bootstrap.resamples = args.resamples;
    options.bootstrap.confidence = args.confidence;
    options.listed = args.listed;
    const VerdictReport report = compareSeeded(before, after, kVerdictSearchDepth, options, args.seed);
    const VerdictTexts texts { set.anchors, set.positives, corpus.texts };
    std::optional<GeneralVerdict> generalResult;
    if (general)
        generalResult = generalVerdict(*general, base.general, tuned.general, args.seed);
    std::string text;
    if (args.json) {
        nlohmann::json out = reportJson(args, report, texts);
        if (generalResult)
            out["general_check"] = generalResult->json;
        text = dumpJson(out, 2) + "\n";
    } else if (args.markdown) {
        text = verdictCardSection(report, texts, args.base, args.tuned, args.seed);
        if (generalResult)
            text += "\n" + generalResult->cardSection;
    } else {
        text = reportText(args, report, texts);
        if (generalResult)
            text += generalText(*generalResult);
    }
    if (!args.ranksPath.empty())
        writeText(args.ranksPath, ranksTsv(before, after));
    std::fwrite(text.data(), 1, text.size(), stdout);
}

} // namespace pairtune::cli
