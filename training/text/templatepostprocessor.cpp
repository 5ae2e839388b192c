#include "text/templatepostprocessor.h"

#include "core/error.h"

#include <algorithm>

using nlohmann::json;

namespace pairtune {

namespace {

[[noreturn]] void fail(const std::string &source, const std::string &message)
{
    throw Error(locate(source, 0, 0, message));
}

std::int64_t typeIdOf(const json &inner, const std::string &source, const std::string &where)
{
    const auto it = inner.find("type_id");
    if (it == inner.end() || it->is_null())
        return 0;
    if (!it->is_number_integer())
        fail(source, where + "\"type_id\" must be an integer");
    return it->get<std::int64_t>();
}

std::vector<TemplatePiece> templateFromJson(
    const json &value, const std::string &source, const std::string &name)
{
    std::vector<TemplatePiece> pieces;
    const std::string where = "post_processor." + name + ": ";
    if (value.is_string()) {
        // The string form "[CLS]:0 $A:0 [SEP]:0" that the Python constructor accepts.
        const std::string text = value.get<std::string>();
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t end = std::min(text.find(' ', pos), text.size());
            std::string item = text.substr(pos, end - pos);
            pos = end + 1;
            if (item.empty())
                continue;
            TemplatePiece piece;
            const std::size_t colon = item.rfind(':');
            if (colon != std::string::npos && colon + 1 < item.size()
                && item.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
                piece.typeId = std::stoll(item.substr(colon + 1));
                item.resize(colon);
            }
            piece.isSequence = item == "$A" || item == "$B" || item == "$";
            piece.id = piece.isSequence ? (item == "$B" ? "B" : "A") : item;
            pieces.push_back(piece);
        }
        return pieces;
    }
    if (!value.is_array())
        fail(source, where + "expected a list of pieces");
    for (const json &item : value) {
        const bool special = item.is_object() && item.contains("SpecialToken");
        const bool sequence = item.is_object() && item.contains("Sequence");
        if (!special && !sequence)
            fail(source, where + "each piece must be {\"SpecialToken\": ...} or {\"Sequence\": ...}");
        const json &inner = item.at(special ? "SpecialToken" : "Sequence");
        if (!inner.is_object() || !inner.contains("id") || !inner.at("id").is_string())
            fail(source, where + "a piece has no string \"id\"");
        TemplatePiece piece;
        piece.isSequence = sequence;
        piece.id = inner.at("id").get<std::string>();
        piece.typeId = typeIdOf(inner, source, where);
        pieces.push_back(piece);
    }
    return pieces;
}

// BertProcessing's and RobertaProcessing's "cls" / "sep": [token, id].
std::pair<std::string, std::int64_t> tokenAndId(const json &post, const char *key, const std::string &source)
{
    const auto it = post.find(key);
    if (it == post.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_string()
        || !(*it)[1].is_number_integer())
        fail(source, std::string("post_processor: \"") + key + "\" must be [token, id]");
    return { (*it)[0].get<std::string>(), (*it)[1].get<std::int64_t>() };
}

TemplatePostProcessor templateProcessingFromJson(const json &post, const std::string &source)
{
    TemplatePostProcessor result;
    result.single = templateFromJson(post.contains("single") ? post.at("single") : json(), source, "single");
    if (post.contains("pair") && !post.at("pair").is_null())
        result.pair = templateFromJson(post.at("pair"), source, "pair");
    const json specials = post.contains("special_tokens") ? post.at("special_tokens") : json();
    if (!specials.is_object() && !specials.is_null())
        fail(source, "post_processor.special_tokens must be an object");
    for (const auto &[name, entry] : specials.items()) {
        const std::string where = "post_processor.special_tokens." + name + ": ";
        TemplateSpecialToken special;
        special.name = entry.is_object() && entry.contains("id") && entry.at("id").is_string()
            ? entry.at("id").get<std::string>()
            : name;
        try {
            special.ids = entry.value("ids", std::vector<std::int64_t> {});
            special.tokens = entry.value("tokens", std::vector<std::string> {});
        } catch (const json::exception &) {
            fail(source, where + "\"ids\" must be integers and \"tokens\" strings");
        }
        if (special.ids.empty() || special.ids.size() != special.tokens.size())
            fail(source, where + "needs as many \"ids\" as \"tokens\" (>= 1)");
        result.specialTokens.push_back(std::move(special));
    }
    return result;
}

} // namespace

TemplatePostProcessor TemplatePostProcessor::bert(
    const std::string &cls, std::int64_t clsId, const std::string &sep, std::int64_t sepId)
{
    TemplatePostProcessor p;
    p.single = { { false, cls, 0 }, { true, "A", 0 }, { false, sep, 0 } };
    p.pair = { { false, cls, 0 }, { true, "A", 0 }, { false, sep, 0 }, { true, "B", 1 }, { false, sep, 1 } };
    p.specialTokens = { { cls, { clsId }, { cls } }, { sep, { sepId }, { sep } } };
    return p;
}

