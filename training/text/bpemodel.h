#pragma once

// The BPE model of Hugging Face tokenizers (models/bpe): a vocabulary, ranked merges, and the
// word-to-ids step with the library's exact rules: continuing_subword_prefix / end_of_word_suffix on
// the initial characters, byte_fallback to <0xXX> pieces, unk_token (fused or not), ignore_merges, and
// merges applied lowest rank first, leftmost first on a tie. No cache, no dropout.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pairtune {

class BpeModel
{
public:
    // From tokenizer.json's "model" object (type "BPE"); merges as "a b" strings or [a, b] pairs.
    // source names the file in errors. Throws pairtune::Error.
    static BpeModel fromJson(const nlohmann::json &model, const std::string &source);

    // From the vocabulary and the merges in rank order (vocab.json + merges.txt), with no prefix,
    // suffix, unk or fallback: what transformers' RobertaConverter builds.
    static BpeModel fromVocabAndMerges(std::unordered_map<std::string, std::int64_t> vocab,
        const std::vector<std::pair<std::string, std::string>> &merges, const std::string &source);

    BpeModel(BpeModel &&) = default;
    BpeModel &operator=(BpeModel &&) = default;
    BpeModel(const BpeModel &) = delete; // m_byId points into m_ids
    BpeModel &operator=(const BpeModel &) = delete;

    // Appends the ids of one pre-tokenized word (UTF-8) to ids.
    void encodeWord(std::string_view word, std::vector<std::int64_t> &ids) const;

    std::optional<std::int64_t> find(std::string_view token) const;
    // The token of id, or nullptr when the vocabulary has no such id.
    const std::string *token(std::int64_t id) const;
    // One past the largest id of the vocabulary.
    std::size_t size() const { return m_byId.size(); }
    // The number of tokens (the library's get_vocab_size; size() unless the ids have gaps).
    std::size_t tokenCount() const { return m_ids.size(); }

private:
    BpeModel() = default;

    struct StringHash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
    };
    struct Merge
    {
        std::uint32_t rank;
        std::int64_t newId;
    };

    void setVocab(std::unordered_map<std::string, std::int64_t> vocab, const std::string &source);
    void addMerges(const std::vector<std::pair<std::string, std::string>> &merges, const std::string &source);
    const Merge *mergeOf(std::int64_t left, std::int64_t right) const;
    std::optional<std::int64_t> byteFallbackId(std::uint8_t byte) const;

    std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> m_ids;
    std::vector<const std::string *> m_byId;
    std::unordered_map<std::uint64_t, Merge> m_merges;
    std::optional<std::string> m_unkToken;
    std::string m_prefix; // continuing_subword_prefix
    std::string m_suffix; // end_of_word_suffix
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    std::string m_source;
};

} // namespace pairtune
