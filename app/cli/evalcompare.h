#pragma once

// pairtune-cli eval --compare BASE TUNED --data FILE: the verdict of issue 21 (train/modelverdict.h,
// eval/verdict.h) as a table, one JSON object or the model card's Markdown section.

#include "train/evaluator.h"

#include <cstdint>
#include <string>

namespace pairtune::cli {

// Every pair of a pair file as the evaluation reads it (scores from the file, or 1).
EvalSet readEvalSet(const std::string &path);

struct EvalCompareArgs
{
    std::string base;
    std::string tuned;
    std::string revision = "main";
    std::string data;
    std::size_t resamples = 1000;
    double confidence = 0.95;
    std::uint64_t seed = 42;
    std::size_t listed = 10;
    bool json = false;
    bool markdown = false; // the model card section (eval/verdictcard.h)
    std::string ranksPath; // when set: every pair's rank before and after, as TSV
    // The do-no-harm check too (train/generalcheck.h): the shipped general-English pairs under both models.
    bool generalCheck = false;
};

// Ranks every pair's positive under both models, prints the verdict; throws pairtune::Error.
void runEvalCompare(const EvalCompareArgs &args);

} // namespace pairtune::cli
