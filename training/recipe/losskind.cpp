#include "recipe/losskind.h"

#include "core/error.h"

#include <algorithm>

namespace pairtune {
namespace {

template <typename Traits> std::vector<std::string> namesOf(const std::vector<Traits> &kinds)
{
    std::vector<std::string> names;
    for (const Traits &traits : kinds)
        names.emplace_back(traits.name);
    return names;
}

// "a, b or c"
std::string listText(const std::vector<std::string> &names)
{
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

} // namespace

const std::vector<LossTraits> &lossKinds()
{
    // kind, name, class, scores, negatives, symmetric, similarity, scale
    static const std::vector<LossTraits> kinds = {
        { LossKind::Mnrl, "mnrl", "MultipleNegativesRankingLoss", false, true, false, true, true },
        { LossKind::MnrlSymmetric, "mnrl_symmetric", "MultipleNegativesSymmetricRankingLoss", false, true,
            true, true, true },
        { LossKind::Cosine, "cosine", "CosineSimilarityLoss", true, false, false, false, false },
        { LossKind::CoSent, "cosent", "CoSENTLoss", true, false, false, false, true },
    };
    return kinds;
}

const std::vector<SimilarityTraits> &similarityKinds()
{
    static const std::vector<SimilarityTraits> kinds = {
        { SimilarityKind::Dot, "dot", "dot", "dot_score" },
        { SimilarityKind::Cosine, "cos", "cosine", "cos_sim" },
    };
    return kinds;
}

const LossTraits &traitsOf(LossKind kind)
{
    for (const LossTraits &traits : lossKinds())
        if (traits.kind == kind)
            return traits;
    throw Error("a loss kind without an entry in recipe/losskind.cpp");
}

const SimilarityTraits &traitsOf(SimilarityKind kind)
{
    for (const SimilarityTraits &traits : similarityKinds())
        if (traits.kind == kind)
            return traits;
    throw Error("a similarity kind without an entry in recipe/losskind.cpp");
}

const LossTraits *findLoss(std::string_view name)
{
    const auto &kinds = lossKinds();
    const auto it
        = std::find_if(kinds.begin(), kinds.end(), [&](const LossTraits &t) { return name == t.name; });
    return it == kinds.end() ? nullptr : &*it;
}

const SimilarityTraits *findSimilarity(std::string_view name)
{
    const auto &kinds = similarityKinds();
    const auto it = std::find_if(kinds.begin(), kinds.end(),
        [&](const SimilarityTraits &t) { return name == t.name || name == t.stName; });
    return it == kinds.end() ? nullptr : &*it;
}

LossKind parseLossKind(const std::string &name)
{
    if (const LossTraits *traits = findLoss(name))
        return traits->kind;
    throw Error("unknown loss \"" + name + "\": use " + lossNamesText());
}

SimilarityKind parseSimilarityKind(const std::string &name)
{
    if (const SimilarityTraits *traits = findSimilarity(name))
        return traits->kind;
    throw Error("unknown similarity \"" + name + "\": use " + similarityNamesText());
}

const std::vector<std::string> &trainingLossNames()
{
    static const std::vector<std::string> names = namesOf(lossKinds());
    return names;
}

const std::vector<std::string> &similarityNames()
{
    static const std::vector<std::string> names = namesOf(similarityKinds());
    return names;
}

std::string lossNamesText()
{
    return listText(trainingLossNames());
}

std::string similarityNamesText()
{
    return listText(similarityNames());
}

bool lossUsesScores(std::string_view name)
{
    const LossTraits *traits = findLoss(name);
    return traits && traits->usesScores;
}

bool lossUsesNegatives(std::string_view name)
{
    const LossTraits *traits = findLoss(name);
    return traits && traits->usesNegatives;
}

} // namespace pairtune
