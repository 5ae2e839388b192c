#pragma once

// Issue 21 part 2, the model-facing half: score a held-out set's true pairs and non-pairs with a model,
// pick the similarity threshold for a target (eval/thresholdcurve.h), and keep it with the model folder as
// similarity_threshold.json plus a model card section, where `pairtune-cli match --threshold auto` finds
// it. Torch-free interface.

#include "eval/thresholdcurve.h"
#include "train/evaluator.h"
#include "train/modelverdict.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pairtune {

class SentenceModel;
struct TrainingConfig;

inline constexpr const char *kSimilarityThresholdFile = "similarity_threshold.json";

struct ThresholdPairOptions
{
    // Non-pairs "in batch": each anchor against this many other anchors' positives drawn at random, so the
    // count grows with the pairs, never with pairs squared.
    std::size_t inBatchPerAnchor = 4;
    std::size_t batchSize = 32;
    std::uint64_t seed = 42;
    // Called between stages with a fraction done and what comes next; may throw Error(Cancelled) to stop.
    std::function<void(double done, const std::string &stage)> progress;
};

struct ThresholdPairs
{
    std::vector<ScoredPair> pairs;
    std::size_t truePairs = 0;
    std::size_t inBatchNonPairs = 0;
    std::size_t hardNonPairs = 0; // each anchor's highest-scoring wrong positive (blocked search)
};

// Cosines of every (anchor, its positive), of the sampled in-batch non-pairs and of each anchor's hardest
// non-pair among the set's distinct positives. A text pair that is a true pair anywhere in the set (a
// repeated anchor with several positives) is never used as a non-pair. Anchors and positives are encoded
// with the model's prompts, as evaluate() does.
ThresholdPairs scoreThresholdPairs(
    const SentenceModel &model, const EvalSet &set, const ThresholdPairOptions &options = {});
// The same from the set already encoded (train/modelverdict.h embedEvalSet, corpus = evalCorpus(set)).
ThresholdPairs scoreThresholdPairs(const EvalEmbeddings &embedded, const EvalSet &set,
    const EvalCorpus &corpus, const ThresholdPairOptions &options = {});

// The stored threshold: what it is, how it measured, what for and on what.
struct SimilarityThreshold
{
    ThresholdTarget target;
    ThresholdPoint point; // threshold, precision, recall, F1 and the counts at it
    std::size_t truePairs = 0;
    std::size_t inBatchNonPairs = 0;
    std::size_t hardNonPairs = 0;
    std::string data; // what the pairs came from ("held-out pairs of the run", a file path)
    bool user = false; // set by hand (the studio's drag), not by the target's rule
};

// The threshold for target on the scored pairs; throws Error with the reason when none reaches it.
SimilarityThreshold chooseSimilarityThreshold(
    const ThresholdPairs &pairs, const ThresholdTarget &target, const std::string &dataName);

nlohmann::json toJson(const SimilarityThreshold &threshold);
// Throws Error naming path on a missing or malformed field.
SimilarityThreshold similarityThresholdFromJson(const nlohmann::json &json, const std::string &path);

// folder/similarity_threshold.json, or nullopt when the folder has none.
std::optional<SimilarityThreshold> readSimilarityThreshold(const std::string &modelFolder);

// "## Similarity threshold" for the model card.
std::string thresholdCardSection(const SimilarityThreshold &threshold);

// Writes folder/similarity_threshold.json and puts the card section into folder/README.md (replacing an
// earlier one; appended when the card has none; the card is left alone when the folder has no README.md).
void storeSimilarityThreshold(const std::string &modelFolder, const SimilarityThreshold &threshold);

// The end of a training run: the best-F1 threshold of the tuned model on the run's held-out pairs, stored in
// its exported folder (nothing when fewer than 2 pairs are held out).
void storeRunThreshold(const SentenceModel &model, const EvalSet &heldOut, const std::string &modelFolder);
void storeRunThreshold(const EvalEmbeddings &embedded, const EvalSet &heldOut, const EvalCorpus &corpus,
    const std::string &modelFolder);

// The same for the run's best/ folder (when the run wrote one): the final model's threshold copied when
// best/ holds the same state (bestIsFinal: the best step is the last), else measured on the model in
// best/, loaded as the run used it (train/runverdict.h loadModelAsTrained).
void storeBestRunThreshold(const EvalSet &heldOut, const std::string &finalFolder,
    const std::string &bestFolder, bool bestIsFinal, const TrainingConfig &config);

} // namespace pairtune
