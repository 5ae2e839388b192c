#include "text/xlmrconventions.h"

#include "core/error.h"
#include "io/jsonfile.h"

#include <algorithm>
#include <filesystem>
#include <string_view>

namespace pairtune {

namespace {

constexpr const char *kMetaspace = "\xE2\x96\x81"; // ▁

std::string base64(std::string_view bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16)
            | (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2)
            n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

nlohmann::json specialTemplateItem(const char *id)
{
    return { { "SpecialToken", { { "id", id }, { "type_id", 0 } } } };
}

nlohmann::json sequenceTemplateItem(const char *id)
{
    return { { "Sequence", { { "id", id }, { "type_id", 0 } } } };
}

} // namespace

std::vector<AddedToken> xlmrSpecialTokens(std::int64_t maskId)
{
    // Special and matched on the raw text, as transformers adds them.
    const auto special = [](const char *content, std::int64_t id) {
        AddedToken token;
        token.id = id;
        token.content = content;
        token.normalized = false;
        token.special = true;
        return token;
    };
    std::vector<AddedToken> tokens = { special("<s>", 0), special("<pad>", 1), special("</s>", 2),
        special("<unk>", 3), special("<mask>", maskId) };
    // transformers makes XLM-R's mask AddedToken("<mask>", lstrip=True): "a <mask>" eats the space.
    tokens.back().lstrip = true;
    return tokens;
}

nlohmann::json xlmrTokenizerJson(const SpmModelProto &proto, const std::string &pathForMessages)
{
    if (proto.modelType != SpmModelProto::Unigram)
        throw Error(locate(pathForMessages, 0, 0,
            "only unigram sentencepiece models (as XLM-R's) can be converted to tokenizer.json; "
            "this one has model_type "
                + std::to_string(proto.modelType)));
    if (proto.pieces.size() < 3)
        throw Error(locate(pathForMessages, 0, 0,
            "an XLM-R sentencepiece model needs at least <unk>, <s> and </s>; this one has "
                + std::to_string(proto.pieces.size()) + " pieces"));

    nlohmann::json vocab = nlohmann::json::array();
    for (const char *special : { "<s>", "<pad>", "</s>", "<unk>" })
        vocab.push_back(nlohmann::json::array({ special, 0.0 }));
    for (std::size_t i = 3; i < proto.pieces.size(); ++i)
        vocab.push_back(
            nlohmann::json::array({ proto.pieces[i].piece, static_cast<double>(proto.pieces[i].score) }));
    const auto maskId = static_cast<std::int64_t>(proto.pieces.size() + 1);
    vocab.push_back(nlohmann::json::array({ "<mask>", 0.0 }));

    // Added tokens: the fairseq specials, plus the model's control and user-defined pieces, which the
    // converter adds as (non-normalized) added tokens at their existing vocab ids.
    std::vector<AddedToken> added = xlmrSpecialTokens(maskId);
    for (std::size_t i = 3; i < proto.pieces.size(); ++i) {
        const auto &piece = proto.pieces[i];
        if (piece.type != SpmModelProto::Control && piece.type != SpmModelProto::UserDefined)
            continue;
        AddedToken token;
        token.id = static_cast<std::int64_t>(i + 1);
        token.content = piece.piece;
        token.normalized = false;
        token.special = piece.type == SpmModelProto::Control;
        const bool known = std::any_of(
            added.begin(), added.end(), [&](const AddedToken &t) { return t.content == token.content; });
        if (!known)
            added.push_back(token);
    }
    std::sort(added.begin(), added.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    nlohmann::json addedTokens = nlohmann::json::array();
    for (const AddedToken &token : added)
        addedTokens.push_back(addedTokenJson<nlohmann::json>(token, true));

    nlohmann::json normalizers = nlohmann::json::array();
    if (!proto.precompiledCharsmap.empty())
        normalizers.push_back(
            { { "type", "Precompiled" }, { "precompiled_charsmap", base64(proto.precompiledCharsmap) } });
    normalizers.push_back({ { "type", "Strip" }, { "strip_left", false }, { "strip_right", true } });
    normalizers.push_back(
        { { "type", "Replace" }, { "pattern", { { "Regex", " {2,}" } } }, { "content", kMetaspace } });

    const nlohmann::json metaspace = { { "type", "Metaspace" }, { "replacement", kMetaspace },
        { "prepend_scheme", "always" }, { "split", true } };

    nlohmann::json postProcessor = {
        { "type", "TemplateProcessing" },
        { "single", { specialTemplateItem("<s>"), sequenceTemplateItem("A"), specialTemplateItem("</s>") } },
        { "pair",
            { specialTemplateItem("<s>"), sequenceTemplateItem("A"), specialTemplateItem("</s>"),
                specialTemplateItem("</s>"), sequenceTemplateItem("B"), specialTemplateItem("</s>") } },
        { "special_tokens",
            { { "<s>",
                  { { "id", "<s>" }, { "ids", nlohmann::json::array({ 0 }) },
                      { "tokens", nlohmann::json::array({ "<s>" }) } } },
                { "</s>",
                    { { "id", "</s>" }, { "ids", nlohmann::json::array({ 2 }) },
                        { "tokens", nlohmann::json::array({ "</s>" }) } } } } },
    };

    nlohmann::json json = nlohmann::json::object();
    json["version"] = "1.0";
    json["truncation"] = nullptr;
    json["padding"] = nullptr;
    json["added_tokens"] = std::move(addedTokens);
    json["normalizer"] = { { "type", "Sequence" }, { "normalizers", std::move(normalizers) } };
    json["pre_tokenizer"] = metaspace;
    json["post_processor"] = std::move(postProcessor);
    json["decoder"] = metaspace;
    json["model"] = { { "type", "Unigram" }, { "unk_id", 3 }, { "vocab", std::move(vocab) },
        { "byte_fallback", false } };
    return json;
}

void writeXlmrTokenizerConfig(const std::string &folder, std::size_t modelMaxLength,
    const std::vector<AddedToken> &addedTokens, TruncationSide truncationSide)
{
    const std::filesystem::path dir(folder);
    nlohmann::json decoder = nlohmann::json::object();
    for (const AddedToken &token : addedTokens) {
        nlohmann::json entry = addedTokenJson<nlohmann::json>(token, false);
        decoder[std::to_string(token.id)] = std::move(entry);
    }
    const auto has = [&](const char *content) {
        return std::any_of(addedTokens.begin(), addedTokens.end(),
            [&](const AddedToken &t) { return t.content == content; });
    };

    nlohmann::json config = nlohmann::json::object();
    config["added_tokens_decoder"] = std::move(decoder);
    config["clean_up_tokenization_spaces"] = true;
    config["model_max_length"] = modelMaxLength;
    config["tokenizer_class"] = "XLMRobertaTokenizer";
    if (truncationSide == TruncationSide::Left)
        config["truncation_side"] = "left";
    nlohmann::json map = nlohmann::json::object();
    const std::pair<const char *, const char *> names[] = {
        { "bos_token", "<s>" },
        { "cls_token", "<s>" },
        { "eos_token", "</s>" },
        { "mask_token", "<mask>" },
        { "pad_token", "<pad>" },
        { "sep_token", "</s>" },
        { "unk_token", "<unk>" },
    };
    for (const auto &[name, content] : names) {
        if (!has(content))
            continue;
        config[name] = content;
        map[name] = content;
    }
    if (has("<mask>")) {
        const auto mask = std::find_if(addedTokens.begin(), addedTokens.end(),
            [](const AddedToken &t) { return t.content == "<mask>"; });
        map["mask_token"]
            = { { "content", "<mask>" }, { "lstrip", mask->lstrip }, { "normalized", mask->normalized },
                  { "rstrip", mask->rstrip }, { "single_word", mask->singleWord } };
    }
    writeJsonFile((dir / "tokenizer_config.json").string(), config, 2);
    writeJsonFile((dir / "special_tokens_map.json").string(), map, 2);
}

} // namespace pairtune
