#pragma once

// The data side of a run, prepared once: records, labels, the split, and every distinct text
// tokenized once (training then only gathers cached ids).

#include "data/pairdataset.h"
#include "recipe/datasplit.h"
#include "recipe/trainingconfig.h"
#include "text/tokenizer.h"
#include "train/evaluator.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

struct TrainingData
{
    PairDataset dataset;
    std::vector<float> scores {}; // per record: the file's or the recipe's synthetic ones
    bool scoresFromFile = false;
    Split split {};
    std::size_t negativesPerRecord = 0;

    std::vector<std::string> texts {}; // distinct texts
    std::vector<Encoding> encodings {}; // texts[i] as the model sees it
    std::vector<std::vector<std::uint32_t>> textIds {}; // per record: anchor, positive, negatives
    std::vector<std::size_t> lengths {}; // per record: tokens of its longest text

    const Encoding &encoding(std::size_t record, std::size_t column) const
    {
        return encodings[textIds[record][column]];
    }
};

TrainingData prepareTrainingData(const TrainingConfig &config, const SentenceModel &model);
EvalSet makeEvalSet(const TrainingData &data);

} // namespace pairtune
