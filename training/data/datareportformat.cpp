// toJson and formatReport: the two ways a DataReport leaves the engine.
#include "data/datareport.h"

#include <cstdio>

namespace pairtune {

namespace {

nlohmann::json lengthJson(const DataReport::LengthStats &stats)
{
    return { { "count", stats.count }, { "mean", stats.mean }, { "p50", stats.p50 }, { "p90", stats.p90 },
        { "p99", stats.p99 }, { "max", stats.max }, { "over_limit", stats.overLimit },
        { "over_limit_share", stats.overLimitShare } };
}

std::string format(const char *pattern, auto... values)
{
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, pattern, values...);
    return buffer;
}

std::string lengthRow(const char *side, const DataReport::LengthStats &stats, bool tokens)
{
    std::string row = format("  %-9s %8zu %8.1f %6zu %6zu %6zu %7zu", side, stats.count, stats.mean,
        stats.p50, stats.p90, stats.p99, stats.max);
    if (tokens)
        row += format("  %zu (%.1f%%)", stats.overLimit, stats.overLimitShare * 100);
    return row + "\n";
}

std::string binLabel(const DataReport::HistogramBin &bin, bool last)
{
    if (bin.lower == bin.upper)
        return format("%g", bin.lower);
    return format(last ? "[%.3g, %.3g]" : "[%.3g, %.3g)", bin.lower, bin.upper);
}

} // namespace

nlohmann::json toJson(const DataReport &report)
{
    nlohmann::json json = {
        { "rows", report.rows },
        { "empty_texts", report.emptyTexts },
        { "rows_with_empty_text", report.rowsWithEmptyText },
        { "identical_sides", report.identicalSides },
        { "duplicate_pairs", report.duplicatePairs },
        { "repeated_anchors", report.repeatedAnchors },
        { "repeated_positives", report.repeatedPositives },
        { "train_rows", report.trainRows },
        { "eval_rows", report.evalRows },
        { "train_eval_shared_texts", report.trainEvalSharedTexts },
        { "eval_rows_seen_in_training", report.evalRowsSeenInTraining },
        { "length_unit", report.lengthUnit },
        { "max_seq_length", report.maxSeqLength },
        { "lengths",
            { { "anchor", lengthJson(report.anchorTokens) },
                { "positive", lengthJson(report.positiveTokens) },
                { "negative", lengthJson(report.negativeTokens) } } },
        { "warnings", report.warnings },
    };
    if (report.hasScores) {
        nlohmann::json bins = nlohmann::json::array();
        for (const auto &bin : report.scoreHistogram)
            bins.push_back({ { "lower", bin.lower }, { "upper", bin.upper }, { "count", bin.count } });
        json["scores"] = { { "min", report.scoreMin }, { "max", report.scoreMax },
            { "mean", report.scoreMean }, { "histogram", bins } };
    } else {
        json["scores"] = nullptr;
    }
    return json;
}

std::string formatReport(const DataReport &report)
{
    std::string out;
    out += format("Pairs:                          %zu\n", report.rows);
    out += format("Empty or whitespace texts:      %zu (in %zu %s)\n", report.emptyTexts,
        report.rowsWithEmptyText, report.rowsWithEmptyText == 1 ? "pair" : "pairs");
    out += format("Same text on both sides:        %zu\n", report.identicalSides);
    out += format("Duplicate pairs:                %zu\n", report.duplicatePairs);
    out += format("Anchors reused with another positive: %zu\n", report.repeatedAnchors);
    out += format("Positives reused with another anchor: %zu\n", report.repeatedPositives);
    if (report.trainRows + report.evalRows > 0)
        out += format("Split: %zu train / %zu eval pairs; %zu texts in both, in %zu eval pairs\n",
            report.trainRows, report.evalRows, report.trainEvalSharedTexts, report.evalRowsSeenInTraining);

    const bool tokens = report.lengthUnit == "tokens";
    if (tokens)
        out += format("\nLengths in tokens (max_seq_length %zu):\n", report.maxSeqLength);
    else
        out += "\nLengths in whitespace-separated words (give a model for token lengths and cut-off "
               "counts):\n";
    out += format("  %-9s %8s %8s %6s %6s %6s %7s%s\n", "", "texts", "mean", "p50", "p90", "p99", "max",
        tokens ? "  longer than max_seq_length" : "");
    out += lengthRow("anchor", report.anchorTokens, tokens);
    out += lengthRow("positive", report.positiveTokens, tokens);
    if (report.negativeTokens.count > 0)
        out += lengthRow("negative", report.negativeTokens, tokens);

    if (report.hasScores) {
        out += format(
            "\nScores: min %g, max %g, mean %.4g\n", report.scoreMin, report.scoreMax, report.scoreMean);
        std::size_t largest = 1;
        for (const auto &bin : report.scoreHistogram)
            largest = std::max(largest, bin.count);
        for (std::size_t i = 0; i < report.scoreHistogram.size(); ++i) {
            const auto &bin = report.scoreHistogram[i];
            const std::size_t bar = (bin.count * 40 + largest - 1) / largest;
            out += format("  %-16s %8zu ", binLabel(bin, i + 1 == report.scoreHistogram.size()).c_str(),
                       bin.count)
                + std::string(bar, '#') + "\n";
        }
    } else {
        out += "\nScores: none (the file has no score column)\n";
    }

    if (!report.warnings.empty()) {
        out += "\nWarnings:\n";
        for (const std::string &warning : report.warnings)
            out += "  - " + warning + "\n";
    }
    return out;
}

} // namespace pairtune
