#include "text/bpemodel.h"

#include "core/error.h"
#include "io/jsonfields.h"

#include <queue>

#include <cstdio>

using nlohmann::json;

namespace pairtune {

namespace {

[[noreturn]] void fail(const std::string &source, const std::string &message)
{
    throw Error(locate(source, 0, 0, message));
}

std::uint64_t pairKey(std::int64_t left, std::int64_t right)
{
    return (std::uint64_t(left) << 32) | std::uint64_t(std::uint32_t(right));
}

// One symbol of a word while merging: a token id and its neighbours (a doubly linked list in a vector,
// as the library's Word keeps it); removed symbols have removed = true.
struct Symbol
{
    std::int64_t id;
    std::ptrdiff_t prev;
    std::ptrdiff_t next;
    bool removed = false;
};

struct QueuedMerge
{
    std::uint32_t rank;
    std::size_t pos;
    std::int64_t newId;
    // std::priority_queue pops the greatest: the lowest rank, then the leftmost position.
    bool operator<(const QueuedMerge &other) const
    {
        return rank != other.rank ? rank > other.rank : pos > other.pos;
    }
};

} // namespace

BpeModel BpeModel::fromJson(const json &model, const std::string &source)
{
    if (!model.is_object() || model.value("type", std::string()) != "BPE")
        fail(source, "model.type must be \"BPE\"");
    const auto dropout = model.find("dropout");
    if (dropout != model.end() && !dropout->is_null()
        && !(dropout->is_number() && dropout->get<double>() == 0.0))
        fail(source,
            "model.dropout is " + dropout->dump()
                + ": BPE dropout makes the ids random at every call; set it to null for a model used for "
                  "embeddings");

    const json &vocabJson = model.contains("vocab") ? model.at("vocab") : json();
    if (!vocabJson.is_object())
        fail(source, "model.vocab must be an object mapping each token to its id");
    std::unordered_map<std::string, std::int64_t> vocab;
    vocab.reserve(vocabJson.size());
    for (const auto &[token, id] : vocabJson.items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 || id.get<std::int64_t>() > INT32_MAX)
            fail(source, "model.vocab: the id of \"" + token + "\" is not a non-negative 32-bit integer");
        vocab.emplace(token, id.get<std::int64_t>());
    }

    const json &mergesJson = model.contains("merges") ? model.at("merges") : json::array();
    if (!mergesJson.is_array())
        fail(source, "model.merges must be a list");
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(mergesJson.size());
    for (std::size_t rank = 0; rank < mergesJson.size(); ++rank) {
        const json &entry = mergesJson[rank];
        if (entry.is_string()) {
            // The "a b" form of tokenizers < 0.20 (and of merges.txt).
            const std::string text = entry.get<std::string>();
            const std::size_t space = text.find(' ');
            if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
                fail(source, "model.merges[" + std::to_string(rank) + "] \"" + text + "\" is not \"a b\"");
            merges.emplace_back(text.substr(0, space), text.substr(space + 1));
        } else if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
            merges.emplace_back(entry[0].get<std::string>(), entry[1].get<std::string>());
        } else {
            fail(source, "model.merges[" + std::to_string(rank) + "] must be \"a b\" or [\"a\", \"b\"]");
        }
    }

    BpeModel result;
    result.m_source = source;
    result.m_unkToken = jsonfields::optionalString(model, "unk_token", source, "model.");
    result.m_prefix
        = jsonfields::optionalString(model, "continuing_subword_prefix", source, "model.").value_or("");
    result.m_suffix = jsonfields::optionalString(model, "end_of_word_suffix", source, "model.").value_or("");
    result.m_fuseUnk = jsonfields::boolOr(model, "fuse_unk", false, source, "model.");
    result.m_byteFallback = jsonfields::boolOr(model, "byte_fallback", false, source, "model.");
    result.m_ignoreMerges = jsonfields::boolOr(model, "ignore_merges", false, source, "model.");
    result.setVocab(std::move(vocab), source);
    result.addMerges(merges, source);
    if (result.m_unkToken && !result.find(*result.m_unkToken))
        fail(source, "model.unk_token \"" + *result.m_unkToken + "\" is not in model.vocab");
    return result;
}

BpeModel BpeModel::fromVocabAndMerges(std::unordered_map<std::string, std::int64_t> vocab,
    const std::vector<std::pair<std::string, std::string>> &merges, const std::string &source)
{
    BpeModel result;
    result.m_source = source;
    result.setVocab(std::move(vocab), source);
    result.addMerges(merges, source);
    return result;
}

void BpeModel::setVocab(std::unordered_map<std::string, std::int64_t> vocab, const std::string &source)
{
    std::int64_t maxId = -1;
    for (auto &[token, id] : vocab)
        maxId = std::max(maxId, id);
    m_byId.assign(std::size_t(maxId + 1), nullptr);
    for (auto &[token, id] : vocab) {
        const auto [it, inserted] = m_ids.emplace(token, id);
        if (m_byId[std::size_t(id)])
            fail(source,
                "the vocabulary gives the id " + std::to_string(id) + " to both \"" + *m_byId[std::size_t(id)]
                    + "\" and \"" + token + "\"");
        m_byId[std::size_t(id)] = &it->first;
    }
}

