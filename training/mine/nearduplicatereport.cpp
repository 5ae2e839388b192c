// The near-duplicate report as a short text for a person and as JSON (pairtune-cli inspect
// --near-duplicates).

#include "mine/nearduplicates.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace pairtune {
namespace {

std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// One line of an example: long texts cut so that a pair fits a terminal line or two.
std::string shortened(const std::string &text)
{
    constexpr std::size_t kMax = 70;
    if (text.size() <= kMax)
        return text;
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut; // not inside a UTF-8 sequence
    return text.substr(0, cut) + "…";
}

std::string examplesText(
    const std::vector<NearDuplicateExample> &examples, const char *labelA, const char *labelB)
{
    std::string out;
    for (const NearDuplicateExample &e : examples)
        out += "    " + fixed(e.cosine, 3) + "  " + labelA + " row " + std::to_string(e.rowA + 1) + ": \""
            + shortened(e.textA) + "\"\n           " + labelB + " row " + std::to_string(e.rowB + 1) + ": \""
            + shortened(e.textB) + "\"\n";
    return out;
}

nlohmann::json examplesJson(const std::vector<NearDuplicateExample> &examples)
{
    nlohmann::json out = nlohmann::json::array();
    for (const NearDuplicateExample &e : examples)
        out.push_back({ { "row_a", e.rowA + 1 }, { "row_b", e.rowB + 1 }, { "text_a", e.textA },
            { "text_b", e.textB }, { "cosine", e.cosine } });
    return out;
}

} // namespace

std::string nearDuplicateReportText(const NearDuplicateReport &r)
{
    std::string out = "Near-duplicates (cosine >= " + fixed(r.threshold, 3) + " under the model)\n";
    out += "  distinct texts:              " + std::to_string(r.distinctTexts) + " ("
        + std::to_string(r.linkedTexts) + " with a near-copy)\n";
    out += "  groups of pairs:             " + std::to_string(r.groups) + " ("
        + std::to_string(r.rowsInGroups) + " pairs; the largest " + std::to_string(r.largestGroup) + ")\n";
    out += "  within training:             " + std::to_string(r.withinTrainRepeats) + " of "
        + std::to_string(r.trainRows) + " training pairs repeat another (false negatives in a batch)\n";
    out += "  across train/eval:           " + std::to_string(r.crossSplitRows) + " of "
        + std::to_string(r.evalRows) + " held-out pairs near-copy a training text (inflated scores)\n";
    if (!r.crossSplitExamples.empty())
        out += "  across the split, e.g.:\n" + examplesText(r.crossSplitExamples, "train", "eval ");
    if (!r.withinTrainExamples.empty())
        out += "  within training, e.g.:\n" + examplesText(r.withinTrainExamples, "kept ", "copy ");
    if (r.crossSplitRows > 0)
        out += "  fix: train --group-near-duplicates keeps each group on one side of the split\n";
    if (r.withinTrainRepeats > 0)
        out += "  fix: train --drop-near-duplicates keeps one pair per group in training\n";
    return out;
}

std::string nearDuplicateReportJson(const NearDuplicateReport &r)
{
    const nlohmann::json out = { { "threshold", r.threshold }, { "rows", r.rows },
        { "train_rows", r.trainRows }, { "eval_rows", r.evalRows }, { "distinct_texts", r.distinctTexts },
        { "linked_texts", r.linkedTexts }, { "groups", r.groups }, { "rows_in_groups", r.rowsInGroups },
        { "largest_group", r.largestGroup }, { "within_train_repeats", r.withinTrainRepeats },
        { "cross_split_rows", r.crossSplitRows },
        { "within_train_examples", examplesJson(r.withinTrainExamples) },
        { "cross_split_examples", examplesJson(r.crossSplitExamples) }, { "embed_seconds", r.embedSeconds },
        { "search_seconds", r.searchSeconds } };
    return out.dump(2);
}

} // namespace pairtune
