#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// One tokenized text: ids with the special tokens already added ([CLS] A [SEP] or <s> A </s>),
// and token type ids of the same length (all 0 for a single text). No padding: batching pads.
struct Encoding
{
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> typeIds;
};

// The end of a long text that truncation cuts (tokenizer_config.json's truncation_side).
enum class TruncationSide { Right, Left };

// A tokenizer with the semantics of the Hugging Face *fast* tokenizer that sentence-transformers uses
// (docs/formats.md §4). Implementations are immutable after loading and safe to use from several threads.
class Tokenizer
{
public:
    virtual ~Tokenizer() = default;

    // Encodes one text. maxLength counts the special tokens (0 = no limit): the content is cut at the
    // truncation side (the end unless told otherwise) so that ids.size() <= maxLength, exactly like
    // truncation="longest_first" for one text.
    virtual Encoding encode(std::string_view text, std::size_t maxLength) const = 0;

    // The content pieces without special tokens and without truncation (for inspection and tests).
    virtual std::vector<std::string> tokenize(std::string_view text) const = 0;

    virtual std::int64_t padId() const = 0;
    virtual std::size_t vocabSize() const = 0;
    virtual std::string idToToken(std::int64_t id) const = 0;

    // "wordpiece" (BERT), "unigram" (XLM-R from tokenizer.json) or "sentencepiece" (XLM-R through
    // the sentencepiece library).
    virtual std::string kind() const = 0;

    // Writes the tokenizer files Python needs into an existing folder: tokenizer.json,
    // tokenizer_config.json, special_tokens_map.json, and vocab.txt (BERT) or
    // sentencepiece.bpe.model (XLM-R, when the tokenizer came from one).
    virtual void save(const std::string &folder, std::size_t modelMaxLength) const = 0;

    // Set once by loadTokenizer from tokenizer_config.json, before the tokenizer is shared.
    void setTruncationSide(TruncationSide side) { m_truncationSide = side; }
    TruncationSide truncationSide() const { return m_truncationSide; }

protected:
    TruncationSide m_truncationSide = TruncationSide::Right;
};

// Loads the tokenizer of a model folder. Preference order, as transformers' AutoTokenizer with
// use_fast=True: tokenizer.json (its model type picks WordPiece, Unigram or BPE, whatever the
// architecture), then vocab.json + merges.txt (RoBERTa's byte-level BPE), vocab.txt (BERT; options from
// tokenizer_config.json), then sentencepiece.bpe.model (XLM-R). tokenizer_config.json's
// truncation_side is honoured. modelType is config.json's model_type ("bert",
// "xlm-roberta"). Throws pairtune::Error naming the folder when nothing usable is there.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string &folder, const std::string &modelType);

} // namespace pairtune