void BpeModel::addMerges(
    const std::vector<std::pair<std::string, std::string>> &merges, const std::string &source)
{
    m_merges.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto &[left, right] = merges[rank];
        const std::string where = "merge " + std::to_string(rank + 1) + " (\"" + left + " " + right + "\"): ";
        const auto leftId = find(left);
        const auto rightId = find(right);
        if (!leftId || !rightId)
            fail(source, where + "\"" + (leftId ? right : left) + "\" is not in the vocabulary");
        // The merged token drops the right part's continuing_subword_prefix (as many bytes as it has).
        const std::string merged = left + right.substr(std::min(m_prefix.size(), right.size()));
        const auto newId = find(merged);
        if (!newId)
            fail(source, where + "the merged token \"" + merged + "\" is not in the vocabulary");
        m_merges.insert_or_assign(pairKey(*leftId, *rightId), Merge { std::uint32_t(rank), *newId });
    }
}

std::optional<std::int64_t> BpeModel::find(std::string_view token) const
{
    const auto it = m_ids.find(token);
    return it == m_ids.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
}

const std::string *BpeModel::token(std::int64_t id) const
{
    return id >= 0 && std::size_t(id) < m_byId.size() ? m_byId[std::size_t(id)] : nullptr;
}

const BpeModel::Merge *BpeModel::mergeOf(std::int64_t left, std::int64_t right) const
{
    const auto it = m_merges.find(pairKey(left, right));
    return it == m_merges.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> BpeModel::byteFallbackId(std::uint8_t byte) const
{
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    return find(name);
}

void BpeModel::encodeWord(std::string_view word, std::vector<std::int64_t> &ids) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges)
        if (const auto whole = find(word)) {
            ids.push_back(*whole);
            return;
        }

    // The initial symbols: one per character (with the prefix after the first and the suffix on the
    // last), <0xXX> pieces or the unknown token for characters the vocabulary lacks.
    std::vector<std::int64_t> initial;
    std::optional<std::int64_t> pendingUnk;
    std::string piece;
    for (std::size_t pos = 0; pos < word.size();) {
        std::size_t end = pos + 1;
        while (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80)
            ++end;
        piece.clear();
        if (pos > 0)
            piece += m_prefix;
        piece.append(word.substr(pos, end - pos));
        if (end == word.size())
            piece += m_suffix;
        pos = end;
        if (const auto id = find(piece)) {
            if (pendingUnk)
                initial.push_back(*std::exchange(pendingUnk, std::nullopt));
            initial.push_back(*id);
            continue;
        }
        if (m_byteFallback) {
            std::vector<std::int64_t> bytes;
            for (const char byte : piece)
                if (const auto id = byteFallbackId(static_cast<std::uint8_t>(byte)))
                    bytes.push_back(*id);
            if (bytes.size() == piece.size()) {
                // The library adds these without first flushing a pending unknown token.
                initial.insert(initial.end(), bytes.begin(), bytes.end());
                continue;
            }
        }
        if (m_unkToken) {
            if (pendingUnk && !m_fuseUnk)
                initial.push_back(*pendingUnk);
            if (!pendingUnk || !m_fuseUnk)
                pendingUnk = *find(*m_unkToken);
        }
    }
    if (pendingUnk)
        initial.push_back(*pendingUnk);

    std::vector<Symbol> symbols;
    symbols.reserve(initial.size());
    for (std::size_t i = 0; i < initial.size(); ++i)
        symbols.push_back({ initial[i], std::ptrdiff_t(i) - 1,
            i + 1 < initial.size() ? std::ptrdiff_t(i + 1) : std::ptrdiff_t(-1) });

    std::priority_queue<QueuedMerge> queue;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const Merge *merge = mergeOf(symbols[i].id, symbols[i + 1].id))
            queue.push({ merge->rank, i, merge->newId });
    while (!queue.empty()) {
        const QueuedMerge top = queue.top();
        queue.pop();
        Symbol &current = symbols[top.pos];
        if (current.removed || current.next < 0)
            continue;
        Symbol &right = symbols[std::size_t(current.next)];
        // Skip entries made stale by an earlier merge around this position.
        const Merge *merge = mergeOf(current.id, right.id);
        if (!merge || merge->newId != top.newId)
            continue;
        current.id = top.newId;
        right.removed = true;
        current.next = right.next;
        if (right.next >= 0)
            symbols[std::size_t(right.next)].prev = std::ptrdiff_t(top.pos);
        if (current.prev >= 0)
            if (const Merge *m = mergeOf(symbols[std::size_t(current.prev)].id, current.id))
                queue.push({ m->rank, std::size_t(current.prev), m->newId });
        if (current.next >= 0)
            if (const Merge *m = mergeOf(current.id, symbols[std::size_t(current.next)].id))
                queue.push({ m->rank, top.pos, m->newId });
    }
    for (const Symbol &symbol : symbols)
        if (!symbol.removed)
            ids.push_back(symbol.id);
}

} // namespace pairtune