TemplatePostProcessor TemplatePostProcessor::roberta(
    const std::string &cls, std::int64_t clsId, const std::string &sep, std::int64_t sepId)
{
    TemplatePostProcessor p;
    p.single = { { false, cls, 0 }, { true, "A", 0 }, { false, sep, 0 } };
    p.pair = { { false, cls, 0 }, { true, "A", 0 }, { false, sep, 0 }, { false, sep, 0 }, { true, "B", 0 },
        { false, sep, 0 } };
    p.specialTokens = { { cls, { clsId }, { cls } }, { sep, { sepId }, { sep } } };
    if (cls == sep)
        p.specialTokens.pop_back();
    return p;
}

std::optional<TemplatePostProcessor> TemplatePostProcessor::fromJson(
    const json &post, const std::string &source)
{
    if (post.is_null())
        return std::nullopt;
    if (!post.is_object() || !post.contains("type") || !post.at("type").is_string())
        fail(source, "post_processor must be null or an object with a \"type\"");
    const std::string type = post.at("type").get<std::string>();
    if (type == "ByteLevel")
        return std::nullopt; // only moves offsets
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        const auto [cls, clsId] = tokenAndId(post, "cls", source);
        const auto [sep, sepId] = tokenAndId(post, "sep", source);
        return type == "BertProcessing" ? bert(cls, clsId, sep, sepId) : roberta(cls, clsId, sep, sepId);
    }
    if (type == "TemplateProcessing")
        return templateProcessingFromJson(post, source);
    if (type == "Sequence") {
        // e.g. [ByteLevel, TemplateProcessing]: at most one of them may add special tokens.
        std::optional<TemplatePostProcessor> result;
        const auto list = post.find("processors");
        if (list == post.end() || !list->is_array())
            fail(source, "post_processor: a Sequence needs a \"processors\" list");
        for (const json &inner : *list) {
            auto one = fromJson(inner, source);
            if (one && result)
                fail(source,
                    "post_processor: a Sequence with two processors that add special tokens is not "
                    "supported");
            if (one)
                result = std::move(one);
        }
        return result;
    }
    fail(source,
        "post_processor type \"" + type
            + "\" is not supported; Pairtune reads TemplateProcessing, BertProcessing, RobertaProcessing, "
              "ByteLevel and Sequence");
}

SpecialTokenFrame SpecialTokenFrame::fromTemplate(
    const std::optional<TemplatePostProcessor> &post, std::int64_t maxId, const std::string &source)
{
    SpecialTokenFrame frame;
    if (!post)
        return frame;
    bool seenSequence = false;
    for (const TemplatePiece &piece : post->single) {
        if (piece.isSequence) {
            if (piece.id != "A" || seenSequence)
                fail(source,
                    "the post-processor's single template must hold the sequence $A exactly once (found $"
                        + piece.id + ")");
            seenSequence = true;
            frame.sequenceTypeId = piece.typeId;
            continue;
        }
        const auto special = std::find_if(post->specialTokens.begin(), post->specialTokens.end(),
            [&](const TemplateSpecialToken &s) { return s.name == piece.id; });
        if (special == post->specialTokens.end())
            fail(source,
                "the post-processor template uses the special token \"" + piece.id
                    + "\", which its special_tokens map does not define");
        for (const std::int64_t id : special->ids) {
            if (id < 0 || id > maxId)
                fail(source,
                    "the special token \"" + piece.id + "\" has id " + std::to_string(id)
                        + ", outside the vocabulary");
            (seenSequence ? frame.suffixIds : frame.prefixIds).push_back(id);
            (seenSequence ? frame.suffixTypeIds : frame.prefixTypeIds).push_back(piece.typeId);
        }
    }
    if (!seenSequence)
        fail(source, "the post-processor's single template has no $A sequence");
    return frame;
}

Encoding SpecialTokenFrame::apply(
    std::vector<std::int64_t> content, std::size_t maxLength, TruncationSide side) const
{
    const std::size_t added = specialCount();
    if (maxLength > 0) {
        if (maxLength < added)
            throw Error("a maximum length of " + std::to_string(maxLength) + " cannot hold the "
                + std::to_string(added) + " special tokens every text gets; use at least "
                + std::to_string(added));
        const std::size_t room = maxLength - added;
        if (content.size() > room) {
            if (side == TruncationSide::Left)
                content.erase(content.begin(), content.end() - static_cast<std::ptrdiff_t>(room));
            else
                content.resize(room);
        }
    }
    Encoding encoding;
    encoding.ids.reserve(content.size() + added);
    encoding.ids.insert(encoding.ids.end(), prefixIds.begin(), prefixIds.end());
    encoding.ids.insert(encoding.ids.end(), content.begin(), content.end());
    encoding.ids.insert(encoding.ids.end(), suffixIds.begin(), suffixIds.end());
    encoding.typeIds.reserve(encoding.ids.size());
    encoding.typeIds.insert(encoding.typeIds.end(), prefixTypeIds.begin(), prefixTypeIds.end());
    encoding.typeIds.insert(encoding.typeIds.end(), content.size(), sequenceTypeId);
    encoding.typeIds.insert(encoding.typeIds.end(), suffixTypeIds.begin(), suffixTypeIds.end());
    return encoding;
}

} // namespace pairtune
