#pragma once

// Byte-level BPE tokenizers from tokenizer.json (RoBERTa, ModernBERT, GPT-2 style), with the Hugging Face
// tokenizers pipeline: added tokens split out of the raw text (then out of the normalized text for
// normalized ones), the normalizer (none, NFC, Lowercase, Strip, Prepend, Replace, Sequence...), the
// ByteLevel pre-tokenizer, the BPE model, and the post-processor's special tokens.

#include "text/addedtokens.h"
#include "text/bpemodel.h"
#include "text/bytelevel.h"
#include "text/templatepostprocessor.h"
#include "text/tokenizer.h"
#include "text/unigramnormalizer.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace pairtune {

class BpeTokenizer final : public Tokenizer
{
public:
    // From a parsed tokenizer.json (model.type "BPE"); folder is where it came from: its
    // tokenizer_config.json names the padding token and is carried along on save. Throws pairtune::Error.
    static std::unique_ptr<BpeTokenizer> fromJson(const nlohmann::json &json, const std::string &folder);

    Encoding encode(std::string_view text, std::size_t maxLength) const override;
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::int64_t padId() const override { return m_padId; }
    std::size_t vocabSize() const override { return m_vocabSize; }
    std::string idToToken(std::int64_t id) const override;
    std::string kind() const override { return "bpe"; }
    // Writes the tokenizer.json it was built from, and tokenizer_config.json / special_tokens_map.json
    // (the folder's own, when it had them, with model_max_length set).
    void save(const std::string &folder, std::size_t modelMaxLength) const override;

    // The content ids of text: no special tokens, no truncation.
    void encodeContent(std::string_view text, std::vector<std::int64_t> &ids) const;

private:
    explicit BpeTokenizer(BpeModel model)
        : m_model(std::move(model))
    { }
    void encodeNormalized(std::u32string_view text, std::vector<std::int64_t> &ids) const;
    void encodeWords(std::string_view text, std::vector<std::int64_t> &ids) const;

    nlohmann::json m_json;
    nlohmann::json m_config; // tokenizer_config.json, or null
    nlohmann::json m_specialTokensMap; // special_tokens_map.json, or null
    std::string m_source;
    BpeModel m_model;
    UnigramNormalizer m_normalizer;
    std::optional<ByteLevelPreTokenizer> m_preTokenizer; // nullopt: each piece is one word
    AddedTokenMatcher m_rawMatcher; // added tokens with normalized=false
    AddedTokenMatcher m_normalizedMatcher; // added tokens with normalized=true
    std::unordered_map<std::int64_t, std::string> m_addedById;
    SpecialTokenFrame m_frame;
    std::int64_t m_padId = 0;
    std::size_t m_vocabSize = 0;
};

} // namespace pairtune
