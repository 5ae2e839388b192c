#include "export/ggufvocab.h"

#include "core/error.h"
#include "export/ggufwriter.h"
#include "text/unigramnormalizer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace pairtune {
namespace {

using nlohmann::json;

// gguf-py constants.py TokenType.
enum TokenType : std::int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5 };

const char *kPhantomSpace = "\xe2\x96\x81"; // U+2581, the sentencepiece word marker

std::string modelKind(const json &tokenizerJson)
{
    const json &model = tokenizerJson.value("model", json::object());
    return model.is_object() ? model.value("type", std::string()) : std::string();
}

struct Vocab
{
    std::vector<std::string> tokens;
    std::vector<std::int32_t> types;
    std::vector<float> scores; // Unigram only
    std::map<std::string, std::int64_t> ids; // content → id
};

// The ids of the tokens the post-processor puts around a single text: (first, last).
std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>> templateEnds(
    const json &tokenizerJson, const Vocab &vocab)
{
    auto idOf = [&](const std::string &content) -> std::optional<std::int64_t> {
        auto it = vocab.ids.find(content);
        return it == vocab.ids.end() ? std::nullopt : std::optional(it->second);
    };
    const json &post = tokenizerJson.value("post_processor", json());
    if (!post.is_object())
        return {};
    const std::string type = post.value("type", std::string());
    if (type == "RobertaProcessing" || type == "BertProcessing")
        return { post.at("cls").at(1).get<std::int64_t>(), post.at("sep").at(1).get<std::int64_t>() };
    if (type != "TemplateProcessing")
        return {};
    std::optional<std::int64_t> first;
    std::optional<std::int64_t> last;
    for (const json &piece : post.value("single", json::array()))
        if (piece.contains("SpecialToken")) {
            const auto id = idOf(piece["SpecialToken"].value("id", std::string()));
            if (!first)
                first = id;
            last = id;
        }
    return { first, last };
}

Vocab readVocab(const json &tokenizerJson, const GgufVocabOptions &options)
{
    const json &model = tokenizerJson.at("model");
    const std::string kind = modelKind(tokenizerJson);
    std::size_t size = std::size_t(options.vocabSize);
    Vocab vocab;
    std::vector<std::optional<std::string>> byId(size);
    auto place = [&](std::int64_t id, const std::string &token) {
        if (id < 0 || std::size_t(id) >= size)
            throw Error("token " + token + " has id " + std::to_string(id)
                + ", outside the model's vocab_size " + std::to_string(size));
        byId[std::size_t(id)] = token;
        vocab.ids.emplace(token, id);
    };
    vocab.scores.assign(size, -10000.0f);
    if (kind == "Unigram") {
        std::int64_t id = 0;
        for (const json &entry : model.at("vocab")) {
            if (std::size_t(id) < size)
                vocab.scores[std::size_t(id)] = entry.at(1).get<float>();
            place(id++, entry.at(0).get<std::string>());
        }
    } else {
        for (const auto &[token, id] : model.at("vocab").items())
            place(id.get<std::int64_t>(), token);
    }
    std::map<std::int64_t, bool> added; // id → special
    for (const json &token : tokenizerJson.value("added_tokens", json::array())) {
        const std::int64_t id = token.at("id").get<std::int64_t>();
        place(id, token.at("content").get<std::string>());
        added[id] = token.value("special", false);
    }
    std::optional<std::int64_t> unknown;
    if (kind == "Unigram" && model.contains("unk_id") && model["unk_id"].is_number())
        unknown = model["unk_id"].get<std::int64_t>();
    else if (model.contains("unk_token") && model["unk_token"].is_string()) {
        auto it = vocab.ids.find(model["unk_token"].get<std::string>());
        if (it != vocab.ids.end())
            unknown = it->second;
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (!byId[i]) {
            vocab.tokens.push_back("[PAD" + std::to_string(i) + "]");
            vocab.types.push_back(Unused);
            continue;
        }
        std::string token = *byId[i];
        auto a = added.find(std::int64_t(i));
        std::int32_t type = Normal;
        if (unknown && *unknown == std::int64_t(i))
            type = Unknown;
        else if (a != added.end())
            type = a->second ? Control : UserDefined;
        if (kind == "WordPiece" && type != Control) // BertModel.set_vocab's phantom space
            token = token.rfind("##", 0) == 0 ? token.substr(2) : kPhantomSpace + token;
        vocab.tokens.push_back(token);
        vocab.types.push_back(type);
    }
    return vocab;
}

