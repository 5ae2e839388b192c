#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pairtune {

// The WordPiece model of HF tokenizers (models/wordpiece): a vocabulary in id order and the greedy
// longest-match-first split of one pre-tokenized word. Lookups take string_views into a scratch
// buffer, so trying a piece allocates nothing; continuation pieces ("##ing") live in a second map
// keyed without the prefix, so no prefixed string is ever built.
class WordPieceVocab
{
public:
    // tokens[i] is the token of id i. Throws pairtune::Error naming source for duplicates, an empty
    // vocabulary or an unk token that is not in it.
    WordPieceVocab(std::vector<std::string> tokens, std::string unkToken, std::string continuingSubwordPrefix,
        std::size_t maxInputCharsPerWord, const std::string &source);

    std::size_t size() const { return m_tokens.size(); }
    const std::string &token(std::size_t id) const { return m_tokens[id]; }
    const std::vector<std::string> &tokens() const { return m_tokens; }
    std::optional<std::int64_t> find(std::string_view token) const;

    const std::string &unkToken() const { return m_unkToken; }
    std::int64_t unkId() const { return m_unkId; }
    const std::string &continuingSubwordPrefix() const { return m_prefix; }
    std::size_t maxInputCharsPerWord() const { return m_maxInputCharsPerWord; }

    // Scratch buffers for tokenizeWord, owned by the caller so a const vocabulary can be shared by
    // threads while each encode() reuses its own memory across words.
    struct Scratch
    {
        std::string utf8;
        std::vector<std::size_t> offsets;
    };

    // Appends the ids of one word: greedy longest match from the left, later pieces looked up with
    // the continuing-subword prefix; a word longer than maxInputCharsPerWord code points, or one
    // with any position that no piece matches, becomes the single unk id.
    void tokenizeWord(std::u32string_view word, Scratch &scratch, std::vector<std::int64_t> &ids) const;

private:
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept
        {
            return std::hash<std::string_view> {}(s);
        }
    };
    using Map = std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>>;

    std::vector<std::string> m_tokens;
    Map m_wordStarts; // every token, as the first piece of a word
    Map m_continuations; // tokens that start with the prefix, keyed without it
    std::size_t m_maxStartBytes = 0;
    std::size_t m_maxContinuationBytes = 0;
    std::string m_unkToken;
    std::int64_t m_unkId = 0;
    std::string m_prefix;
    std::size_t m_maxInputCharsPerWord;
};

} // namespace pairtune
