#include "text/bpetokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "io/jsonfields.h"
#include "io/jsonfile.h"
#include "text/tokenizerfactories.h"
#include "text/utf8.h"

#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace pairtune {

namespace {

[[noreturn]] void fail(const std::string &source, const std::string &message)
{
    throw Error(locate(source, 0, 0, message));
}

std::optional<ByteLevelPreTokenizer> preTokenizerFromJson(const json &value, const std::string &source)
{
    if (value.is_null())
        return std::nullopt;
    const json *pre = &value;
    // A Sequence holding just the ByteLevel step (some exports wrap it).
    if (jsonfields::typeOf(*pre) == "Sequence" && pre->contains("pretokenizers")
        && pre->at("pretokenizers").is_array() && pre->at("pretokenizers").size() == 1)
        pre = &pre->at("pretokenizers")[0];
    if (jsonfields::typeOf(*pre) != "ByteLevel")
        fail(source,
            "pre_tokenizer " + value.dump().substr(0, 200)
                + " is not supported with a BPE model; Pairtune reads the ByteLevel pre-tokenizer (or none)");
    ByteLevelPreTokenizer result;
    result.addPrefixSpace = jsonfields::boolOr(*pre, "add_prefix_space", true, source, "pre_tokenizer.");
    result.useRegex = jsonfields::boolOr(*pre, "use_regex", true, source, "pre_tokenizer.");
    return result;
}

json readJsonIfPresent(const fs::path &path)
{
    return fs::is_regular_file(path) ? readJsonFile(path.string()) : json();
}

} // namespace

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromJson(const json &tokenizerJson, const std::string &folder)
{
    const std::string source = (fs::path(folder) / "tokenizer.json").string();
    if (!tokenizerJson.is_object() || !tokenizerJson.contains("model"))
        fail(source, "expected a JSON object with a \"model\"");
    std::unique_ptr<BpeTokenizer> tokenizer(
        new BpeTokenizer(BpeModel::fromJson(tokenizerJson.at("model"), source)));
    BpeTokenizer &t = *tokenizer;
    t.m_json = tokenizerJson;
    t.m_source = source;
    if (!folder.empty()) {
        t.m_config = readJsonIfPresent(fs::path(folder) / "tokenizer_config.json");
        t.m_specialTokensMap = readJsonIfPresent(fs::path(folder) / "special_tokens_map.json");
    }

    t.m_normalizer = UnigramNormalizer::fromJson(tokenizerJson.value("normalizer", json()), source);
    t.m_preTokenizer = preTokenizerFromJson(tokenizerJson.value("pre_tokenizer", json()), source);

    std::int64_t maxId = static_cast<std::int64_t>(t.m_model.size()) - 1;
    std::unordered_map<std::string, std::int64_t> addedByContent;
    const json added = tokenizerJson.value("added_tokens", json::array());
    if (!added.is_array())
        fail(source, "\"added_tokens\" must be a list");
    // The library ignores the ids written in added_tokens: a token the model's vocabulary has keeps that
    // id, any other gets the next one after the vocabulary and the added tokens so far (AddedVocabulary::
    // add_tokens, in file order).
    const auto modelCount = static_cast<std::int64_t>(t.m_model.tokenCount());
    std::optional<std::int64_t> maxAdded;
    for (const json &entry : added) {
        AddedToken token = addedTokenFromJson(entry, source, "added_tokens.");
        if (const auto inModel = t.m_model.find(token.content))
            token.id = *inModel;
        else if (const auto again = addedByContent.find(token.content); again != addedByContent.end())
            token.id = again->second;
        else
            token.id = !maxAdded ? modelCount
                                 : (*maxAdded >= modelCount || modelCount == 0 ? *maxAdded + 1 : modelCount);
        if (token.id != entry.at("id").get<std::int64_t>())
            logWarning(source + ": the added token \"" + token.content + "\" is written with id "
                + entry.at("id").dump() + " but gets id " + std::to_string(token.id)
                + ", as Hugging Face tokenizers assigns it");
        maxAdded = std::max(maxAdded.value_or(token.id), token.id);
        t.m_addedById[token.id] = token.content;
        addedByContent[token.content] = token.id;
        maxId = std::max(maxId, token.id);
        std::u32string pattern
            = decodeUtf8(token.normalized ? t.m_normalizer.normalize(token.content) : token.content);
        if (pattern.empty())
            continue;
        (token.normalized ? t.m_normalizedMatcher : t.m_rawMatcher).add(std::move(pattern), token);
    }
    t.m_vocabSize = static_cast<std::size_t>(maxId + 1);

    t.m_frame = SpecialTokenFrame::fromTemplate(
        TemplatePostProcessor::fromJson(tokenizerJson.value("post_processor", json()), source), maxId,
        source);

    const auto idOf = [&](const std::string &token) -> std::optional<std::int64_t> {
        if (const auto it = addedByContent.find(token); it != addedByContent.end())
            return it->second;
        return t.m_model.find(token);
    };
    if (const auto configured = specialTokenContent(
            t.m_config, "pad_token", (fs::path(folder) / "tokenizer_config.json").string())) {
        const auto id = idOf(*configured);
        if (!id)
            fail(
                source, "tokenizer_config.json's pad_token \"" + *configured + "\" is not in the vocabulary");
        t.m_padId = *id;
        return tokenizer;
    }
    for (const char *name : { "<pad>", "[PAD]", "<|padding|>" })
        if (const auto id = idOf(name)) {
            t.m_padId = *id;
            return tokenizer;
        }
    const json padding = tokenizerJson.value("padding", json());
    if (padding.is_object() && padding.contains("pad_id") && padding.at("pad_id").is_number_integer()) {
        t.m_padId = padding.at("pad_id").get<std::int64_t>();
        return tokenizer;
    }
    fail(source,
        "the tokenizer has no padding token (no <pad>, [PAD] or <|padding|>, and tokenizer_config.json names "
        "none); batches cannot be padded: set \"pad_token\" in tokenizer_config.json");
}

