#pragma once

// XLM-R's fast tokenizer from tokenizer.json (model type "Unigram"), reproducing the Hugging Face
// tokenizers pipeline (docs/formats.md §4.3): added tokens split out of the raw text, the normalizer
// (Precompiled charsmap, Strip, Replace " {2,}", NFC/NFD/NFKC/NFKD, or a Sequence of those),
// the Metaspace pre-tokenizer, Unigram Viterbi (unknown characters score min - 10, consecutive
// unknowns fused into one <unk>, optional byte fallback), and the TemplateProcessing /
// RobertaProcessing post-processor.

#include "text/addedtokens.h"
#include "text/metaspace.h"
#include "text/templatepostprocessor.h"
#include "text/tokenizer.h"
#include "text/unigramnormalizer.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pairtune {

class UnigramTokenizer : public Tokenizer
{
public:
    // From a parsed tokenizer.json; folder is where it came from (named in errors; its
    // sentencepiece.bpe.model, if any, is carried along on save). Throws pairtune::Error.
    static std::unique_ptr<UnigramTokenizer> fromJson(const nlohmann::json &json, const std::string &folder);

    // Converts a sentencepiece .model as transformers' XLMRobertaConverter does (what Python does for
    // a folder without tokenizer.json); needs no sentencepiece library.
    static std::unique_ptr<UnigramTokenizer> fromSpmModelFile(const std::string &modelPath);

    Encoding encode(std::string_view text, std::size_t maxLength) const override;
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::int64_t padId() const override { return m_padId; }
    std::size_t vocabSize() const override;
    std::string idToToken(std::int64_t id) const override;
    std::string kind() const override { return "unigram"; }

    // Writes the tokenizer.json it was loaded from, tokenizer_config.json, special_tokens_map.json,
    // and sentencepiece.bpe.model when it has one.
    void save(const std::string &folder, std::size_t modelMaxLength) const override;

    // The normalizer alone (for inspection and tests). text must be valid UTF-8.
    std::string normalize(std::string_view text) const { return m_normalizer.normalize(text); }

private:
    struct StringHash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
    };

    UnigramTokenizer() = default;
    void encodeContent(
        std::string_view text, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const;
    // raw is text between raw-matched added tokens; atStart: it begins the input (Metaspace's "first").
    void encodeNormalized(std::string_view raw, bool atStart, std::vector<std::int64_t> *ids,
        std::vector<std::string> *pieces) const;
    void encodeWords(std::string_view normalized, bool atStart, std::vector<std::int64_t> *ids,
        std::vector<std::string> *pieces) const;
    void addedToken(std::int64_t id, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const;
    void encodeWord(
        std::string_view word, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const;
    std::int64_t tokenId(std::string_view token) const;

    nlohmann::json m_json;
    std::string m_path;
    std::string m_spmModelBytes;

    UnigramNormalizer m_normalizer;
    std::optional<Metaspace> m_metaspace;
    SpecialTokenFrame m_frame;
    std::vector<AddedToken> m_addedTokens; // as tokenizer.json lists them (written back on save)
    AddedTokenMatcher m_rawMatcher; // added tokens with normalized=false
    AddedTokenMatcher m_normalizedMatcher; // added tokens with normalized=true
    std::unordered_map<std::int64_t, std::string> m_addedById;

    std::vector<std::pair<std::string, double>> m_vocab;
    std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> m_ids;
    std::size_t m_maxPieceBytes = 0;
    double m_minScore = 0.0;
    std::optional<std::int64_t> m_unkId;
    bool m_byteFallback = false;
    std::int64_t m_padId = 0;
};

} // namespace pairtune
