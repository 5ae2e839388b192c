#pragma once

// The data side of a run, prepared once: records, labels, the split, and every distinct text
// tokenized once (training then only gathers cached ids).

#include "data/pairdataset.h"
#include "model/prompts.h"
#include "recipe/datasplit.h"
#include "recipe/trainingconfig.h"
#include "text/tokenizer.h"
#include "train/encodingstore.h"
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

    // The prompt each column gets (model/prompts.h columnPrompts) and its token count, per column
    // (anchor, positive, negatives...), for Pooling's include_prompt false.
    ColumnPrompts prompts {};
    std::vector<std::size_t> columnPromptLengths {};

    // per record: anchor, positive, negatives as ids of its distinct texts. The no-duplicates sampler
    // compares these: as in sentence-transformers, whose collator adds prompts after sampling, a text is
    // the same text whichever prompt its column gets. The texts themselves stay in dataset's records.
    std::vector<std::vector<std::uint32_t>> textIds {};
    // Distinct prompted texts (prompt + text) as the model sees them, packed (issue 18: at a million
    // pairs, Encodings of 64-bit ids were the largest thing a run held).
    EncodingStore encodings {};
    std::vector<std::uint32_t> encodingIds {}; // record r's column c: encodingIds[r * columns() + c]
    std::vector<std::size_t> lengths {}; // per record: tokens of its longest prompted text

    std::size_t columns() const { return 2 + negativesPerRecord; }
    Encoding encoding(std::size_t record, std::size_t column) const
    {
        return encodings.at(encodingIds[record * columns() + column]);
    }
    const std::string &columnPrompt(std::size_t column) const
    {
        return column == 0 ? prompts.anchor : column == 1 ? prompts.positive : prompts.negative;
    }
};

TrainingData prepareTrainingData(const TrainingConfig &config, const SentenceModel &model);
EvalSet makeEvalSet(const TrainingData &data);

} // namespace pairtune
