#pragma once

// What the configuration suites share: a configuration validate() accepts, and a check that one of its
// problems names a word (validate() returns sentences for people, so suites look for the key word).

#include "recipe/trainingconfig.h"

#include <algorithm>
#include <string>
#include <vector>

namespace pairtune::testconfig {

// The smallest configuration validate() accepts: one data file, the built-in model, an output folder.
inline TrainingConfig runnable()
{
    TrainingConfig c;
    c.dataPaths = { "pairs.tsv" };
    c.basePath = "builtin";
    c.outPath = "run";
    return c;
}

inline bool mentions(const std::vector<std::string> &problems, const std::string &word)
{
    return std::any_of(problems.begin(), problems.end(),
        [&](const std::string &problem) { return problem.find(word) != std::string::npos; });
}

} // namespace pairtune::testconfig
