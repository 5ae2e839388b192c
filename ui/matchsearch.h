#pragma once

// The before/after search of the Try & Export page: the held-out texts, embedded once per model, and
// the nearest of them to a query by cosine similarity. Plain code, no widgets, no threads.

#include "model/sentencemodel.h"
#include "recipe/trainingconfig.h"

#include <string>
#include <vector>

namespace pairtune::ui {

class LoadedModel;

struct SearchCorpus
{
    std::vector<std::string> texts; // distinct positives of the evaluation split
    std::vector<std::string> queries; // the evaluation anchors, as example queries
    std::vector<std::size_t> goldOfQuery; // queries[i]'s positive, an index into texts
};

struct Match
{
    std::size_t index = 0; // into SearchCorpus::texts
    double cosine = 0.0;
};

// The evaluation split of the run's data (the same split the trainer used: same files, fraction and
// seed). Throws pairtune::Error when the data cannot be read.
SearchCorpus loadSearchCorpus(const TrainingConfig &config);

// The k texts nearest to query (one row of embeddings) by cosine similarity, best first; ties keep
// the corpus order.
std::vector<Match> nearest(const Embeddings &corpus, const Embeddings &query, std::size_t k);

} // namespace pairtune::ui
