#include "text/wordpiecevocab.h"

#include "core/error.h"
#include "text/utf8.h"

#include <algorithm>

namespace pairtune {

WordPieceVocab::WordPieceVocab(std::vector<std::string> tokens, std::string unkToken,
    std::string continuingSubwordPrefix, std::size_t maxInputCharsPerWord, const std::string &source)
    : m_tokens(std::move(tokens))
    , m_unkToken(std::move(unkToken))
    , m_prefix(std::move(continuingSubwordPrefix))
    , m_maxInputCharsPerWord(maxInputCharsPerWord)
{
    if (m_tokens.empty())
        throw Error(locate(source, 0, 0, "the WordPiece vocabulary is empty"));
    m_wordStarts.reserve(m_tokens.size());
    for (std::size_t id = 0; id < m_tokens.size(); ++id) {
        const std::string &token = m_tokens[id];
        const auto [it, inserted] = m_wordStarts.emplace(token, static_cast<std::int64_t>(id));
        if (!inserted)
            throw Error(locate(source, 0, 0,
                "the token \"" + token + "\" appears twice in the vocabulary (ids "
                    + std::to_string(it->second) + " and " + std::to_string(id) + ")"));
        m_maxStartBytes = std::max(m_maxStartBytes, token.size());
        if (token.size() > m_prefix.size() && token.starts_with(m_prefix)) {
            m_continuations.emplace(token.substr(m_prefix.size()), static_cast<std::int64_t>(id));
            m_maxContinuationBytes = std::max(m_maxContinuationBytes, token.size() - m_prefix.size());
        }
    }
    const auto unk = m_wordStarts.find(m_unkToken);
    if (unk == m_wordStarts.end())
        throw Error(locate(source, 0, 0,
            "the unknown token \"" + m_unkToken
                + "\" is not in the vocabulary; WordPiece needs it for words it cannot split"));
    m_unkId = unk->second;
}

std::optional<std::int64_t> WordPieceVocab::find(std::string_view token) const
{
    const auto it = m_wordStarts.find(token);
    if (it == m_wordStarts.end())
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
    std::vector<std::size_t> &offsets = scratch.offsets;
    bytes.clear();
    offsets.clear();
    for (const char32_t c : word) {
        offsets.push_back(bytes.size());
        appendUtf8(bytes, c);
    }
    offsets.push_back(bytes.size());

    const std::size_t firstPiece = ids.size();
    const std::size_t charCount = word.size();
    std::size_t start = 0;
    while (start < charCount) {
        const Map &map = start == 0 ? m_wordStarts : m_continuations;
        const std::size_t maxBytes = start == 0 ? m_maxStartBytes : m_maxContinuationBytes;
        std::size_t end = charCount;
        // Pieces longer than the longest token cannot match: start from the longest that can.
        while (end > start && offsets[end] - offsets[start] > maxBytes)
            --end;
        std::int64_t found = -1;
        for (; end > start; --end) {
            const auto it
                = map.find(std::string_view(bytes).substr(offsets[start], offsets[end] - offsets[start]));
            if (it != map.end()) {
                found = it->second;
                break;
            }
        }
        if (found < 0) {
            ids.resize(firstPiece);
            ids.push_back(m_unkId);
            return;
        }
        ids.push_back(found);
        start = end;
    }
}

} // namespace pairtune
