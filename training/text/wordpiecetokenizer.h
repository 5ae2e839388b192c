#pragma once

#include "text/addedtokens.h"
#include "text/bertnormalizer.h"
#include "text/templatepostprocessor.h"
#include "text/tokenizer.h"
#include "text/wordpiecevocab.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pairtune {

// Everything a BERT fast tokenizer is made of, as read from tokenizer.json or built from vocab.txt
// and tokenizer_config.json.
struct WordPieceSettings
{
    std::optional<BertNormalizerOptions> normalizer = BertNormalizerOptions {}; // nullopt: none
    // Lowercase normalizers in a Sequence before / after the BertNormalizer (sentence-transformers 5.4+
    // saves do_lower_case=True as Sequence[Lowercase, BertNormalizer]).
    bool lowercaseBefore = false;
    bool lowercaseAfter = false;
    bool bertPreTokenizer = true; // false: none
    std::vector<std::string> vocab; // id order
    std::string unkToken = "[UNK]";
    std::string continuingSubwordPrefix = "##";
    std::size_t maxInputCharsPerWord = 100;
    std::vector<AddedToken> addedTokens;
    std::optional<TemplatePostProcessor> postProcessor; // nullopt: no special tokens added

    // The names transformers keeps in tokenizer_config.json / special_tokens_map.json.
    std::string clsToken = "[CLS]";
    std::string sepToken = "[SEP]";
    std::string padToken = "[PAD]";
    std::string maskToken = "[MASK]";
};

// BERT WordPiece with HF tokenizers' fast semantics: added tokens split off the raw text, then
// BertNormalizer, BertPreTokenizer, WordPiece, and the template's special tokens around the result.
class WordPieceTokenizer final : public Tokenizer
{
public:
    // source names the file the settings came from, for error messages. Throws pairtune::Error.
    WordPieceTokenizer(WordPieceSettings settings, const std::string &source);

    Encoding encode(std::string_view text, std::size_t maxLength) const override;
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::int64_t padId() const override { return m_padId; }
    std::size_t vocabSize() const override { return m_vocabSize; }
    std::string idToToken(std::int64_t id) const override;
    std::string kind() const override { return "wordpiece"; }
    void save(const std::string &folder, std::size_t modelMaxLength) const override;

    // The settings it was built from; the vocabulary itself moved into vocab().
    const WordPieceSettings &settings() const { return m_settings; }
    const WordPieceVocab &vocab() const { return m_vocab; }
    // Added tokens first, then the model's vocabulary (HF token_to_id).
    std::optional<std::int64_t> tokenToId(std::string_view token) const;

    // The content ids of text: no special tokens, no truncation.
    void encodeContent(std::string_view text, std::vector<std::int64_t> &ids) const;

private:
    // Runs m_normalizers over text into out (cleared first); false when there are none.
    bool normalize(std::u32string_view text, std::u32string &out) const;
    void tokenizeNormalized(
        std::u32string_view text, WordPieceVocab::Scratch &scratch, std::vector<std::int64_t> &ids) const;
    void tokenizeWords(
        std::u32string_view text, WordPieceVocab::Scratch &scratch, std::vector<std::int64_t> &ids) const;

    WordPieceSettings m_settings;
    WordPieceVocab m_vocab;
    // Lowercase / BertNormalizer steps, applied in order; empty: no normalizer.
    std::vector<BertNormalizer> m_normalizers;
    AddedTokenMatcher m_rawMatcher; // added tokens with normalized=false
    AddedTokenMatcher m_normalizedMatcher; // added tokens with normalized=true
    std::unordered_map<std::int64_t, std::string> m_addedById;
    std::unordered_map<std::string, std::int64_t> m_addedByContent;
    SpecialTokenFrame m_frame;
    std::int64_t m_padId = 0;
    std::size_t m_vocabSize = 0;
};

} // namespace pairtune