std::optional<std::int64_t> idOfAny(const Vocab &vocab, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        auto it = vocab.ids.find(name);
        if (it != vocab.ids.end())
            return it->second;
    }
    return std::nullopt;
}

void addId(GgufWriter &writer, const std::string &key, std::optional<std::int64_t> id)
{
    if (id)
        writer.addUint32("tokenizer.ggml." + key, std::uint32_t(*id));
}

// Whether a normalizer (or any step of a Sequence) satisfies the predicate.
bool anyNormalizerStep(const json &normalizer, const std::function<bool(const json &)> &predicate)
{
    if (!normalizer.is_object())
        return false;
    if (normalizer.value("type", std::string()) == "Sequence") {
        for (const json &step : normalizer.value("normalizers", json::array()))
            if (anyNormalizerStep(step, predicate))
                return true;
        return false;
    }
    return predicate(normalizer);
}

void addWordPieceKeys(GgufWriter &writer, const json &tokenizerJson)
{
    const json &normalizer = tokenizerJson.value("normalizer", json());
    if (normalizer.is_object() && normalizer.value("type", std::string()) == "BertNormalizer") {
        const bool lowercase = normalizer.value("lowercase", true);
        const json &strip = normalizer.value("strip_accents", json());
        writer.addBool("tokenizer.ggml.normalizer.lowercase", lowercase);
        // strip_accents null follows lowercase, as in the Hugging Face BertNormalizer.
        writer.addBool(
            "tokenizer.ggml.normalizer.strip_accents", strip.is_boolean() ? strip.get<bool>() : lowercase);
    }
}

void addUnigramKeys(
    GgufWriter &writer, const json &tokenizerJson, const Vocab &vocab, const std::string &path)
{
    writer.addFloat32Array("tokenizer.ggml.scores", vocab.scores);
    const json &pre = tokenizerJson.value("pre_tokenizer", json());
    bool prefix = true;
    if (pre.is_object() && pre.contains("prepend_scheme"))
        prefix = pre["prepend_scheme"] != "never";
    else if (pre.is_object() && pre.contains("add_prefix_space"))
        prefix = pre.value("add_prefix_space", true);
    writer.addBool("tokenizer.ggml.add_space_prefix", prefix);
    // XLM-R's normalizer collapses runs of spaces (Replace " {2,}"), what sentencepiece calls
    // remove_extra_whitespaces.
    const json &normalizer = tokenizerJson.value("normalizer", json());
    const bool collapses = anyNormalizerStep(normalizer, [](const json &step) {
        return step.value("type", std::string()) == "Replace" && step.contains("pattern")
            && step["pattern"].value("Regex", std::string()) == " {2,}";
    });
    writer.addBool("tokenizer.ggml.remove_extra_whitespaces", collapses);
    if (!normalizer.is_null()) {
        const auto charsmap = UnigramNormalizer::fromJson(normalizer, path).charsmap();
        if (charsmap)
            writer.addUint8Array("tokenizer.ggml.precompiled_charsmap", charsmap->blob());
    }
}

