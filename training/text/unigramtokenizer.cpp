#include "text/unigramtokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/jsonfields.h"
#include "io/jsonfile.h"
#include "text/spmmodelproto.h"
#include "text/tokenizerfactories.h"
#include "text/utf8.h"
#include "text/xlmrconventions.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>

namespace fs = std::filesystem;

namespace pairtune {

namespace {

// The fast tokenizer's penalty for a character no piece covers (models/unigram/model.rs).
constexpr double kUnkPenalty = 10.0;

// A byte-fallback piece: <0x41>.
std::string byteToken(unsigned char byte)
{
    char text[8];
    std::snprintf(text, sizeof text, "<0x%02X>", byte);
    return text;
}

} // namespace

std::unique_ptr<UnigramTokenizer> UnigramTokenizer::fromJson(
    const nlohmann::json &json, const std::string &folder)
{
    std::unique_ptr<UnigramTokenizer> tokenizer(new UnigramTokenizer());
    UnigramTokenizer &t = *tokenizer;
    t.m_json = json;
    t.m_path = (fs::path(folder) / "tokenizer.json").string();
    const std::string &path = t.m_path;
    const auto fail = [&](const std::string &message) { throw Error(locate(path, 0, 0, message)); };

    if (!json.is_object() || !json.contains("model") || jsonfields::typeOf(json["model"]) != "Unigram")
        fail("not a Unigram tokenizer (model.type must be \"Unigram\")");
    const nlohmann::json &model = json["model"];
    if (!model.contains("vocab") || !model["vocab"].is_array() || model["vocab"].empty())
        fail("model.vocab must be a non-empty list of [piece, score]");
    const nlohmann::json &vocab = model["vocab"];
    t.m_vocab.reserve(vocab.size());
    t.m_minScore = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < vocab.size(); ++i) {
        const nlohmann::json &entry = vocab[i];
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
            fail("model.vocab[" + std::to_string(i) + "] must be [piece, score], got " + entry.dump());
        std::string piece = entry[0].get<std::string>();
        const double score = entry[1].get<double>();
        t.m_maxPieceBytes = std::max(t.m_maxPieceBytes, piece.size());
        t.m_minScore = std::min(t.m_minScore, score);
        // A repeated piece maps to its last id, as in the fast tokenizer's token->id map.
        t.m_ids.insert_or_assign(piece, static_cast<std::int64_t>(i));
        t.m_vocab.emplace_back(std::move(piece), score);
    }
    if (model.contains("unk_id") && !model["unk_id"].is_null()) {
        if (!model["unk_id"].is_number_integer() || model["unk_id"].get<std::int64_t>() < 0
            || model["unk_id"].get<std::int64_t>() >= static_cast<std::int64_t>(t.m_vocab.size()))
            fail("model.unk_id " + model["unk_id"].dump() + " is not an id of the vocabulary");
        t.m_unkId = model["unk_id"].get<std::int64_t>();
    }
    t.m_byteFallback = jsonfields::boolOr(model, "byte_fallback", false, path, "model.");

    if (json.contains("normalizer"))
        t.m_normalizer = UnigramNormalizer::fromJson(json["normalizer"], path);

    const nlohmann::json &added = jsonfields::memberOrNull(json, "added_tokens");
    if (!added.is_array() && !added.is_null())
        fail("added_tokens must be a list");
    for (const nlohmann::json &entry : added.is_array() ? added : nlohmann::json::array()) {
        const AddedToken token = addedTokenFromJson(entry, path, "added_tokens.");
        t.m_addedById[token.id] = token.content;
        t.m_addedTokens.push_back(token);
        // Normalized tokens are looked for in the normalized text, so their pattern is normalized too
        // (AddedVocabulary::refresh_added_tokens).
        std::u32string pattern
            = decodeUtf8(token.normalized ? t.m_normalizer.normalize(token.content) : token.content);
        (token.normalized ? t.m_normalizedMatcher : t.m_rawMatcher).add(std::move(pattern), token);
    }

    if (json.contains("pre_tokenizer") && !json["pre_tokenizer"].is_null()) {
        const nlohmann::json *pre = &json["pre_tokenizer"];
        if (jsonfields::typeOf(*pre) == "Sequence" && pre->contains("pretokenizers")
            && (*pre)["pretokenizers"].is_array() && (*pre)["pretokenizers"].size() == 1)
            pre = &(*pre)["pretokenizers"][0];
        if (jsonfields::typeOf(*pre) != "Metaspace")
            fail("unsupported pre_tokenizer " + json["pre_tokenizer"].dump().substr(0, 200)
                + "; Pairtune reads XLM-R's Metaspace");
        t.m_metaspace = Metaspace::fromJson(*pre, path);
    }

