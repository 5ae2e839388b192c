#include "text/wordpiecevocab.h"

#include "core/error.h"
#include "text/utf8.h"

#include <algorithm>

namespace pairtune {

std::uint32_t WordPieceVocab::Trie::buildNode(
    const Entries &entries, std::size_t begin, std::size_t end, std::size_t depth)
{
    // entries[begin, end) are sorted and share their first depth bytes.
    const auto index = static_cast<std::uint32_t>(m_nodes.size());
    m_nodes.emplace_back();
    if (begin < end && entries[begin].first.size() == depth) {
        m_nodes[index].id = entries[begin].second;
        ++begin;
    }
    std::vector<std::pair<std::size_t, std::size_t>> groups; // one per distinct next byte
    for (std::size_t i = begin; i < end;) {
        const auto label = static_cast<unsigned char>(entries[i].first[depth]);
        std::size_t j = i + 1;
        while (j < end && static_cast<unsigned char>(entries[j].first[depth]) == label)
            ++j;
        groups.emplace_back(i, j);
        i = j;
    }
    // This node's edges are laid out contiguously before any child adds its own.
    const auto childBegin = static_cast<std::uint32_t>(m_labels.size());
    m_nodes[index].childBegin = childBegin;
    m_nodes[index].childCount = static_cast<std::uint32_t>(groups.size());
    for (const auto &group : groups) {
        m_labels.push_back(static_cast<unsigned char>(entries[group.first].first[depth]));
        m_targets.push_back(0);
    }
    for (std::size_t k = 0; k < groups.size(); ++k)
        m_targets[childBegin + k] = buildNode(entries, groups[k].first, groups[k].second, depth + 1);
    if (groups.size() > kDenseFrom) {
        m_nodes[index].dense = static_cast<std::int32_t>(m_dense.size());
        m_dense.resize(m_dense.size() + 256, 0);
        for (std::size_t k = 0; k < groups.size(); ++k)
            m_dense[m_nodes[index].dense + m_labels[childBegin + k]] = m_targets[childBegin + k];
    }
    return index;
}

void WordPieceVocab::Trie::build(Entries entries)
{
    std::sort(entries.begin(), entries.end());
    m_nodes.clear();
    m_labels.clear();
    m_targets.clear();
    m_dense.clear();
    buildNode(entries, 0, entries.size(), 0);
}

std::pair<std::int64_t, std::size_t> WordPieceVocab::Trie::longestPrefix(std::string_view text) const
{
    std::pair<std::int64_t, std::size_t> best { -1, 0 };
    std::uint32_t node = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const Node &n = m_nodes[node];
        const auto byte = static_cast<unsigned char>(text[i]);
        std::uint32_t next = 0;
        if (n.dense >= 0) {
            next = m_dense[static_cast<std::size_t>(n.dense) + byte];
        } else {
            const unsigned char *labels = m_labels.data() + n.childBegin;
            for (std::uint32_t k = 0; k < n.childCount; ++k) {
                if (labels[k] >= byte) {
                    if (labels[k] == byte)
                        next = m_targets[n.childBegin + k];
                    break;
                }
            }
        }
        if (next == 0)
            break;
        node = next;
        if (m_nodes[node].id >= 0)
            best = { m_nodes[node].id, i + 1 };
    }
    return best;
}

WordPieceVocab::WordPieceVocab(std::vector<std::string> tokens, std::string unkToken,
    std::string continuingSubwordPrefix, std::size_t maxInputCharsPerWord, const std::string &source)
    : m_tokens(std::move(tokens))
    , m_unkToken(std::move(unkToken))
    , m_prefix(std::move(continuingSubwordPrefix))
    , m_maxInputCharsPerWord(maxInputCharsPerWord)
{
    if (m_tokens.empty())
        throw Error(locate(source, 0, 0, "the WordPiece vocabulary is empty"));
    m_ids.reserve(m_tokens.size());
    Trie::Entries starts;
    Trie::Entries continuations;
    starts.reserve(m_tokens.size());
    for (std::size_t id = 0; id < m_tokens.size(); ++id) {
        const std::string &token = m_tokens[id];
        const auto [it, inserted] = m_ids.emplace(token, static_cast<std::int64_t>(id));
        if (!inserted)
            throw Error(locate(source, 0, 0,
                "the token \"" + token + "\" appears twice in the vocabulary (ids "
                    + std::to_string(it->second) + " and " + std::to_string(id) + ")"));
        if (token.empty())
            continue; // can never be a piece
        starts.emplace_back(token, static_cast<std::int64_t>(id));
        if (token.size() > m_prefix.size() && token.starts_with(m_prefix))
            continuations.emplace_back(
                std::string_view(token).substr(m_prefix.size()), static_cast<std::int64_t>(id));
    }
    const auto unk = m_ids.find(m_unkToken);
    if (unk == m_ids.end())
        throw Error(locate(source, 0, 0,
            "the unknown token \"" + m_unkToken
                + "\" is not in the vocabulary; WordPiece needs it for words it cannot split"));
    m_unkId = unk->second;
    m_wordStarts.build(std::move(starts));
    m_continuations.build(std::move(continuations));
}

std::optional<std::int64_t> WordPieceVocab::find(std::string_view token) const
{
    const auto it = m_ids.find(token);
    if (it == m_ids.end())
        return std::nullopt;
    return it->second;
}

void WordPieceVocab::tokenizeWord(
    std::u32string_view word, Scratch &scratch, std::vector<std::int64_t> &ids) const
{
    if (word.empty())
        return;
    if (word.size() > m_maxInputCharsPerWord) {
        ids.push_back(m_unkId);
        return;
    }
    std::string &bytes = scratch.utf8;
    bytes.resize(4 * word.size());
    char *write = bytes.data();
    for (const char32_t c : word)
        write += writeUtf8(c, write);
    bytes.resize(static_cast<std::size_t>(write - bytes.data()));

    // Entries are whole UTF-8 characters, so every match ends on a character boundary.
    const std::size_t firstPiece = ids.size();
    std::size_t start = 0;
    while (start < bytes.size()) {
        const Trie &trie = start == 0 ? m_wordStarts : m_continuations;
        const auto [id, length] = trie.longestPrefix(std::string_view(bytes).substr(start));
        if (id < 0) {
            ids.resize(firstPiece);
            ids.push_back(m_unkId);
            return;
        }
        ids.push_back(id);
        start += length;
    }
}

} // namespace pairtune
