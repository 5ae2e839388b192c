#include "train/trainingdata.h"

#include "core/error.h"
#include "mine/nearduplicates.h"
#include "model/sentencemodel.h"
#include "recipe/syntheticscores.h"
#include "train/losses.h"

#include <algorithm>
#include <limits>
#include <string_view>
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

    if (config.groupNearDuplicates || config.dropNearDuplicates) {
        // Near-duplicates under the base model, before any training (issue 21): both fixes are config
        // keys, so config.json says how the split was made and the run reproduces.
        NearDuplicateOptions options;
        options.threshold = config.nearDuplicateThreshold;
        const NearDuplicateGroups groups = findNearDuplicateGroups(model, records, options);
        data.split = config.groupNearDuplicates
            ? splitIndicesGrouped(records.size(), config.trainFraction, config.seed, groups.rowGroup)
            : splitIndices(records.size(), config.trainFraction, config.seed);
        if (config.dropNearDuplicates)
            data.split = dropWithinTrainRepeats(data.split, groups.rowGroup);
    } else {
        data.split = splitIndices(records.size(), config.trainFraction, config.seed);
    }

    // A record's negatives count must be the same in every batch: use the smallest count.
    data.negativesPerRecord = records.front().negatives.size();
    for (const PairRecord &r : records)
        data.negativesPerRecord = std::min(data.negativesPerRecord, r.negatives.size());
    if (!lossUsesNegatives(parseLossKind(config.loss)))
        data.negativesPerRecord = 0;

    data.prompts = columnPrompts(model.prompts());
    for (std::size_t column = 0; column < 2 + data.negativesPerRecord; ++column)
        data.columnPromptLengths.push_back(model.promptLength(data.columnPrompt(column)));

    // Distinct texts are found by views into the records (which outlive this function): a map of
    // copied strings held every text a second time, and one of prompted strings a third (issue 18).
    std::unordered_map<std::string_view, std::uint32_t> textIndex;
    textIndex.reserve(records.size() * data.columns());
    // The encoding depends only on the prompted string, so a text shares one encoding among the columns
    // with the same prompt: per distinct prompt, the encoding of each text id (kNone: not yet made).
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::string> distinctPrompts;
    std::vector<std::size_t> promptOfColumn;
    for (std::size_t column = 0; column < data.columns(); ++column) {
        const std::string &prompt = data.columnPrompt(column);
        const auto found = std::find(distinctPrompts.begin(), distinctPrompts.end(), prompt);
        promptOfColumn.push_back(static_cast<std::size_t>(found - distinctPrompts.begin()));
        if (found == distinctPrompts.end())
            distinctPrompts.push_back(prompt);
    }
    std::vector<std::vector<std::uint32_t>> encodingOfText(distinctPrompts.size());
    data.textIds.reserve(records.size());
    data.encodingIds.reserve(records.size() * data.columns());
    data.lengths.reserve(records.size());
    for (const PairRecord &r : records) {
        std::vector<std::uint32_t> ids;
        ids.reserve(data.columns());
        std::size_t longest = 0;
        for (std::size_t column = 0; column < data.columns(); ++column) {
            const std::string &text = column == 0 ? r.anchor
                : column == 1                     ? r.positive
                                                  : r.negatives[column - 2];
            const auto [it, inserted]
                = textIndex.try_emplace(text, static_cast<std::uint32_t>(textIndex.size()));
            const std::uint32_t textId = it->second;
            ids.push_back(textId);
            std::vector<std::uint32_t> &encodingOf = encodingOfText[promptOfColumn[column]];
            if (encodingOf.size() <= textId)
                encodingOf.resize(textId + 1, kNone);
            if (encodingOf[textId] == kNone)
                encodingOf[textId]
                    = data.encodings.add(model.tokenizeForModel(data.columnPrompt(column) + text));
            data.encodingIds.push_back(encodingOf[textId]);
            longest = std::max(longest, data.encodings.tokens(encodingOf[textId]));
        }
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