    t.m_frame = SpecialTokenFrame::fromTemplate(
        TemplatePostProcessor::fromJson(json.value("post_processor", nlohmann::json()), path),
        static_cast<std::int64_t>(t.vocabSize()) - 1, path);

    if (const auto pad = t.m_ids.find(std::string_view("<pad>")); pad != t.m_ids.end())
        t.m_padId = pad->second;
    else if (json.contains("padding") && json["padding"].is_object() && json["padding"].contains("pad_id")
        && json["padding"]["pad_id"].is_number_integer())
        t.m_padId = json["padding"]["pad_id"].get<std::int64_t>();
    for (const auto &[id, content] : t.m_addedById)
        if (content == "<pad>")
            t.m_padId = id;

    const fs::path spmModel = fs::path(folder) / "sentencepiece.bpe.model";
    if (!folder.empty() && fs::is_regular_file(spmModel))
        t.m_spmModelBytes = readFileBytes(spmModel.string());
    return tokenizer;
}

std::unique_ptr<UnigramTokenizer> UnigramTokenizer::fromSpmModelFile(const std::string &modelPath)
{
    std::string bytes = readFileBytes(modelPath);
    const SpmModelProto proto = SpmModelProto::parse(bytes, modelPath);
    auto tokenizer = fromJson(xlmrTokenizerJson(proto, modelPath), "");
    tokenizer->m_path = modelPath;
    tokenizer->m_spmModelBytes = std::move(bytes);
    return tokenizer;
}

