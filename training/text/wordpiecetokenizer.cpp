#include "text/wordpiecetokenizer.h"

#include "core/error.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "text/bertpretokenizer.h"
#include "text/utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {

WordPieceTokenizer::WordPieceTokenizer(WordPieceSettings settings, const std::string &source)
    : m_settings(std::move(settings))
    , m_vocab(std::move(m_settings.vocab), m_settings.unkToken, m_settings.continuingSubwordPrefix,
          m_settings.maxInputCharsPerWord, source)
{
    m_settings.vocab.clear();
    if (m_settings.lowercaseBefore)
        m_normalizers.emplace_back(BertNormalizerOptions::lowercaseOnly());
    if (m_settings.normalizer)
        m_normalizers.emplace_back(*m_settings.normalizer);
    if (m_settings.lowercaseAfter)
        m_normalizers.emplace_back(BertNormalizerOptions::lowercaseOnly());

    std::sort(m_settings.addedTokens.begin(), m_settings.addedTokens.end(),
        [](const AddedToken &a, const AddedToken &b) { return a.id < b.id; });
    std::int64_t maxId = static_cast<std::int64_t>(m_vocab.size()) - 1;
    for (const AddedToken &token : m_settings.addedTokens) {
        const std::string what
            = "added token \"" + token.content + "\" (id " + std::to_string(token.id) + ")";
        if (token.id < 0)
            throw Error(locate(source, 0, 0, what + " has a negative id"));
        if (token.content.empty())
            throw Error(
                locate(source, 0, 0, "an added token with id " + std::to_string(token.id) + " is empty"));
        if (!m_addedById.emplace(token.id, token.content).second)
            throw Error(locate(source, 0, 0, what + ": another added token has the same id"));
        if (!m_addedByContent.emplace(token.content, token.id).second)
            throw Error(locate(source, 0, 0, what + " is listed twice"));
        const auto inVocab = m_vocab.find(token.content);
        if (inVocab && *inVocab != token.id)
            throw Error(locate(
                source, 0, 0, what + " is at id " + std::to_string(*inVocab) + " in the model's vocabulary"));
        if (!inVocab && static_cast<std::size_t>(token.id) < m_vocab.size())
            throw Error(locate(source, 0, 0,
                what + " clashes with the vocabulary token \"" + m_vocab.token(token.id) + "\""));
        maxId = std::max(maxId, token.id);

        std::u32string pattern = decodeUtf8(token.content);
        if (token.normalized) {
            std::u32string normalized;
            if (normalize(pattern, normalized))
                pattern = std::move(normalized);
            m_normalizedMatcher.add(std::move(pattern), token);
        } else {
            m_rawMatcher.add(std::move(pattern), token);
        }
    }
    m_vocabSize = static_cast<std::size_t>(maxId + 1);

    m_frame = SpecialTokenFrame::fromTemplate(m_settings.postProcessor, maxId, source);

    const auto pad = tokenToId(m_settings.padToken);
    if (!pad)
        throw Error(locate(source, 0, 0,
            "the padding token \"" + m_settings.padToken
                + "\" is not in the vocabulary; batches cannot be padded without it"));
    m_padId = *pad;
}

std::optional<std::int64_t> WordPieceTokenizer::tokenToId(std::string_view token) const
{
    const auto added = m_addedByContent.find(std::string(token));
    if (added != m_addedByContent.end())
        return added->second;
    return m_vocab.find(token);
}

std::string WordPieceTokenizer::idToToken(std::int64_t id) const
{
    const auto added = m_addedById.find(id);
    if (added != m_addedById.end())
        return added->second;
    if (id >= 0 && static_cast<std::size_t>(id) < m_vocab.size())
        return m_vocab.token(static_cast<std::size_t>(id));
    throw Error("token id " + std::to_string(id) + " is outside the vocabulary of "
        + std::to_string(m_vocabSize) + " tokens");
}

void WordPieceTokenizer::tokenizeWords(
    std::u32string_view text, WordPieceVocab::Scratch &scratch, std::vector<std::int64_t> &ids) const
{
    if (m_settings.bertPreTokenizer)
        BertPreTokenizer::split(
            text, [&](std::u32string_view word) { m_vocab.tokenizeWord(word, scratch, ids); });
    else
        m_vocab.tokenizeWord(text, scratch, ids);
}

bool WordPieceTokenizer::normalize(std::u32string_view text, std::u32string &out) const
{
    out.clear();
    if (m_normalizers.empty())
        return false;
    m_normalizers.front().normalize(text, out);
    std::u32string step;
    for (std::size_t i = 1; i < m_normalizers.size(); ++i) {
        step.clear();
        m_normalizers[i].normalize(out, step);
        out.swap(step);
    }
    return true;
}

