#include "train/trainingdata.h"

#include "core/error.h"
#include "model/sentencemodel.h"
#include "recipe/syntheticscores.h"
#include "train/losses.h"

#include <algorithm>
#include <unordered_map>

namespace pairtune {

TrainingData prepareTrainingData(const TrainingConfig &config, const SentenceModel &model)
{
    ImportOptions options;
    options.sheet = config.dataSheet;
    TrainingData data { .dataset = PairDataset::loadMany(config.dataPaths, options) };
    const std::vector<PairRecord> &records = data.dataset.records();
    std::string files;
    for (const std::string &path : config.dataPaths)
        files += (files.empty() ? "" : ", ") + path;
    if (records.size() < 2)
        throw Error(files + ": " + std::to_string(records.size()) + " pair(s); training needs at least 2");

    const bool fileHasScores = data.dataset.hasScores();
    if (config.useFileScores == FileScores::Require && !fileHasScores)
        throw Error(files + ": no score column, but the file's scores were required (--file-scores require)");
    data.scoresFromFile = fileHasScores && config.useFileScores != FileScores::Ignore;
    if (data.scoresFromFile) {
        for (const PairRecord &r : records)
            data.scores.push_back(r.score.value_or(0.0f));
    } else {
        data.scores = syntheticScores(records.size(), config.scoreMean, config.scoreScaling, config.seed);
    }

    data.split = splitIndices(records.size(), config.trainFraction, config.seed);

    // A record's negatives count must be the same in every batch: use the smallest count.
    data.negativesPerRecord = records.front().negatives.size();
    for (const PairRecord &r : records)
        data.negativesPerRecord = std::min(data.negativesPerRecord, r.negatives.size());
    if (!lossUsesNegatives(parseLossKind(config.loss)))
        data.negativesPerRecord = 0;

    data.prompts = columnPrompts(model.prompts());
    for (std::size_t column = 0; column < 2 + data.negativesPerRecord; ++column)
        data.columnPromptLengths.push_back(model.promptLength(data.columnPrompt(column)));

    std::unordered_map<std::string, std::uint32_t> textIndex;
    auto internText = [&](const std::string &text) {
        auto [it, inserted] = textIndex.try_emplace(text, static_cast<std::uint32_t>(data.texts.size()));
        if (inserted)
            data.texts.push_back(text);
        return it->second;
    };
    // The encoding depends only on the prompted string, so equal strings share one.
    std::unordered_map<std::string, std::uint32_t> encodingIndex;
    auto internEncoding = [&](const std::string &prompted) {
        auto [it, inserted]
            = encodingIndex.try_emplace(prompted, static_cast<std::uint32_t>(data.encodings.size()));
        if (inserted)
            data.encodings.push_back(model.tokenizeForModel(prompted));
        return it->second;
    };
    data.textIds.reserve(records.size());
    data.encodingIds.reserve(records.size());
    data.lengths.reserve(records.size());
    for (const PairRecord &r : records) {
        std::vector<const std::string *> columns { &r.anchor, &r.positive };
        for (std::size_t k = 0; k < data.negativesPerRecord; ++k)
            columns.push_back(&r.negatives[k]);
        std::vector<std::uint32_t> ids;
        std::vector<std::uint32_t> encodingIds;
        std::size_t longest = 0;
        for (std::size_t column = 0; column < columns.size(); ++column) {
            ids.push_back(internText(*columns[column]));
            encodingIds.push_back(internEncoding(data.columnPrompt(column) + *columns[column]));
            longest = std::max(longest, data.encodings[encodingIds.back()].ids.size());
        }
        data.textIds.push_back(std::move(ids));
        data.encodingIds.push_back(std::move(encodingIds));
        data.lengths.push_back(longest);
    }
    return data;
}

EvalSet makeEvalSet(const TrainingData &data)
{
    EvalSet set;
    set.scoresFromFile = data.scoresFromFile;
    for (const std::size_t i : data.split.eval) {
        const PairRecord &r = data.dataset.records()[i];
        set.anchors.push_back(r.anchor);
        set.positives.push_back(r.positive);
        set.negatives.emplace_back(
            r.negatives.begin(), r.negatives.begin() + static_cast<std::ptrdiff_t>(data.negativesPerRecord));
        set.scores.push_back(data.scores[i]);
    }
    return set;
}

} // namespace pairtune
