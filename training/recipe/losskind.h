#pragma once

// The losses and similarities Pairtune trains with, named once: their spellings in config.json and on
// the command line (kept exactly as old runs wrote them), sentence-transformers' names for them, and
// what each loss uses. The settings page, the recipe check, the trainer, the exporter and the CLI ask
// here instead of comparing names themselves (docs/formats.md §5.1). Plain C++: no torch, no Qt.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

enum class LossKind { Mnrl, MnrlSymmetric, Cosine, CoSent };
enum class SimilarityKind { Dot, Cosine };

struct LossTraits
{
    LossKind kind;
    const char *name; // TrainingConfig::loss, config.json and --loss: "mnrl"
    const char *stClassName; // sentence_transformers.losses class: "MultipleNegativesRankingLoss"
    bool usesScores; // learns from the pairs' scores (the file's or made-up ones)
    bool usesNegatives; // the batch's other positives and the hard negatives are its negatives
    bool symmetric; // also retrieves each anchor from its positive
    // TrainingConfig::similarity applies; the other losses always compare by cosine, as
    // sentence-transformers' CosineSimilarityLoss and CoSENTLoss do by default.
    bool usesSimilarity;
    bool usesScale; // TrainingConfig::scale multiplies its similarities
};

struct SimilarityTraits
{
    SimilarityKind kind;
    const char *name; // TrainingConfig::similarity, config.json and --similarity: "dot", "cos"
    // sentence-transformers' SimilarityFunction value (similarity_fn_name in
    // config_sentence_transformers.json): "dot", "cosine".
    const char *stName;
    const char *stFunction; // the sentence_transformers.util function: "dot_score", "cos_sim"
};

// Every loss / similarity, in the order the settings page and --help list them.
const std::vector<LossTraits> &lossKinds();
const std::vector<SimilarityTraits> &similarityKinds();

const LossTraits &traitsOf(LossKind kind);
const SimilarityTraits &traitsOf(SimilarityKind kind);

// By config spelling; nullptr for a name Pairtune does not know.
const LossTraits *findLoss(std::string_view name);
// By config spelling or sentence-transformers' ("cos" or "cosine"); nullptr when unknown.
const SimilarityTraits *findSimilarity(std::string_view name);

// As find*, but an unknown name throws pairtune::Error listing the valid ones.
LossKind parseLossKind(const std::string &name);
SimilarityKind parseSimilarityKind(const std::string &name);

// The config spellings, for validation and CLI checks.
const std::vector<std::string> &trainingLossNames();
const std::vector<std::string> &similarityNames();
// "mnrl, mnrl_symmetric, cosine or cosent": the names for a help text.
std::string lossNamesText();
std::string similarityNamesText();

inline bool lossUsesScores(LossKind kind)
{
    return traitsOf(kind).usesScores;
}
inline bool lossUsesNegatives(LossKind kind)
{
    return traitsOf(kind).usesNegatives;
}
// By config spelling; false for an unknown name (the recipe check reports that one).
bool lossUsesScores(std::string_view name);
bool lossUsesNegatives(std::string_view name);

} // namespace pairtune