void WordPieceTokenizer::tokenizeNormalized(
    std::u32string_view text, WordPieceVocab::Scratch &scratch, std::vector<std::int64_t> &ids) const
{
    std::u32string normalized;
    const std::u32string_view view = normalize(text, normalized) ? std::u32string_view(normalized) : text;
    if (m_normalizedMatcher.empty()) {
        tokenizeWords(view, scratch, ids);
        return;
    }
    std::vector<AddedTokenMatcher::Segment> segments;
    m_normalizedMatcher.split(view, segments);
    for (const auto &segment : segments) {
        if (segment.id >= 0)
            ids.push_back(segment.id);
        else
            tokenizeWords(view.substr(segment.begin, segment.end - segment.begin), scratch, ids);
    }
}

void WordPieceTokenizer::encodeContent(std::string_view text, std::vector<std::int64_t> &ids) const
{
    const std::u32string text32 = decodeUtf8(text);
    WordPieceVocab::Scratch scratch;
    if (m_rawMatcher.empty()) {
        tokenizeNormalized(text32, scratch, ids);
        return;
    }
    // Tokens with normalized=false are found in the raw text first and kept whole; only the text
    // between them is normalized (AddedVocabulary::extract_and_normalize).
    std::vector<AddedTokenMatcher::Segment> segments;
    m_rawMatcher.split(text32, segments);
    const std::u32string_view view(text32);
    for (const auto &segment : segments) {
        if (segment.id >= 0)
            ids.push_back(segment.id);
        else
            tokenizeNormalized(view.substr(segment.begin, segment.end - segment.begin), scratch, ids);
    }
}

Encoding WordPieceTokenizer::encode(std::string_view text, std::size_t maxLength) const
{
    std::vector<std::int64_t> content;
    encodeContent(text, content);
    return m_frame.apply(std::move(content), maxLength, m_truncationSide);
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::int64_t> ids;
    encodeContent(text, ids);
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const std::int64_t id : ids)
        tokens.push_back(idToToken(id));
    return tokens;
}

namespace {

nlohmann::ordered_json templateJson(const std::vector<TemplatePiece> &pieces)
{
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const TemplatePiece &piece : pieces) {
        nlohmann::ordered_json inner;
        inner["id"] = piece.id;
        inner["type_id"] = piece.typeId;
        nlohmann::ordered_json item;
        item[piece.isSequence ? "Sequence" : "SpecialToken"] = std::move(inner);
        list.push_back(std::move(item));
    }
    return list;
}

// The HF tokenizers serialization of a BERT fast tokenizer (tokenizer/serialization.rs), keys in
// the order Rust writes them.
std::string tokenizerJsonText(const WordPieceSettings &settings, const WordPieceVocab &vocab)
{
    nlohmann::ordered_json root;
    root["version"] = "1.0";
    root["truncation"] = nullptr;
    root["padding"] = nullptr;
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (const AddedToken &token : settings.addedTokens)
        added.push_back(addedTokenJson(token, true));
    root["added_tokens"] = std::move(added);

    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    const nlohmann::ordered_json lowercase = { { "type", "Lowercase" } };
    if (settings.lowercaseBefore)
        steps.push_back(lowercase);
    if (settings.normalizer) {
        const BertNormalizerOptions &n = *settings.normalizer;
        nlohmann::ordered_json normalizer;
        normalizer["type"] = "BertNormalizer";
        normalizer["clean_text"] = n.cleanText;
        normalizer["handle_chinese_chars"] = n.handleChineseChars;
        normalizer["strip_accents"] = n.stripAccents ? nlohmann::ordered_json(*n.stripAccents) : nullptr;
        normalizer["lowercase"] = n.lowercase;
        steps.push_back(std::move(normalizer));
    }
    if (settings.lowercaseAfter)
        steps.push_back(lowercase);
    if (steps.empty())
        root["normalizer"] = nullptr;
    else if (steps.size() == 1)
        root["normalizer"] = std::move(steps.front());
    else
        root["normalizer"] = { { "type", "Sequence" }, { "normalizers", std::move(steps) } };
    if (settings.bertPreTokenizer)
        root["pre_tokenizer"] = { { "type", "BertPreTokenizer" } };
    else
        root["pre_tokenizer"] = nullptr;

    if (settings.postProcessor) {
        const TemplatePostProcessor &p = *settings.postProcessor;
        nlohmann::ordered_json post;
        post["type"] = "TemplateProcessing";
        post["single"] = templateJson(p.single);
        post["pair"] = templateJson(p.pair);
        std::vector<const TemplateSpecialToken *> specials;
        for (const TemplateSpecialToken &s : p.specialTokens)
            specials.push_back(&s);
        std::sort(specials.begin(), specials.end(), [](auto *a, auto *b) { return a->name < b->name; });
        nlohmann::ordered_json map = nlohmann::ordered_json::object();
        for (const TemplateSpecialToken *s : specials) {
            nlohmann::ordered_json entry;
            entry["id"] = s->name;
            entry["ids"] = s->ids;
            entry["tokens"] = s->tokens;
            map[s->name] = std::move(entry);
        }
        post["special_tokens"] = std::move(map);
        root["post_processor"] = std::move(post);
    } else {
        root["post_processor"] = nullptr;
    }

    nlohmann::ordered_json decoder;
    decoder["type"] = "WordPiece";
    decoder["prefix"] = vocab.continuingSubwordPrefix();
    decoder["cleanup"] = true;
    root["decoder"] = std::move(decoder);

    // The vocabulary must be an object in id order. nlohmann's ordered_json inserts in linear time
    // per key (quadratic for 30k tokens), so the object is written by hand in place of a marker.
    const std::string marker = "\x01pairtune-vocab\x01";
    nlohmann::ordered_json model;
    model["type"] = "WordPiece";
    model["unk_token"] = vocab.unkToken();
    model["continuing_subword_prefix"] = vocab.continuingSubwordPrefix();
    model["max_input_chars_per_word"] = vocab.maxInputCharsPerWord();
    model["vocab"] = marker;
    root["model"] = std::move(model);

    std::string text = root.dump(2);
    std::string vocabText = "{\n";
    for (std::size_t id = 0; id < vocab.size(); ++id) {
        vocabText += "      ";
        vocabText += nlohmann::json(vocab.token(id)).dump();
        vocabText += ": ";
        vocabText += std::to_string(id);
        vocabText += id + 1 < vocab.size() ? ",\n" : "\n";
    }
    vocabText += "    }";
    const std::string quotedMarker = nlohmann::json(marker).dump();
    text.replace(text.find(quotedMarker), quotedMarker.size(), vocabText);
    return text;
}

} // namespace

