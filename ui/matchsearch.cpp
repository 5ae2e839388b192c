#include "ui/matchsearch.h"

#include "data/pairdataset.h"
#include "model/prompts.h"
#include "recipe/datasplit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace pairtune::ui {
namespace {

double norm(const float *row, std::size_t dim)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < dim; ++i)
        sum += double(row[i]) * double(row[i]);
    return std::sqrt(sum);
}

} // namespace

std::string queryPrompt(const ModelPrompts &prompts, const QueryPromptChoice &choice)
{
    switch (choice.kind) {
    case QueryPromptChoice::Kind::AsTrained:
        return columnPrompts(prompts).anchor;
    case QueryPromptChoice::Kind::None:
        return {};
    case QueryPromptChoice::Kind::Named:
        break;
    }
    const std::string *text = prompts.find(choice.name);
    return text ? *text : std::string();
}

std::string documentPrompt(const ModelPrompts &prompts)
{
    return columnPrompts(prompts).positive;
}

SearchCorpus loadSearchCorpus(const TrainingConfig &config)
{
    const PairDataset dataset = PairDataset::loadMany(config.dataPaths);
    SearchCorpus corpus;
    if (dataset.size() < 2)
        return corpus;
    const Split split = splitIndices(dataset.size(), config.trainFraction, config.seed);
    // Without a held-out part (train fraction 1) search the training positives instead.
    const std::vector<std::size_t> &indices = split.eval.empty() ? split.train : split.eval;
    std::unordered_map<std::string, std::size_t> position;
    for (const std::size_t i : indices) {
        const PairRecord &record = dataset.records()[i];
        const auto [it, inserted] = position.try_emplace(record.positive, corpus.texts.size());
        if (inserted)
            corpus.texts.push_back(record.positive);
        corpus.queries.push_back(record.anchor);
        corpus.goldOfQuery.push_back(it->second);
    }
    return corpus;
}

std::vector<Match> nearest(const Embeddings &corpus, const Embeddings &query, std::size_t k)
{
    std::vector<Match> matches;
    if (query.rows == 0 || corpus.rows == 0 || corpus.dim != query.dim)
        return matches;
    const float *q = query.row(0);
    const double queryNorm = std::max(norm(q, query.dim), 1e-12);
    matches.reserve(corpus.rows);
    for (std::size_t r = 0; r < corpus.rows; ++r) {
        const float *row = corpus.row(r);
        double dot = 0.0;
        for (std::size_t i = 0; i < corpus.dim; ++i)
            dot += double(row[i]) * double(q[i]);
        matches.push_back({ r, dot / (queryNorm * std::max(norm(row, corpus.dim), 1e-12)) });
    }
    const std::size_t keep = std::min(k, matches.size());
    std::partial_sort(matches.begin(), matches.begin() + std::ptrdiff_t(keep), matches.end(),
        [](const Match &a, const Match &b) {
            return a.cosine > b.cosine || (a.cosine == b.cosine && a.index < b.index);
        });
    matches.resize(keep);
    return matches;
}

} // namespace pairtune::ui