void BpeTokenizer::encodeWords(std::string_view text, std::vector<std::int64_t> &ids) const
{
    if (!m_preTokenizer) {
        m_model.encodeWord(text, ids);
        return;
    }
    m_preTokenizer->preTokenize(text, [&](std::string &&word) { m_model.encodeWord(word, ids); });
}

void BpeTokenizer::encodeNormalized(std::u32string_view text, std::vector<std::int64_t> &ids) const
{
    const std::string normalized = m_normalizer.normalize(encodeUtf8(text));
    if (m_normalizedMatcher.empty()) {
        encodeWords(normalized, ids);
        return;
    }
    const std::u32string normalized32 = decodeUtf8(normalized);
    std::vector<AddedTokenMatcher::Segment> segments;
    m_normalizedMatcher.split(normalized32, segments);
    for (const auto &segment : segments) {
        if (segment.id >= 0)
            ids.push_back(segment.id);
        else
            encodeWords(
                encodeUtf8(
                    std::u32string_view(normalized32).substr(segment.begin, segment.end - segment.begin)),
                ids);
    }
}

void BpeTokenizer::encodeContent(std::string_view text, std::vector<std::int64_t> &ids) const
{
    const std::u32string text32 = decodeUtf8(text);
    if (m_rawMatcher.empty()) {
        encodeNormalized(text32, ids);
        return;
    }
    // Tokens with normalized=false are found in the raw text first; only the text between them is
    // normalized and pre-tokenized (AddedVocabulary::extract_and_normalize), each piece on its own.
    std::vector<AddedTokenMatcher::Segment> segments;
    m_rawMatcher.split(text32, segments);
    const std::u32string_view view(text32);
    for (const auto &segment : segments) {
        if (segment.id >= 0)
            ids.push_back(segment.id);
        else
            encodeNormalized(view.substr(segment.begin, segment.end - segment.begin), ids);
    }
}

Encoding BpeTokenizer::encode(std::string_view text, std::size_t maxLength) const
{
    std::vector<std::int64_t> content;
    encodeContent(text, content);
    return m_frame.apply(std::move(content), maxLength, m_truncationSide);
}

std::vector<std::string> BpeTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::int64_t> ids;
    encodeContent(text, ids);
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const std::int64_t id : ids)
        tokens.push_back(idToToken(id));
    return tokens;
}

std::string BpeTokenizer::idToToken(std::int64_t id) const
{
    if (const auto it = m_addedById.find(id); it != m_addedById.end())
        return it->second;
    if (const std::string *token = m_model.token(id))
        return *token;
    throw Error(locate(m_source, 0, 0,
        "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(m_vocabSize)
            + " tokens"));
}

void BpeTokenizer::save(const std::string &folder, std::size_t modelMaxLength) const
{
    const fs::path dir(folder);
    if (!fs::is_directory(dir))
        throw Error(
            locate(folder, 0, 0, "cannot save the tokenizer: the folder does not exist"), Error::Kind::Io);
    writeJsonFile((dir / "tokenizer.json").string(), m_json, 2);
    json config = m_config.is_object() ? m_config : json { { "tokenizer_class", "PreTrainedTokenizerFast" } };
    if (!m_config.is_object())
        config["pad_token"] = idToToken(m_padId);
    if (modelMaxLength > 0)
        config["model_max_length"] = modelMaxLength;
    if (m_truncationSide == TruncationSide::Left)
        config["truncation_side"] = "left";
    writeJsonFile((dir / "tokenizer_config.json").string(), config, 2);
    const json specials
        = m_specialTokensMap.is_object() ? m_specialTokensMap : json { { "pad_token", idToToken(m_padId) } };
    writeJsonFile((dir / "special_tokens_map.json").string(), specials, 2);
}

std::unique_ptr<Tokenizer> makeBpeTokenizer(const nlohmann::json &tokenizerJson, const std::string &folder)
{
    return BpeTokenizer::fromJson(tokenizerJson, folder);
}

} // namespace pairtune
