#include "ui/matchsearch.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "data/pairsource.h"
#include "io/fileutil.h"
#include "model/prompts.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
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

std::string evalPairsPath(const std::string &runPath)
{
    return (std::filesystem::path(runPath) / "eval-pairs.tsv").string();
}

SearchCorpus loadSearchCorpus(const TrainingConfig &config)
{
    const std::string path = evalPairsPath(config.outPath);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(locate(config.outPath, 0, 0,
            "holds no eval-pairs.tsv, the held-out pairs the trainer writes when it begins: this run "
            "never began training or the file was deleted, so the pairs it was evaluated on are "
            "unknown. Start a new run with these settings to compare."));
    std::string bytes = readFileBytes(path);
    // Only the header line: the run held out nothing, everything was trained on.
    const bool heldOutNothing = bytes.find('\n') + 1 >= bytes.size();
    const PairDataset dataset = heldOutNothing
        ? PairDataset::loadMany(config.dataPaths)
        : PairDataset::loadSources({ PairSource::inMemory(path, std::move(bytes)) });
    SearchCorpus corpus;
    std::unordered_map<std::string, std::size_t> position;
    for (const PairRecord &record : dataset.records()) {
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