void WordPieceTokenizer::save(const std::string &folder, std::size_t modelMaxLength) const
{
    const fs::path dir(folder);
    if (!fs::is_directory(dir))
        throw Error(
            locate(folder, 0, 0, "cannot save the tokenizer: the folder does not exist"), Error::Kind::Io);

    // Checked before anything is written, so a failure leaves no partial set of files.
    std::string vocabTxt;
    for (const std::string &token : m_vocab.tokens()) {
        if (token.find('\n') != std::string::npos)
            throw Error(locate(folder, 0, 0,
                            "cannot write vocab.txt: the token " + nlohmann::json(token).dump()
                                + " contains a line break"),
                Error::Kind::InvalidInput);
        vocabTxt += token;
        vocabTxt += '\n';
    }

    writeFileAtomic((dir / "tokenizer.json").string(), tokenizerJsonText(m_settings, m_vocab));

    // transformers' BertTokenizer files; json.dumps(sort_keys=True) order is nlohmann's default.
    const auto present = [&](const std::string &token) { return tokenToId(token).has_value(); };
    nlohmann::json specialMap = nlohmann::json::object();
    const std::pair<const char *, const std::string *> names[] = {
        { "cls_token", &m_settings.clsToken },
        { "mask_token", &m_settings.maskToken },
        { "pad_token", &m_settings.padToken },
        { "sep_token", &m_settings.sepToken },
        { "unk_token", &m_vocab.unkToken() },
    };
    for (const auto &[key, token] : names)
        if (present(*token))
            specialMap[key] = *token;

    nlohmann::json config = specialMap;
    nlohmann::json decoder = nlohmann::json::object();
    for (const AddedToken &token : m_settings.addedTokens)
        decoder[std::to_string(token.id)] = addedTokenJson<nlohmann::json>(token, false);
    config["added_tokens_decoder"] = std::move(decoder);
    config["clean_up_tokenization_spaces"] = true;
    config["do_basic_tokenize"] = true;
    config["never_split"] = nullptr;
    const BertNormalizerOptions normalizer
        = m_settings.normalizer.value_or(BertNormalizerOptions { false, false, false, false });
    config["do_lower_case"] = normalizer.lowercase || m_settings.lowercaseBefore || m_settings.lowercaseAfter;
    config["strip_accents"] = normalizer.stripAccents ? nlohmann::json(*normalizer.stripAccents) : nullptr;
    config["tokenize_chinese_chars"] = normalizer.handleChineseChars;
    config["tokenizer_class"] = "BertTokenizer";
    if (modelMaxLength > 0)
        config["model_max_length"] = modelMaxLength;
    if (m_truncationSide == TruncationSide::Left)
        config["truncation_side"] = "left";
    writeJsonFile((dir / "tokenizer_config.json").string(), config, 2);
    writeJsonFile((dir / "special_tokens_map.json").string(), specialMap, 2);

    writeFileAtomic((dir / "vocab.txt").string(), vocabTxt);
}

} // namespace pairtune