void UnigramTokenizer::encodeContent(
    std::string_view text, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const
{
    // Tokens with normalized=false are found in the raw text first; the text between them is normalized
    // and searched for the normalized ones (AddedVocabulary::extract_and_normalize).
    const std::u32string text32 = decodeUtf8(text); // ill-formed UTF-8 becomes U+FFFD, as in Python
    std::vector<AddedTokenMatcher::Segment> segments;
    m_rawMatcher.split(text32, segments);
    for (const AddedTokenMatcher::Segment &segment : segments) {
        if (segment.id >= 0)
            addedToken(segment.id, ids, pieces);
        else
            encodeNormalized(
                encodeUtf8(std::u32string_view(text32).substr(segment.begin, segment.end - segment.begin)),
                segment.begin == 0, ids, pieces);
    }
}

void UnigramTokenizer::encodeNormalized(std::string_view raw, bool atStart, std::vector<std::int64_t> *ids,
    std::vector<std::string> *pieces) const
{
    const std::string normalized = m_normalizer.normalize(raw);
    if (m_normalizedMatcher.empty()) {
        encodeWords(normalized, atStart, ids, pieces);
        return;
    }
    const std::u32string normalized32 = decodeUtf8(normalized);
    std::vector<AddedTokenMatcher::Segment> segments;
    m_normalizedMatcher.split(normalized32, segments);
    for (const AddedTokenMatcher::Segment &segment : segments) {
        if (segment.id >= 0)
            addedToken(segment.id, ids, pieces);
        else
            encodeWords(
                encodeUtf8(
                    std::u32string_view(normalized32).substr(segment.begin, segment.end - segment.begin)),
                atStart && segment.begin == 0, ids, pieces);
    }
}

void UnigramTokenizer::encodeWords(std::string_view normalized, bool atStart, std::vector<std::int64_t> *ids,
    std::vector<std::string> *pieces) const
{
    if (!m_metaspace) {
        if (!normalized.empty())
            encodeWord(normalized, ids, pieces);
        return;
    }
    for (const std::string &word : m_metaspace->preTokenize(normalized, atStart))
        encodeWord(word, ids, pieces);
}

void UnigramTokenizer::addedToken(
    std::int64_t id, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const
{
    if (ids)
        ids->push_back(id);
    if (pieces)
        pieces->push_back(m_addedById.at(id));
}

void UnigramTokenizer::encodeWord(
    std::string_view word, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const
{
    // Viterbi over byte positions (models/unigram/model.rs encode_optimized): the best path ending at
    // each character boundary. Candidates are tried shortest first and replace the best only when
    // strictly better, so ties resolve as in the fast tokenizer.
    struct Node
    {
        double score = 0.0;
        std::int64_t id = -1;
        std::size_t start = 0;
        bool reached = false;
    };
    const double unkScore = m_minScore - kUnkPenalty;
    std::vector<Node> best(word.size() + 1);
    const auto offer = [&](std::size_t start, std::size_t end, std::int64_t id, double score) {
        Node &node = best[end];
        if (!node.reached || score > node.score)
            node = Node { score, id, start, true };
    };
    for (std::size_t start = 0; start < word.size();) {
        const double here = best[start].score;
        std::size_t charEnd = start;
        nextCodePoint(word, charEnd);
        bool hasSingleCharPiece = false;
        for (std::size_t end = charEnd; end <= word.size() && end - start <= m_maxPieceBytes;) {
            if (const auto it = m_ids.find(word.substr(start, end - start)); it != m_ids.end()) {
                offer(start, end, it->second, here + m_vocab[static_cast<std::size_t>(it->second)].second);
                if (end == charEnd)
                    hasSingleCharPiece = true;
            }
            if (end == word.size())
                break;
            nextCodePoint(word, end);
        }
        if (!hasSingleCharPiece) {
            if (!m_unkId)
                throw Error(locate(m_path, 0, 0,
                    "the text has a character no piece covers, and the tokenizer has no unk_id"));
            offer(start, charEnd, *m_unkId, here + unkScore);
        }
        start = charEnd;
    }

    // Walk back; consecutive unknown pieces become one token (fuse_unk).
    std::vector<std::string_view> tokens;
    std::size_t fusedStart = std::string_view::npos, fusedEnd = 0;
    for (std::size_t end = word.size(); end > 0;) {
        const Node &node = best[end];
        if (m_unkId && node.id == *m_unkId) {
            if (fusedStart == std::string_view::npos)
                fusedEnd = end;
            fusedStart = node.start;
        } else {
            if (fusedStart != std::string_view::npos) {
                tokens.push_back(word.substr(fusedStart, fusedEnd - fusedStart));
                fusedStart = std::string_view::npos;
            }
            tokens.push_back(word.substr(node.start, end - node.start));
        }
        end = node.start;
    }
    if (fusedStart != std::string_view::npos)
        tokens.push_back(word.substr(fusedStart, fusedEnd - fusedStart));
    std::reverse(tokens.begin(), tokens.end());

    // Ids come from the token strings (Unigram::tokenize), not from the lattice.
    for (const std::string_view token : tokens) {
        if (const auto it = m_ids.find(token); it != m_ids.end()) {
            if (ids)
                ids->push_back(it->second);
        } else if (m_byteFallback && std::all_of(token.begin(), token.end(), [&](char byte) {
                       return m_ids.count(byteToken(static_cast<unsigned char>(byte))) > 0;
                   })) {
            for (const char byte : token) {
                const std::string piece = byteToken(static_cast<unsigned char>(byte));
                if (ids)
                    ids->push_back(m_ids.find(piece)->second);
                if (pieces)
                    pieces->push_back(piece);
            }
            continue;
        } else if (ids) {
            if (!m_unkId)
                throw Error(locate(m_path, 0, 0, "an unknown token and no unk_id"));
            ids->push_back(*m_unkId);
        }
        if (pieces)
            pieces->emplace_back(token);
    }
}

Encoding UnigramTokenizer::encode(std::string_view text, std::size_t maxLength) const
{
    std::vector<std::int64_t> content;
    encodeContent(text, &content, nullptr);
    return m_frame.apply(std::move(content), maxLength, m_truncationSide);
}

std::vector<std::string> UnigramTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::string> pieces;
    encodeContent(text, nullptr, &pieces);
    return pieces;
}

std::size_t UnigramTokenizer::vocabSize() const
{
    std::size_t size = m_vocab.size();
    for (const auto &[id, content] : m_addedById)
        size = std::max(size, static_cast<std::size_t>(id) + 1);
    return size;
}

std::string UnigramTokenizer::idToToken(std::int64_t id) const
{
    if (const auto it = m_addedById.find(id); it != m_addedById.end())
        return it->second;
    if (id < 0 || static_cast<std::size_t>(id) >= m_vocab.size())
        throw Error(locate(m_path, 0, 0,
            "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocabSize())
                + " tokens"));
    return m_vocab[static_cast<std::size_t>(id)].first;
}

void UnigramTokenizer::save(const std::string &folder, std::size_t modelMaxLength) const
{
    const fs::path dir(folder);
    writeJsonFile((dir / "tokenizer.json").string(), m_json, 2);
    writeXlmrTokenizerConfig(folder, modelMaxLength, m_addedTokens, m_truncationSide);
    if (!m_spmModelBytes.empty())
        writeFileAtomic((dir / "sentencepiece.bpe.model").string(), m_spmModelBytes);
}

std::unique_ptr<Tokenizer> makeUnigramTokenizer(
    const nlohmann::json &tokenizerJson, const std::string &folder)
{
    return UnigramTokenizer::fromJson(tokenizerJson, folder);
}

} // namespace pairtune
