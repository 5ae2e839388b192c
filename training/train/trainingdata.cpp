#include "train/trainingdata.h"

#include "core/error.h"
#include "model/sentencemodel.h"
#include "recipe/syntheticscores.h"
#include "train/losses.h"

#include <unordered_map>

namespace pairtune {

TrainingData prepareTrainingData(const TrainingConfig &config, const SentenceModel &model)
{
    TrainingData data { .dataset = PairDataset::loadMany(config.dataPaths) };
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

    std::unordered_map<std::string, std::uint32_t> index;
    auto intern = [&](const std::string &text) {
        auto [it, inserted] = index.try_emplace(text, static_cast<std::uint32_t>(data.texts.size()));
        if (inserted) {
            data.texts.push_back(text);
            data.encodings.push_back(model.tokenizeForModel(text));
        }
        return it->second;
    };
    data.textIds.reserve(records.size());
    data.lengths.reserve(records.size());
    for (const PairRecord &r : records) {
        std::vector<std::uint32_t> ids { intern(r.anchor), intern(r.positive) };
        for (std::size_t k = 0; k < data.negativesPerRecord; ++k)
            ids.push_back(intern(r.negatives[k]));
        std::size_t longest = 0;
        for (const std::uint32_t id : ids)
            longest = std::max(longest, data.encodings[id].ids.size());
        data.textIds.push_back(std::move(ids));
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
