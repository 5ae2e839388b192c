#pragma once

// The verdict of issue 21 in words a person reads: a Markdown section for the model card (the table the
// CLI prints with `eval --compare --markdown`), and the one-line clipping of texts both use.

#include "eval/verdict.h"

#include <span>
#include <string>

namespace pairtune {

// Code points of UTF-8 text (what a terminal column counts for most scripts).
std::size_t codePointCount(const std::string &text);

// One line of at most `width` code points: tabs and line breaks become spaces, a cut ends in "…", and a
// multi-byte UTF-8 character is never split.
std::string clipLine(const std::string &text, std::size_t width);

// The texts a report's indices point at: queries[i] and positives[i] of query i, corpus[c] of a hit.
struct VerdictTexts
{
    std::span<const std::string> queries;
    std::span<const std::string> positives;
    std::span<const std::string> corpus;
};

// The metrics table of a report (base, tuned, difference, interval, verdict per metric) in Markdown.
std::string verdictMetricsTable(const VerdictReport &report);

// "## Evaluation: did fine-tuning help?" with the verdict, the metrics table (base, tuned, difference,
// interval, verdict per metric) and the biggest gains and losses. baseName and tunedName say which
// models were compared; seed is the bootstrap's.
std::string verdictCardSection(const VerdictReport &report, const VerdictTexts &texts,
    const std::string &baseName, const std::string &tunedName, std::uint64_t seed);

} // namespace pairtune