void addBpeKeys(GgufWriter &writer, const json &tokenizerJson)
{
    std::vector<std::string> merges;
    for (const json &merge : tokenizerJson.at("model").value("merges", json::array())) {
        if (merge.is_string()) {
            merges.push_back(merge.get<std::string>());
            continue;
        }
        // Pairs (transformers 4.45+): a space inside a part is written as U+0120 + 256, as gguf-py does.
        std::string joined;
        for (std::size_t part = 0; part < 2; ++part) {
            if (part == 1)
                joined += ' ';
            for (char c : merge.at(part).get<std::string>())
                joined += c == ' ' ? std::string("\xc5\xa0") : std::string(1, c);
        }
        merges.push_back(joined);
    }
    writer.addStringArray("tokenizer.ggml.merges", merges);
}

} // namespace

std::string ggufVocabUnsupportedReason(const json &tokenizerJson)
{
    const std::string kind = modelKind(tokenizerJson);
    if (kind == "WordPiece" || kind == "Unigram")
        return "";
    if (kind == "BPE") {
        const json &pre = tokenizerJson.value("pre_tokenizer", json());
        if (!pre.is_object() || pre.value("type", std::string()) != "ByteLevel"
            || pre.value("add_prefix_space", false))
            return "its BPE tokenizer is not RoBERTa's byte-level BPE (llama.cpp's \"gpt2\" tokenizer "
                   "reproduces only "
                   "that)";
        return "";
    }
    return "its tokenizer model \"" + kind + "\" has no llama.cpp counterpart";
}

void addGgufVocab(GgufWriter &writer, const json &tokenizerJson, const GgufVocabOptions &options,
    const std::string &pathForMessages)
{
    const std::string refusal = ggufVocabUnsupportedReason(tokenizerJson);
    if (!refusal.empty())
        throw Error(pathForMessages + ": " + refusal);
    const std::string kind = modelKind(tokenizerJson);
    Vocab vocab;
    try {
        vocab = readVocab(tokenizerJson, options);
    } catch (const json::exception &e) {
        throw Error(pathForMessages + ": unexpected tokenizer.json layout: " + e.what());
    } catch (const Error &e) {
        throw Error(pathForMessages + ": " + e.what());
    }
    writer.addString("tokenizer.ggml.model",
        kind == "WordPiece"     ? "bert"
            : kind == "Unigram" ? "t5"
                                : "gpt2");
    writer.addString("tokenizer.ggml.pre", kind == "BPE" ? options.bpePre : "default");
    writer.addStringArray("tokenizer.ggml.tokens", vocab.tokens);
    writer.addInt32Array("tokenizer.ggml.token_type", vocab.types);
    writer.addUint32("tokenizer.ggml.token_type_count", std::uint32_t(std::max(1, options.tokenTypeCount)));
    if (kind == "WordPiece")
        addWordPieceKeys(writer, tokenizerJson);
    else if (kind == "Unigram")
        addUnigramKeys(writer, tokenizerJson, vocab, pathForMessages);
    else
        addBpeKeys(writer, tokenizerJson);

    // Special ids as gguf-py's SpecialVocab finds them: the template's first token is bos (= cls), its
    // last is eos (= sep).
    const auto [first, last] = templateEnds(tokenizerJson, vocab);
    if (!first || !last)
        throw Error(pathForMessages
            + ": the tokenizer's post-processor adds no [CLS]/<s> ... [SEP]/</s> around a "
              "text, which llama.cpp's embedding needs");
    addId(writer, "bos_token_id", first);
    addId(writer, "eos_token_id", last);
    addId(writer, "seperator_token_id", last); // sic: gguf-py's key name
    addId(writer, "padding_token_id", std::int64_t(options.padId));
    for (std::size_t i = 0; i < vocab.types.size(); ++i)
        if (vocab.types[i] == Unknown)
            addId(writer, "unknown_token_id", std::int64_t(i));
    addId(writer, "mask_token_id", idOfAny(vocab, { "[MASK]", "<mask>" }));
    writer.addBool("tokenizer.ggml.add_bos_token", true);
    writer.addBool("tokenizer.ggml.add_eos_token", true);
    writer.addBool("tokenizer.ggml.add_sep_token", true);
}

} // namespace pairtune
