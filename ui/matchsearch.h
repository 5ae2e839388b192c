#pragma once

// The before/after search of the Try & Export page: the held-out texts, embedded once per model, and
// the nearest of them to a query by cosine similarity. Plain code, no widgets, no threads.

#include "model/sentencemodel.h"
#include "recipe/trainingconfig.h"

#include <string>
#include <vector>

namespace pairtune {
class ModelPrompts;
}

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

// Which prompt a search query gets (the Try & Export page's prompt choice).
struct QueryPromptChoice
{
    enum class Kind {
        AsTrained, // the anchors' prompt in training and evaluation (model/prompts.h columnPrompts)
        None,
        Named, // the model's prompt called name (SentenceTransformer.encode(prompt_name=name))
    };
    Kind kind = Kind::AsTrained;
    std::string name;
};

// The text prepended to a query for choice; "" when the model has no such prompt.
std::string queryPrompt(const ModelPrompts &prompts, const QueryPromptChoice &choice);
// The searched texts are documents: the positives' prompt, as in training and evaluation.
std::string documentPrompt(const ModelPrompts &prompts);

// The held-out pairs of the run in config.outPath, as the trainer wrote them to RUN/eval-pairs.tsv
// when it began: the pairs it evaluated on, whatever happened to the source files since (changed,
// moved, deleted), with no split recomputed. A run that held out nothing (train fraction 1; the file
// has no rows) searches the pairs it trained on, all of config.dataPaths. Throws pairtune::Error
// when the file is missing (the run never began training, or the file was deleted: no fallback to
// the source files, whose split may no longer be the one evaluated) or cannot be read.
SearchCorpus loadSearchCorpus(const TrainingConfig &config);
// The file loadSearchCorpus reads in runPath.
std::string evalPairsPath(const std::string &runPath);

// The k texts nearest to query (one row of embeddings) by cosine similarity, best first; ties keep
// the corpus order.
std::vector<Match> nearest(const Embeddings &corpus, const Embeddings &query, std::size_t k);

} // namespace pairtune::ui
