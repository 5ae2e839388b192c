// The mining report: score distributions and guard counts as JSON and as a short text.

#include "mine/hardnegativemining.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace pairtune {
namespace {

double quantile(const std::vector<float> &sorted, double q)
{
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + (sorted[above] - static_cast<double>(sorted[below])) * fraction;
}

nlohmann::json summaryJson(const ScoreSummary &s)
{
    return { { "count", s.count }, { "mean", s.mean }, { "min", s.min }, { "25%", s.q25 },
        { "50%", s.median }, { "75%", s.q75 }, { "max", s.max } };
}

std::string fixed(double value, int decimals = 4)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

} // namespace

ScoreSummary summarizeScores(std::vector<float> scores)
{
    ScoreSummary s;
    s.count = scores.size();
    if (scores.empty())
        return s;
    std::sort(scores.begin(), scores.end());
    s.mean = std::accumulate(scores.begin(), scores.end(), 0.0) / static_cast<double>(scores.size());
    s.min = scores.front();
    s.max = scores.back();
    s.q25 = quantile(scores, 0.25);
    s.median = quantile(scores, 0.5);
    s.q75 = quantile(scores, 0.75);
    return s;
}

std::string miningReportJson(const MiningReport &r)
{
    nlohmann::json guards;
    for (std::size_t g = 0; g < kGuardCount; ++g)
        guards[guardName(static_cast<Guard>(g))] = r.removed.removed[g];
    guards["range_min"] = r.removed.rangeMinSkipped;
    const nlohmann::json options = {
        { "num_negatives", r.rules.numNegatives },
        { "range_min", r.rules.rangeMin },
        { "range_max", r.rules.rangeMax },
        { "relative_margin",
            r.rules.relativeMargin ? nlohmann::json(*r.rules.relativeMargin) : nlohmann::json() },
        { "max_score", r.rules.maxScore ? nlohmann::json(*r.rules.maxScore) : nlohmann::json() },
        { "near_duplicate", r.rules.nearDuplicate },
        { "sampling_strategy", r.rules.sampling == SamplingStrategy::Top ? "top" : "random" },
        { "seed", r.seed },
        { "train_fraction", r.trainFraction },
    };
    const nlohmann::json report = {
        { "options", options },
        { "train_rows", r.trainRows },
        { "held_out_rows", r.heldOutRows },
        { "candidate_texts", r.candidateTexts },
        { "corpus_file_texts", r.corpusFileTexts },
        { "held_out_texts_excluded", r.heldOutTextsExcluded },
        { "removed", guards },
        { "positive_scores", summaryJson(r.positiveScores) },
        { "negative_scores", summaryJson(r.negativeScores) },
        { "anchors_short", r.anchorsShort },
        { "short_lines", r.shortLines },
        { "random_filled", r.randomFilled },
        { "rows_margin_waived", r.rowsMarginWaived },
        { "margin_waived", r.marginWaived },
        { "waived_lines", r.waivedLines },
        { "embed_seconds", r.embedSeconds },
        { "search_seconds", r.searchSeconds },
    };
    return report.dump(2) + "\n";
}

std::string miningReportText(const MiningReport &r)
{
    std::string out = "Mined " + std::to_string(r.negativeScores.count) + " negatives for "
        + std::to_string(r.trainRows) + " training rows (" + std::to_string(r.rules.numNegatives)
        + " each) from " + std::to_string(r.candidateTexts) + " candidate texts; "
        + std::to_string(r.heldOutRows) + " held-out rows took theirs from the same pool, "
        + std::to_string(r.heldOutTextsExcluded) + " held-out texts were kept out of it.\n";
    out += "Cosine to the anchor     positive   negative\n";
    const auto row = [&](const char *name, double p, double n) {
        char line[96];
        std::snprintf(line, sizeof line, "  %-20s %10s %10s\n", name, fixed(p).c_str(), fixed(n).c_str());
        out += line;
    };
    row("mean", r.positiveScores.mean, r.negativeScores.mean);
    row("min", r.positiveScores.min, r.negativeScores.min);
    row("25%", r.positiveScores.q25, r.negativeScores.q25);
    row("50%", r.positiveScores.median, r.negativeScores.median);
    row("75%", r.positiveScores.q75, r.negativeScores.q75);
    row("max", r.positiveScores.max, r.negativeScores.max);
    out += "Skipped candidates:";
    for (std::size_t g = 0; g < kGuardCount; ++g)
        out += std::string(g == 0 ? " " : ", ") + guardName(static_cast<Guard>(g)) + " "
            + std::to_string(r.removed.removed[g]);
    out += ", range_min " + std::to_string(r.removed.rangeMinSkipped) + "\n";
    if (r.anchorsShort > 0)
        out += std::to_string(r.anchorsShort) + " training rows had fewer than "
            + std::to_string(r.rules.numNegatives) + " negatives in the range; "
            + std::to_string(r.randomFilled)
            + " random candidates that pass every guard filled them (raise --range-max or loosen "
              "--relative-margin/--max-score for harder ones).\n";
    if (r.rowsMarginWaived > 0)
        out += std::to_string(r.rowsMarginWaived)
            + " training rows had too few candidates under the score guards "
            + "(the model scores their positive below nearly everything) and took the "
            + std::to_string(r.marginWaived) + " least similar ones; see waived_lines in the report.\n";
    out += "Embedding " + fixed(r.embedSeconds, 1) + " s, search " + fixed(r.searchSeconds, 1) + " s.\n";
    return out;
}

} // namespace pairtune
