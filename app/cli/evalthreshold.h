#pragma once

// `pairtune-cli eval --threshold f1|precision=X --model M --data F [--write]`: the similarity threshold of
// issue 21 part 2 for any model on any pair file (train/similaritythreshold.h).

#include <string>

namespace pairtune::cli {

struct EvalThresholdArgs
{
    std::string target; // "f1" or "precision=X"
    std::string model;
    std::string revision = "main";
    std::string data;
    bool write = false; // store it in the model folder (JSON + model card section)
    bool json = false;
};

void runEvalThreshold(const EvalThresholdArgs &args);

} // namespace pairtune::cli
