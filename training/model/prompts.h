#pragma once

// Prompts ("query: ", "passage: ", instructions) as sentence-transformers applies them: the names a
// model folder declares in config_sentence_transformers.json, which one an encode call uses, and which
// one each column of the pairs gets in training and evaluation. Torch-free.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

struct SentenceTransformersConfig;

class ModelPrompts
{
public:
    ModelPrompts();
    // As SentenceTransformer holds them after loading a folder: {"query": "", "document": ""} first,
    // then the file's prompts in the file's order (a file's non-empty text replaces an empty default).
    // Throws pairtune::Error naming path when default_prompt_name is not one of them, as Python's
    // constructor raises ValueError.
    static ModelPrompts fromConfig(const SentenceTransformersConfig &config, const std::string &path);

    const std::vector<std::pair<std::string, std::string>> &all() const { return m_prompts; }
    const std::optional<std::string> &defaultPromptName() const { return m_defaultName; }
    const std::string *find(const std::string &name) const;
    // "'query', 'document', 'classification'": for messages naming the known prompts.
    std::string knownNames() const;
    // True when some prompt has text (the two defaults alone are empty).
    bool anyNonEmpty() const;

    // SentenceTransformer.encode(prompt_name=, prompt=): an explicit prompt wins over a name; with
    // neither, default_prompt_name's prompt; else none (""). Throws pairtune::Error listing the known
    // names for an unknown name.
    std::string resolve(
        const std::optional<std::string> &promptName, const std::optional<std::string> &prompt) const;
    // SentenceTransformer.encode_query() without arguments: the "query" prompt when the model has that
    // name (it always has after loading, possibly empty), else encode()'s choice.
    std::string queryPrompt() const;
    // SentenceTransformer.encode_document() without arguments: the first of "document", "passage",
    // "corpus" the model has (after loading "document" always exists), else encode()'s choice.
    std::string documentPrompt() const;

private:
    std::vector<std::pair<std::string, std::string>> m_prompts;
    std::optional<std::string> m_defaultName;
};

// The prompt prepended to each column of the pairs, in training and in evaluation.
struct ColumnPrompts
{
    std::string anchor;
    std::string positive;
    std::string negative; // hard negatives (every negative_N column)

    bool any() const { return !anchor.empty() || !positive.empty() || !negative.empty(); }
    nlohmann::json toJson() const; // {"anchor": ..., "positive": ..., "negative": ...}
    bool operator==(const ColumnPrompts &) const = default;
};

// Which prompts Pairtune applies to a model's pairs. When encode_query() or encode_document() would
// prepend a text, anchors get encode_query()'s prompt and positives/negatives encode_document()'s: that
// mirrors sentence-transformers v5's InformationRetrievalEvaluator (queries through encode_query, the corpus
// through encode_document) and, for training, SentenceTransformerTrainingArguments(prompts={"anchor": ...,
// "positive": ..., "negative": ...}), whose data collator prepends each column's prompt (the documented way
// to train a model with its query/document prompts). Otherwise every column gets what a plain encode() would
// use: default_prompt_name's prompt, or none. Note that after loading "document" always exists, so a folder
// declaring only {"query", "passage"} gets no document prompt, in Python as here.
ColumnPrompts columnPrompts(const ModelPrompts &prompts);

} // namespace pairtune
