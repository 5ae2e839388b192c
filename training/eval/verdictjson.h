#pragma once

// The verdict of issue 21 as JSON: `pairtune-cli eval --compare --json` prints it and a training run
// writes it to RUN/verdict.json (docs/formats.md "verdict.json"); the studio's results panel reads it.

#include "eval/verdict.h"
#include "eval/verdictcard.h"

#include <nlohmann/json.hpp>

namespace pairtune {

// {"pairs", "corpus", "depth", "resamples", "confidence", "headline", "verdict", "metrics": {name:
// {before, after, difference, low, high, verdict}}, "gains"/"losses": [{pair, query, positive,
// rank_before, rank_after (null beyond the depth), outranked_by_before, outranked_by_after (the text
// ranked first, null when it was the true positive)}]}. The caller adds who was compared and the seed.
nlohmann::json verdictJson(const VerdictReport &report, const VerdictTexts &texts);

// "Better: mrr@10 0.4120 -> 0.5310 (+0.1190, 95 % interval [+0.0800, +0.1600]) on 100 held-out pairs";
// `pairs` names what the queries were.
std::string verdictLine(const VerdictReport &report, const std::string &pairs = "held-out pairs");

} // namespace pairtune
