#pragma once

// XLM-R through the sentencepiece library (the run-time loaded shim), with the semantics of
// transformers' slow XLMRobertaTokenizer (docs/formats.md §4.3): sentencepiece pieces, fairseq ids
// (<s> 0, <pad> 1, </s> 2, <unk> 3, other pieces spm id + 1, spm's <unk> -> 3, <mask> = pieces + 1),
// "<s> A </s>". Special tokens written in the text are kept whole.

#include "text/addedtokens.h"
#include "text/sentencepieceshim.h"
#include "text/tokenizer.h"

#include <memory>
#include <string>

namespace pairtune {

class SentencePieceTokenizer : public Tokenizer
{
public:
    // modelBytes: a .model file's contents; pathForMessages names it in errors. Throws pairtune::Error.
    SentencePieceTokenizer(std::string modelBytes, const std::string &pathForMessages);
    static std::unique_ptr<SentencePieceTokenizer> fromModelFile(const std::string &modelPath);

    Encoding encode(std::string_view text, std::size_t maxLength) const override;
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::int64_t padId() const override { return 1; }
    std::size_t vocabSize() const override { return static_cast<std::size_t>(m_pieceCount) + 2; }
    std::string idToToken(std::int64_t id) const override;
    std::string kind() const override { return "sentencepiece"; }

    // Writes tokenizer.json (as XLMRobertaConverter would; skipped with a warning for a BPE model,
    // which Python then converts itself), tokenizer_config.json, special_tokens_map.json and
    // sentencepiece.bpe.model.
    void save(const std::string &folder, std::size_t modelMaxLength) const override;

    const std::string &modelBytes() const { return m_modelBytes; }
    std::int64_t maskId() const { return static_cast<std::int64_t>(m_pieceCount) + 1; }

private:
    // Content ids and pieces, specials in the text included.
    void encodeContent(
        std::string_view text, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const;

    std::string m_modelBytes;
    std::string m_path;
    std::unique_ptr<SentencePieceShim::Model> m_model;
    int m_pieceCount = 0;
    AddedTokenMatcher m_specialTokens; // XLM-R's <s> <pad> </s> <unk> <mask>, found in the raw text
};

} // namespace pairtune
