#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pairtune {

// The WordPiece model of HF tokenizers (models/wordpiece): a vocabulary in id order and the greedy
// longest-match-first split of one pre-tokenized word. HF tries ever shorter substrings in a hash
// map; the longest vocabulary entry that prefixes the rest of the word is the same piece, so here
// one walk down a byte trie finds it (two tries: word starts, and continuation pieces keyed without
// the "##" prefix, so no prefixed string is ever built).
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

    // Scratch memory for tokenizeWord, owned by the caller so a const vocabulary can be shared by
    // threads while each encode() reuses its own buffer across words.
    struct Scratch
    {
        std::string utf8;
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

    // A byte trie in flat arrays: a node's children are labels/targets[childBegin, childBegin +
    // childCount), sorted by label. Wide nodes (the root, common prefixes) also get a 256-entry
    // table in m_dense so the walk never searches them.
    class Trie
    {
    public:
        using Entries = std::vector<std::pair<std::string_view, std::int64_t>>;
        void build(Entries entries);
        // The id and byte length of the longest entry that prefixes text, or {-1, 0}.
        std::pair<std::int64_t, std::size_t> longestPrefix(std::string_view text) const;

    private:
        struct Node
        {
            std::int64_t id = -1;
            std::uint32_t childBegin = 0;
            std::uint32_t childCount = 0;
            std::int32_t dense = -1; // offset of the node's table in m_dense, or -1
        };
        static constexpr std::uint32_t kDenseFrom = 8; // children from which a node gets a table
        std::uint32_t buildNode(
            const Entries &entries, std::size_t begin, std::size_t end, std::size_t depth);

        std::vector<Node> m_nodes;
        std::vector<unsigned char> m_labels;
        std::vector<std::uint32_t> m_targets;
        std::vector<std::uint32_t> m_dense; // child node by byte; 0 = none (the root is nobody's child)
    };

    std::vector<std::string> m_tokens;
    Map m_ids; // every token, for find()
    Trie m_wordStarts; // every token, as the first piece of a word
    Trie m_continuations; // tokens that start with the prefix, without it
    std::string m_unkToken;
    std::int64_t m_unkId = 0;
    std::string m_prefix;
    std::size_t m_maxInputCharsPerWord;
};

} // namespace pairtune
